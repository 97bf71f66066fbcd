import { strToU8, zipSync, type Zippable } from 'fflate';
import type { TrialSnapshot } from '../tune/trial';
import { writeCheckpoint } from './ptWriter';
import { trialConfigYaml } from './trialConfig';
import { snapshotCheckpoint } from './trialCheckpoint';
import { exportTfjsModel, type TfjsModelFiles } from './tfjsModel';
import { EXPORT_FILES } from './exportFiles';

export { EXPORT_FILES };


/** Everything a trial exports, in memory. */
export interface TrialExport {
  /** `torch.save((model_sd, optim_sd))`'s bytes. */
  checkpoint: Uint8Array<ArrayBuffer>;
  /** The same model as a tfjs layers model (model.json + weights). */
  tfjs: TfjsModelFiles;
  configYaml: string;
  resultsJson: string;
}

/** Builds every export of a trial from its snapshot; `resultsJson` is the experiment's results as text. */
export async function trialExport(snapshot: TrialSnapshot, resultsJson: string, trialName?: string): Promise<TrialExport> {
  return {
    checkpoint: writeCheckpoint(snapshotCheckpoint(snapshot)),
    tfjs: await exportTfjsModel(snapshot.stateDict),
    configYaml: trialConfigYaml(snapshot.config, trialName),
    resultsJson,
  };
}

/** The files of a trial's export by path: checkpoint.pt, tfjs/model.json and tfjs/<weights>, config.yaml, results.json. */
export function exportFileMap(files: TrialExport): Record<string, Uint8Array> {
  const { tfjs } = files;
  return {
    [EXPORT_FILES.checkpoint]: files.checkpoint,
    [EXPORT_FILES.tfjsModel]: strToU8(tfjs.modelJson),
    [`${EXPORT_FILES.tfjsFolder}/${tfjs.weightsFileName}`]: tfjs.weights,
    [EXPORT_FILES.config]: strToU8(files.configYaml),
    [EXPORT_FILES.results]: strToU8(files.resultsJson),
  };
}

/** One zip of a trial's export; the checkpoint and weights are stored, the text deflated. */
export function zipTrialExport(files: TrialExport): Uint8Array<ArrayBuffer> {
  const entries: Zippable = {};
  for (const [path, bytes] of Object.entries(exportFileMap(files))) {
    const isText = path.endsWith('.json') || path.endsWith('.yaml');
    entries[path] = [bytes, { level: isText ? 6 : 0 }];
  }
  return zipSync(entries);
}
