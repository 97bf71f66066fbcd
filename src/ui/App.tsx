import { BackendPanel } from './BackendPanel';
import { DatasetPanel } from './DatasetPanel';
import { ModelsPanel } from './models/ModelsPanel';
import { PanelBoundary } from './PanelBoundary';
import { README_URL } from './readmeLink';
import { SearchPanel } from './search/SearchPanel';
import { TrackingPanel } from './tracking/TrackingPanel';

/** The studio's one page: a column of panels, each fed by the store. */
export function App() {
  return (
    <div className="studio">
      <header className="studio-header">
        <h1>FileNest Digit Studio</h1>
        <p className="about">
          Tune, train and test a lightweight (&lt;10k parameters) MNIST classifier in your browser.{' '}
          <a href={README_URL} data-testid="about-readme" target="_blank" rel="noreferrer">
            Read the README
          </a>
        </p>
      </header>
      <main className="panels">
        <PanelBoundary name="Backend">
          <BackendPanel />
        </PanelBoundary>
        <PanelBoundary name="Dataset">
          <DatasetPanel />
        </PanelBoundary>
        <PanelBoundary name="Search">
          <SearchPanel />
        </PanelBoundary>
        <PanelBoundary name="Tracking">
          <TrackingPanel />
        </PanelBoundary>
        <PanelBoundary name="Models">
          <ModelsPanel />
        </PanelBoundary>
      </main>
    </div>
  );
}
