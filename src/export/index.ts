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
