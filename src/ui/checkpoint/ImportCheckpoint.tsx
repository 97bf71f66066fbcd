import { useId, useState, type ChangeEvent, type DragEvent } from 'react';
import type { ImportedModel } from '../../export/importModel';
import { architectureLabel } from '../../model/registry';
import { importModelInWorker } from '../../workers/importWorker';
import { readFiles } from './readFiles';
import './checkpoint.css';
import { messageOf } from '../../studioError';

/** Props of {@link ImportCheckpoint}. */
export interface ImportCheckpointProps {
  /** Called with each model that imports cleanly. */
  onImported: (model: ImportedModel) => void;
}

type Outcome = { kind: 'idle' } | { kind: 'busy' } | { kind: 'imported'; model: ImportedModel } | { kind: 'error'; message: string };

const ACCEPT = '.pt,.pth,.json,.bin';

function sourceText(model: ImportedModel): string {
  if (model.source.kind === 'tfjs') return `tfjs model with ${model.source.weightFiles.join(', ')}`;
  const format = { tuple: '(model, optimizer) tuple', state_dict: 'bare state_dict', dict: 'checkpoint dict' }[model.source.format];
  return `PyTorch ${format}`;
}

/**
 * Brings a model into the studio: choose or drop a `.pt`/`.pth` (the original's tuple, the
 * studio's own, or a bare state_dict) or a tfjs model.json with its weights file. Shows what was
 * read (name, architecture and widths, parameters) or why the files were refused.
 */
export function ImportCheckpoint({ onImported }: ImportCheckpointProps) {
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const [dragging, setDragging] = useState(false);
  const inputId = useId();

  const importFiles = async (files: Iterable<File>): Promise<void> => {
    setOutcome({ kind: 'busy' });
    try {
      const model = await importModelInWorker(await readFiles(files));
      setOutcome({ kind: 'imported', model });
      onImported(model);
    } catch (error) {
      setOutcome({ kind: 'error', message: messageOf(error) });
    }
  };

  const onChange = (event: ChangeEvent<HTMLInputElement>): void => {
    const files = event.target.files ? [...event.target.files] : [];
    event.target.value = '';
    if (files.length > 0) void importFiles(files);
  };
  const onDrop = (event: DragEvent<HTMLDivElement>): void => {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length > 0) void importFiles([...event.dataTransfer.files]);
  };

  return (
    <div
      className={`import-checkpoint${dragging ? ' dragging' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <label htmlFor={inputId}>Import a checkpoint (.pt, or tfjs model.json with its weights):</label>
      <input id={inputId} type="file" accept={ACCEPT} multiple data-testid="import-checkpoint" onChange={onChange} />
      <p className="muted">or drop the files here</p>
      <div role="status" aria-live="polite" data-testid="import-status">
        {outcome.kind === 'busy' && <p className="muted">Reading…</p>}
        {outcome.kind === 'error' && <p className="error">{outcome.message}</p>}
        {outcome.kind === 'imported' && (
          <>
            <p className="ok">
              Imported <strong>{outcome.model.name}</strong>: {architectureLabel(outcome.model.model, outcome.model.hyperparameters)},{' '}
              {outcome.model.totalParams.toLocaleString('en-US')} parameters, {sourceText(outcome.model)}.
            </p>
            {outcome.model.warnings.map((warning) => (
              <p key={warning} className="warn">
                {warning}
              </p>
            ))}
          </>
        )}
      </div>
    </div>
  );
}
