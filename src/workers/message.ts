/**
 * What every Worker protocol's messages share, on both sides: a `kind`, and the id of the request
 * a message belongs to. The page numbers requests (requestChannel.ts); the Worker answers each with
 * exactly one reply under the same id (host.ts), or an `error` reply with the failure's message.
 */

/** A message of a protocol: keyed by `kind`, with the id of the request it belongs to. */
export interface Numbered {
  kind: string;
  id: number;
}

/** A message before its id is set: a request before the page numbers it, a reply before the host does. */
export type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

/** The `error` reply every protocol has: the request failed, and why. */
export interface ErrorReply {
  kind: 'error';
  id: number;
  message: string;
}
