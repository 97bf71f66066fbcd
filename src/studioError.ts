/**
 * The base of every error the studio raises on purpose about input it was given: a checkpoint it
 * will not import, a configuration it will not run, a link it will not follow. Anything else that
 * escapes a parser is a bug; the fuzz tests hold every reader to throwing only this type.
 */
export class StudioError extends Error {
  override name = 'StudioError';
}

/** The message of anything thrown: an Error's message, anything else as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
