import { useCallback, useState } from 'react';
import { BackendChip } from './BackendChip';
import { DatasetPanel } from './DatasetPanel';
import { DiagnosticsDrawer } from './DiagnosticsDrawer';
import { DrawPanel } from './draw/DrawPanel';
import { ModelsProvider } from './models/ModelsContext';
import { ModelsPanel } from './models/ModelsPanel';
import { PanelBoundary } from './PanelBoundary';
import { README_URL } from './readmeLink';
import { ResultsPanel } from './search/ResultsPanel';
import { SearchPanel } from './search/SearchPanel';
import { TrackingPanel } from './tracking/TrackingPanel';

/**
 * The studio's one page, laid out as the workflow: draw on a model (the pretrained one at first),
 * configure and run a search, watch its trials, then pick, compare and download a model. The data
 * and tracking panels follow; the backend's diagnostics sit behind a chip, in a drawer.
 */
export function App() {
  const [diagnosticsOpen, setDiagnosticsOpen] = useState(false);
  const closeDiagnostics = useCallback(() => setDiagnosticsOpen(false), []);
  return (
    <div className="studio">
      <header className="studio-header">
        <div>
          <h1>FileNest Digit Studio</h1>
          <p className="about">
            Tune, train and test a lightweight (&lt;10k parameters) MNIST classifier in your browser.{' '}
            <a href={README_URL} data-testid="about-readme" target="_blank" rel="noreferrer">
              Read the README
            </a>
          </p>
        </div>
        <BackendChip open={diagnosticsOpen} onToggle={() => setDiagnosticsOpen((open) => !open)} />
      </header>
      <ModelsProvider>
        <main className="workflow">
          <PanelBoundary name="Draw">
            <DrawPanel />
          </PanelBoundary>
          <PanelBoundary name="Search">
            <SearchPanel />
          </PanelBoundary>
          <PanelBoundary name="Trials">
            <ResultsPanel />
          </PanelBoundary>
          <PanelBoundary name="Models">
            <ModelsPanel />
          </PanelBoundary>
          <PanelBoundary name="Dataset">
            <DatasetPanel />
          </PanelBoundary>
          <PanelBoundary name="Tracking">
            <TrackingPanel />
          </PanelBoundary>
        </main>
      </ModelsProvider>
      <PanelBoundary name="Backend">
        <DiagnosticsDrawer open={diagnosticsOpen} onClose={closeDiagnostics} />
      </PanelBoundary>
    </div>
  );
}
