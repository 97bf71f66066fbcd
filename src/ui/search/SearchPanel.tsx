import { useEffect } from 'react';
import { useStudio } from '../../state/store';
import { readSharedLink } from '../../state/sharedLink';
import { ConfigSource } from './ConfigSource';
import { ExperimentHistory } from './ExperimentHistory';
import { LiveSearch } from './LiveSearch';
import { RunControls } from './RunControls';
import { SharedLinkNotice } from './SharedLinkNotice';
import { SpaceEditor } from './SpaceEditor';
import './search.css';

/** Hyperparameter search: the space from config.yaml, the run, its live results, and past runs. */
export function SearchPanel() {
  const setOverrides = useStudio((s) => s.setOverrides);
  const setLinkProblem = useStudio((s) => s.setLinkProblem);

  // A shared link carries the space as overrides of config.yaml; it is checked whole before any of it applies.
  useEffect(() => {
    const link = readSharedLink(window.location.search, useStudio.getState().configText);
    if (!link.ok) setLinkProblem(link.problem);
    else if (link.overrides.length > 0) setOverrides(link.overrides);
  }, [setOverrides, setLinkProblem]);

  return (
    <section className="panel wide search-panel" data-testid="search-panel" aria-labelledby="search-heading">
      <h2 id="search-heading">Hyperparameter search</h2>
      <SharedLinkNotice />
      <ConfigSource />
      <SpaceEditor />
      <RunControls />
      <LiveSearch />
      <ExperimentHistory />
    </section>
  );
}
