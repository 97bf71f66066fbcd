import type { Hyperparameters } from '../model/architecture';
import { recogniseStateDict } from '../model/recognise';
import { totalParams } from '../model/registry';
import type { TorchStateDict } from '../model/stateDict';
import { CheckpointError, DEFAULT_MAX_CHECKPOINT_BYTES, readCheckpoint, type CheckpointFormat } from './ptReader';
import { TFJS_LIMITS } from './tfjsImport';
import { readTfjsModel } from './tfjsImport';
import { messageOf } from '../studioError';

/** A file the user dropped or chose, already read. */
export interface ImportFile {
  name: string;
  bytes: Uint8Array;
}

/** Where an imported model came from. */
export type ImportSource =
  | { kind: 'pt'; format: CheckpointFormat; hasOptimizer: boolean }
  | { kind: 'tfjs'; weightFiles: string[] };

/** A model of a registered architecture brought into the studio from a `.pt` or a tfjs model, ready to evaluate or draw with. */
export interface ImportedModel {
  /** The file it came from (the `.pt`, or the tfjs model.json). */
  name: string;
  source: ImportSource;
  /** The registered architecture's name (`Classifier`, `gapnet`, ...). */
  model: string;
  /** Its hyperparameters, read from the tensors' shapes (`{ f1: 8, f2: 6 }`, `{ c1: 10, ... }`). */
  hyperparameters: Hyperparameters;
  /** Trainable parameters of that model, from the registry. */
  totalParams: number;
  stateDict: TorchStateDict;
  warnings: string[];
}

export interface ImportOptions {
  /** Largest file accepted (and largest total of a tfjs model's weight files). */
  maxBytes?: number;
}

const extension = (name: string): string => name.slice(name.lastIndexOf('.') + 1).toLowerCase();

function imported(name: string, source: ImportSource, stateDict: TorchStateDict, warnings: string[]): ImportedModel {
  let recognised;
  try {
    recognised = recogniseStateDict(stateDict);
  } catch (error) {
    throw new CheckpointError(`${name}: ${messageOf(error)}`);
  }
  const { architecture, hyperparameters } = recognised;
  return { name, source, model: architecture.name, hyperparameters, totalParams: totalParams(architecture.name, hyperparameters), stateDict, warnings };
}

function importCheckpoint(file: ImportFile, maxBytes: number): ImportedModel {
  let read;
  try {
    read = readCheckpoint(file.bytes, { maxBytes });
  } catch (error) {
    throw new CheckpointError(`${file.name}: ${messageOf(error)}`);
  }
  const source: ImportSource = { kind: 'pt', format: read.format, hasOptimizer: read.optimizer !== undefined };
  return imported(file.name, source, read.model, read.warnings);
}

function importTfjs(modelJson: ImportFile, weightFiles: ImportFile[], maxBytes: number): ImportedModel {
  if (modelJson.bytes.length > maxBytes) throw new CheckpointError(`${modelJson.name} is larger than the size limit`);
  let read;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(modelJson.bytes);
    read = readTfjsModel(text, new Map(weightFiles.map((f) => [f.name, f.bytes])), maxBytes);
  } catch (error) {
    throw new CheckpointError(`${modelJson.name}: ${messageOf(error)}`);
  }
  return imported(modelJson.name, { kind: 'tfjs', weightFiles: weightFiles.map((f) => f.name) }, read.stateDict, read.warnings);
}

/**
 * Imports a model of any registered architecture from the files a user chose: one `.pt`/`.pth`
 * (the original's `(model_sd, optim_sd)` tuple, the studio's own, a bare state_dict or a
 * checkpoint dict), or a tfjs `model.json` with its weight files as the studio's tfjs download
 * writes them. Runs nothing from the files; every refusal is a
 * `CheckpointError` whose message names the file and the reason.
 */
export function importModel(files: readonly ImportFile[], options: ImportOptions = {}): ImportedModel {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CHECKPOINT_BYTES;
  if (files.length === 0) throw new CheckpointError('choose a .pt checkpoint, or a tfjs model.json with its weights file');
  if (files.length > TFJS_LIMITS.maxPaths + 1) throw new CheckpointError(`${files.length} files chosen; the limit is ${TFJS_LIMITS.maxPaths + 1}`);
  const total = files.reduce((sum, file) => sum + file.bytes.length, 0);
  if (total > 2 * maxBytes) throw new CheckpointError(`the chosen files hold ${(total / 1024 / 1024).toFixed(1)} MB; the limit is ${((2 * maxBytes) / 1024 / 1024).toFixed(1)} MB`);
  const jsons = files.filter((f) => extension(f.name) === 'json');
  if (jsons.length > 1) throw new CheckpointError(`choose one model.json at a time (got ${jsons.map((f) => f.name).join(', ')})`);
  const [modelJson] = jsons;
  if (modelJson) return importTfjs(modelJson, files.filter((f) => f !== modelJson), maxBytes);
  const checkpoints = files.filter((f) => extension(f.name) !== 'bin');
  if (checkpoints.length === 0) throw new CheckpointError(`${files.map((f) => f.name).join(', ')}: a tfjs weights file needs its model.json; choose both together`);
  if (checkpoints.length > 1 || files.length > 1) throw new CheckpointError(`choose one checkpoint at a time (got ${files.map((f) => f.name).join(', ')})`);
  return importCheckpoint(files[0] as ImportFile, maxBytes);
}
