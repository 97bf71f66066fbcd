import { useEffect } from 'react';
import { useStudio } from '../../state/store';
import { readUrlState } from '../../state/urlState';
import { ConfigSource } from './ConfigSource';
import { ExperimentHistory } from './ExperimentHistory';
import { LiveSearch } from './LiveSearch';
import { RunControls } from './RunControls';
import { SpaceEditor } from './SpaceEditor';
import './search.css';

/** Hyperparameter search: the space from config.yaml, the run, its live results, and past runs. */
export function SearchPanel() {
  const setOverrides = useStudio((s) => s.setOverrides);

  // A shared link carries the space as overrides of config.yaml.
  useEffect(() => {
    const { overrides } = readUrlState(window.location.search);
    if (overrides.length > 0) setOverrides(overrides);
  }, [setOverrides]);

  return (
    <section className="panel wide search-panel" data-testid="search-panel" aria-labelledby="search-heading">
      <h2 id="search-heading">Hyperparameter search</h2>
      <ConfigSource />
      <SpaceEditor />
      <RunControls />
      <LiveSearch />
      <ExperimentHistory />
    </section>
  );
}
