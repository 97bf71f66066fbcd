import { useState } from 'react';
import type { TrialExport } from '../../export/bundle';
import { EXPORT_FILES } from '../../export/exportFiles';
import { trialConfigYaml } from '../../export/trialConfig';
import type { TrainConfig } from '../../engine/trainer';
import type { TrialSnapshot } from '../../tune/trial';
import { DOWNLOAD_TYPES, downloadFile } from './download';
import './checkpoint.css';
import { messageOf } from '../../studioError';

/** Props of {@link ExportButtons}. */
export interface ExportButtonsProps {
  /** Fetches the trial's current weights and optimizer state (a Worker round trip). */
  getSnapshot: () => Promise<TrialSnapshot>;
  /** The trial's config, for config.yaml (which needs no snapshot). */
  config: TrainConfig;
  /** The experiment's results as JSON text, written as results.json into the zip. */
  resultsJson: string;
  /** The trial's name, used in file names and config.yaml's header. */
  trialName?: string;
}

type Download = 'pt' | 'tfjs' | 'config' | 'zip';

/** Downloads a trial as checkpoint.pt, a tfjs model (model.json + weights), config.yaml, or all of them in one zip. */
export function ExportButtons({ getSnapshot, config, resultsJson, trialName }: ExportButtonsProps) {
  const [busy, setBusy] = useState<Download | null>(null);
  const [error, setError] = useState<string | null>(null);
  const prefix = trialName ? `${trialName}-` : '';

  const withExport = async (kind: Download, save: (files: TrialExport) => void | Promise<void>): Promise<void> => {
    setBusy(kind);
    setError(null);
    try {
      // The exporters bring tfjs with them: loaded on the first export, not with the page.
      const { trialExport } = await import('../../export/bundle');
      await save(await trialExport(await getSnapshot(), resultsJson, trialName));
    } catch (caught) {
      setError(`export failed: ${messageOf(caught)}`);
    } finally {
      setBusy(null);
    }
  };

  const buttons: { kind: Download; label: string; run: () => void }[] = [
    {
      kind: 'pt',
      label: EXPORT_FILES.checkpoint,
      run: () => void withExport('pt', (files) => downloadFile(`${prefix}${EXPORT_FILES.checkpoint}`, files.checkpoint)),
    },
    {
      kind: 'tfjs',
      label: 'tfjs model',
      // model.json names its weights file, so that one keeps its name.
      run: () =>
        void withExport('tfjs', (files) => {
          downloadFile('model.json', files.tfjs.modelJson, DOWNLOAD_TYPES.json);
          downloadFile(files.tfjs.weightsFileName, files.tfjs.weights);
        }),
    },
    {
      kind: 'config',
      label: EXPORT_FILES.config,
      run: () => downloadFile(`${prefix}${EXPORT_FILES.config}`, trialConfigYaml(config, trialName), DOWNLOAD_TYPES.yaml),
    },
    {
      kind: 'zip',
      label: 'all (zip)',
      run: () =>
        void withExport('zip', async (files) => {
          const { zipTrialExport } = await import('../../export/bundle');
          downloadFile(`${prefix || 'trial-'}export.zip`, zipTrialExport(files), DOWNLOAD_TYPES.zip);
        }),
    },
  ];

  return (
    <div className="export-buttons" role="group" aria-label="Export the trial">
      {buttons.map(({ kind, label, run }) => (
        <button key={kind} type="button" data-testid={`export-${kind}`} disabled={busy !== null} onClick={run}>
          {busy === kind ? `${label}…` : label}
        </button>
      ))}
      {error && <p className="error">{error}</p>}
    </div>
  );
}
