import { useStudio } from '../../state/store';
import { ExperimentHistory } from './ExperimentHistory';
import { LiveSearch } from './LiveSearch';
import './search.css';

/** Step 3 of the workflow: the running (or last) search's trials live, and the searches saved before. */
export function ResultsPanel() {
  const hasSearch = useStudio((s) => s.search !== null);
  return (
    <section className="panel search-panel step-results" data-testid="results-panel" aria-labelledby="results-heading">
      <h2 id="results-heading">Trials</h2>
      {!hasSearch && <p className="muted">Run a search to watch its trials train here, epoch by epoch.</p>}
      <LiveSearch />
      <ExperimentHistory />
    </section>
  );
}
