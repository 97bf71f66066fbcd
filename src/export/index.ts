/** PyTorch checkpoints in and out of the studio. */
export { writeCheckpoint, type CheckpointContents } from './ptWriter';
export {
  readCheckpoint,
  CheckpointError,
  DEFAULT_MAX_CHECKPOINT_BYTES,
  type CheckpointFormat,
  type ReadCheckpoint,
  type ReadCheckpointOptions,
} from './ptReader';
export { validateClassifierStateDict, classifierStateDictLayout, type ExpectedEntry } from './classifierStateDict';
export * from './stateDict';
export { exportTfjsModel, classifierLayersModel, saveLayersModel, TFJS_WEIGHTS_FILE, type TfjsModelFiles } from './tfjsModel';
export { readTfjsModel, type ReadTfjsModel } from './tfjsImport';
export { importModel, type ImportedModel, type ImportFile, type ImportOptions, type ImportSource } from './importModel';
export { createImportedPredictor, type ImportedPredictor } from './importedPredictor';
export { checkpointContents, snapshotCheckpoint, trialHyperparameters } from './trialCheckpoint';
export { trialConfigYaml } from './trialConfig';
export { EXPORT_FILES, exportFileMap, trialExport, zipTrialExport, type TrialExport } from './bundle';
