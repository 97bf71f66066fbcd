/**
 * The base of every error the studio raises on purpose about input it was given: a checkpoint it
 * will not import, a configuration it will not run, a link it will not follow. Anything else that
 * escapes a parser is a bug; the fuzz tests hold every reader to throwing only this type.
 */
export class StudioError extends Error {
  override name = 'StudioError';
}
