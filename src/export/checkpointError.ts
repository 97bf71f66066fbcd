import { StudioError } from '../studioError';

/** A file that is not a checkpoint the studio can import; the message says why. */
export class CheckpointError extends StudioError {
  override name = 'CheckpointError';
}
