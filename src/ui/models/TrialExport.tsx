import { useCallback, useMemo } from 'react';
import type { ModelChoice } from '../../state/modelsSlice';
import { useStudio } from '../../state/store';
import { searchResults } from '../../tune/results';
import { ExportButtons } from '../checkpoint/ExportButtons';

/** The export buttons for a trial's best checkpoint, with the current search's results.json. */
export function TrialExport({ model }: { model: ModelChoice }) {
  // Per field: the search view changes with every progress report, these only per epoch and trial start.
  const experiment = useStudio((s) => s.search?.experiment);
  const started = useStudio((s) => s.search?.started);
  const resultsJson = useMemo(() => {
    if (!experiment) return '{}';
    const backends = Object.fromEntries(Object.entries(started ?? {}).map(([id, report]) => [id, report.backend.chosen]));
    return JSON.stringify(searchResults(experiment, backends), null, 2);
  }, [experiment, started]);
  const { snapshot } = model;
  const getSnapshot = useCallback(
    () => (snapshot ? Promise.resolve(snapshot) : Promise.reject(new Error(`${model.name} has no checkpoint`))),
    [snapshot, model.name],
  );
  if (!snapshot) return null;
  return (
    <div className="trial-export">
      <p className="muted">
        Download {model.name}&apos;s best checkpoint (epoch {model.epoch}) for PyTorch or TensorFlow.js:
      </p>
      <ExportButtons getSnapshot={getSnapshot} config={snapshot.config} resultsJson={resultsJson} trialName={model.name} />
    </div>
  );
}
