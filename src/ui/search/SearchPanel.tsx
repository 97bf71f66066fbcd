import { useEffect, useState } from 'react';
import { SEARCH_PRESETS } from '../../state/presets';
import { useStudio } from '../../state/store';
import { readSharedLink } from '../../state/sharedLink';
import { ConfigSource } from './ConfigSource';
import { RunControls } from './RunControls';
import { SharedLinkNotice } from './SharedLinkNotice';
import { SpaceEditor } from './SpaceEditor';
import './search.css';

/** Step 2 of the workflow: choose a search (a preset, or config.yaml edited), see its cost here, and run it. */
export function SearchPanel() {
  const setOverrides = useStudio((s) => s.setOverrides);
  const setConfigText = useStudio((s) => s.setConfigText);
  const setLinkProblem = useStudio((s) => s.setLinkProblem);
  // Open beside the drawing pad on a wide screen; folded on a phone, where the trials come next.
  const [editorOpen] = useState(() => typeof window.matchMedia !== 'function' || window.matchMedia('(min-width: 900px)').matches);

  // A shared link carries the space as overrides of the original config.yaml (what links always
  // meant); it is checked whole against that file before any of it applies.
  useEffect(() => {
    const link = readSharedLink(window.location.search, SEARCH_PRESETS.original.configText);
    if (!link.ok) {
      setLinkProblem(link.problem);
      return;
    }
    if (link.overrides.length === 0) return;
    setConfigText(SEARCH_PRESETS.original.configText, SEARCH_PRESETS.original.configName);
    setOverrides(link.overrides);
  }, [setOverrides, setConfigText, setLinkProblem]);

  return (
    <section className="panel search-panel step-search" data-testid="search-panel" aria-labelledby="search-heading">
      <h2 id="search-heading">Train your own: hyperparameter search</h2>
      <SharedLinkNotice />
      <RunControls />
      <details className="search-editor" data-testid="search-editor" open={editorOpen}>
        <summary>Edit the search space (config.yaml)</summary>
        <ConfigSource />
        <SpaceEditor />
      </details>
    </section>
  );
}
