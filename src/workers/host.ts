/**
 * The Worker's half of every Worker protocol (trials, inference, checkpoint import, backend probe,
 * benchmark): a table of handlers, one per request kind. Each request gets exactly one reply with
 * its id: what its handler returns, or an `error` reply with the message of what it threw. A
 * handler may post events of its running request before that reply. The page's half is
 * requestChannel.ts.
 */
import { messageOf } from '../studioError';
import type { ErrorReply, Numbered, Unnumbered } from './message';

/** Posts one message to the page; big buffers in it are transferred, not copied. */
export type Post<Response> = (response: Response, transfer?: Transferable[]) => void;

/** A handler's reply, and the buffers in it to transfer rather than copy. */
export interface Reply<Response> {
  reply: Unnumbered<Response>;
  transfer?: Transferable[];
}

/** What a handler returns for a request that is answered by breaking the Worker, not by a reply (a trial's `fault`). */
export const NO_REPLY = Symbol('no reply');

/** Serves one request kind: may `emit` events of the running request, then returns its reply. */
export type Handler<Request, Response> = (
  request: Request,
  emit: (event: Unnumbered<Response>) => void,
) => Promise<Reply<Response> | typeof NO_REPLY> | Reply<Response> | typeof NO_REPLY;

/** One handler per request kind of a protocol. */
export type Handlers<Request extends Numbered, Response extends Numbered> = {
  [Kind in Request['kind']]: Handler<Extract<Request, { kind: Kind }>, Response>;
};

/** How a protocol words its `error` reply beyond the message (a trial's `deviceLost`). */
export interface HostOptions<Response> {
  errorFields?: (error: unknown) => Partial<Unnumbered<Extract<Response, ErrorReply>>>;
}

/** A reply that transfers `transfer` instead of copying it. */
export function reply<Response>(response: Unnumbered<Response>, transfer?: Transferable[]): Reply<Response> {
  return transfer ? { reply: response, transfer } : { reply: response };
}

/** Answers one request with its kind's handler: its events, then exactly one reply (or `error`) with its id. */
export async function serveRequest<Request extends Numbered, Response extends Numbered>(
  handlers: Handlers<Request, Response>,
  request: Request,
  post: Post<Response>,
  options: HostOptions<Response> = {},
): Promise<void> {
  const { id } = request;
  const handler = handlers[request.kind as Request['kind']] as Handler<Request, Response>;
  try {
    const answer = await handler(request, (event) => post({ ...event, id } as Response));
    if (answer !== NO_REPLY) post({ ...answer.reply, id } as Response, answer.transfer);
  } catch (error) {
    const failed: ErrorReply = { kind: 'error', id, message: messageOf(error), ...options.errorFields?.(error) };
    // Every protocol's responses include its `error` reply.
    post(failed as unknown as Response);
  }
}

/** The part of a Worker's global scope a host uses. */
export interface HostScope<Request> {
  addEventListener(type: 'message', listener: (event: MessageEvent<Request>) => void): void;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

/** Serves every request that reaches this Worker with `handlers`. */
export function serveWorker<Request extends Numbered, Response extends Numbered>(
  scope: HostScope<Request>,
  handlers: Handlers<Request, Response>,
  options: HostOptions<Response> = {},
): void {
  scope.addEventListener('message', (event) => {
    void serveRequest(handlers, event.data, (response, transfer = []) => scope.postMessage(response, transfer), options);
  });
}
