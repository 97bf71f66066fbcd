import { useEffect, useState } from 'react';
import { SEARCH_PRESETS } from '../../state/presets';
import { useStudio } from '../../state/store';
import { readUrlState } from '../../state/urlState';
import { ConfigSource } from './ConfigSource';
import { RunControls } from './RunControls';
import { SpaceEditor } from './SpaceEditor';
import './search.css';

/** Step 2 of the workflow: choose a search (a preset, or config.yaml edited), see its cost here, and run it. */
export function SearchPanel() {
  const setOverrides = useStudio((s) => s.setOverrides);
  const setConfigText = useStudio((s) => s.setConfigText);
  // Open beside the drawing pad on a wide screen; folded on a phone, where the trials come next.
  const [editorOpen] = useState(() => typeof window.matchMedia !== 'function' || window.matchMedia('(min-width: 900px)').matches);

  // A shared link carries the space as overrides of the original config.yaml (what links always meant).
  useEffect(() => {
    const { overrides } = readUrlState(window.location.search);
    if (overrides.length === 0) return;
    setConfigText(SEARCH_PRESETS.original.configText, SEARCH_PRESETS.original.configName);
    setOverrides(overrides);
  }, [setOverrides, setConfigText]);

  return (
    <section className="panel search-panel step-search" data-testid="search-panel" aria-labelledby="search-heading">
      <h2 id="search-heading">Train your own: hyperparameter search</h2>
      <RunControls />
      <details className="search-editor" data-testid="search-editor" open={editorOpen}>
        <summary>Edit the search space (config.yaml)</summary>
        <ConfigSource />
        <SpaceEditor />
      </details>
    </section>
  );
}
