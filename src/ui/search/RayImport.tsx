import { useId, useState, type ChangeEvent, type DragEvent } from 'react';
import { importModel } from '../../export/importModel';
import { useStudio } from '../../state/store';
import { newExperimentId, saveExperiment } from '../../tune/persistence';
import { rayExperimentRecord, readRayResults } from '../../tune/rayImport';
import { filesFromDrop, filesFromList } from './rayFiles';
import { messageOf } from '../../studioError';

type Outcome = { kind: 'idle' } | { kind: 'busy' } | { kind: 'done'; text: string; warnings: string[] } | { kind: 'error'; message: string };

/**
 * Brings a Ray Tune search into the history: drop its `ray_results/<experiment>` folder or a zip
 * of it. Its trials join Past experiments as if the studio had run them, and the best trial's
 * checkpoint, when the folder has one, joins the models list.
 */
export function RayImport({ onImported }: { onImported: () => void }) {
  const addImportedModel = useStudio((s) => s.addImportedModel);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const [metric, setMetric] = useState('');
  const [dragging, setDragging] = useState(false);
  const folderId = useId();
  const zipId = useId();

  const importFiles = async (read: Promise<Map<string, Uint8Array>>) => {
    setOutcome({ kind: 'busy' });
    try {
      const imported = readRayResults(await read, { metric: metric.trim() || undefined });
      const warnings = [...imported.warnings];
      await saveExperiment(rayExperimentRecord(imported, newExperimentId(), Date.now()));
      let model = '';
      if (imported.bestCheckpoint) {
        try {
          addImportedModel(importModel([{ name: `${imported.bestCheckpoint.trialId}/checkpoint.pt`, bytes: imported.bestCheckpoint.bytes }]));
          model = `; the best trial's checkpoint (${imported.bestCheckpoint.trialId}) is in the models list`;
        } catch (error) {
          warnings.push(`the best trial's checkpoint did not import: ${messageOf(error)}`);
        }
      }
      setOutcome({ kind: 'done', text: `Imported ${imported.name}: ${imported.state.trials.length} trial(s)${model}.`, warnings });
      onImported();
    } catch (error) {
      setOutcome({ kind: 'error', message: messageOf(error) });
    }
  };

  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const list = event.target.files ? [...event.target.files] : [];
    event.target.value = '';
    if (list.length > 0) void importFiles(filesFromList(list));
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    void importFiles(filesFromDrop(event.dataTransfer));
  };

  return (
    <div
      className={`ray-import${dragging ? ' dragging' : ''}`}
      data-testid="ray-import"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <p>
        Import a Ray Tune search: drop its <code>ray_results/&lt;experiment&gt;</code> folder or a zip of it here, or choose{' '}
        <label htmlFor={folderId} className="link-like">
          a folder
        </label>{' '}
        or{' '}
        <label htmlFor={zipId} className="link-like">
          a zip
        </label>
        .
      </p>
      <input id={folderId} type="file" hidden multiple onChange={onChange} {...{ webkitdirectory: '' }} aria-label="Choose a ray_results folder" />
      <input id={zipId} type="file" hidden accept=".zip" onChange={onChange} aria-label="Choose a ray_results zip" />
      <label>
        Metric read as val_acc{' '}
        <input value={metric} onChange={(e) => setMetric(e.target.value)} placeholder="val_acc" size={12} aria-label="Metric read as val_acc" />
      </label>
      {outcome.kind === 'busy' && <p className="muted">Reading…</p>}
      {outcome.kind === 'done' && (
        <div role="status">
          <p>{outcome.text}</p>
          {outcome.warnings.map((w) => (
            <p key={w} className="muted">
              {w}
            </p>
          ))}
        </div>
      )}
      {outcome.kind === 'error' && (
        <p className="error" role="alert">
          {outcome.message}
        </p>
      )}
    </div>
  );
}
