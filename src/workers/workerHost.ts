/**
 * The Worker's half of a Worker protocol (the page's half is requestChannel.ts): every request is
 * answered by the handler for its kind, whose events and one reply carry the request's id; a
 * handler that throws is answered with an `error` reply carrying the thrown message. Every Worker
 * kind (trials, inference, checkpoint import, backend probe) serves its requests through it.
 */
import { messageOf } from '../studioError';
import type { Numbered, Unnumbered } from './requestChannel';

/** Posts one message to the page; big buffers in it are transferred, not copied. */
export type Post<Response> = (response: Response, transfer?: Transferable[]) => void;

/** A handler's one reply and the buffers it transfers; `null` when the request is answered some other way. */
export type Reply<Response> = { reply: Unnumbered<Response>; transfer?: Transferable[] } | null;

/** Handles one kind of request; `event` posts an event of the running request (progress, heartbeats). */
export type Handler<Request, Response> = (request: Request, event: (response: Unnumbered<Response>) => void) => Promise<Reply<Response>>;

/** One handler per request kind. */
export type Handlers<Request extends Numbered, Response extends Numbered> = {
  [K in Request['kind']]: Handler<Extract<Request, { kind: K }>, Response>;
};

/** The `error` reply every protocol has, with the thrown value's message. */
export function errorReply<Response extends Numbered>(error: unknown): Unnumbered<Response> {
  return { kind: 'error', message: messageOf(error) } as unknown as Unnumbered<Response>;
}

/** Answers one request with its kind's handler: events while it runs, then exactly one reply (or an error). */
export async function serveRequest<Request extends Numbered, Response extends Numbered>(
  handlers: Handlers<Request, Response>,
  request: Request,
  post: Post<Response>,
  onError: (error: unknown) => Unnumbered<Response> = errorReply,
): Promise<void> {
  const numbered = (response: Unnumbered<Response>) => ({ ...response, id: request.id }) as unknown as Response;
  try {
    const handler = handlers[request.kind as Request['kind']] as Handler<Request, Response>;
    const answer = await handler(request, (event) => post(numbered(event)));
    if (answer) post(numbered(answer.reply), answer.transfer);
  } catch (error) {
    post(numbered(onError(error)));
  }
}

/** The part of a Worker's global scope a host uses. */
export interface WorkerScope<Request> {
  addEventListener(type: 'message', listener: (event: MessageEvent<Request>) => void): void;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

/** Serves every request that reaches `scope` with `handlers`. */
export function serveWorker<Request extends Numbered, Response extends Numbered>(
  scope: WorkerScope<Request>,
  handlers: Handlers<Request, Response>,
  onError?: (error: unknown) => Unnumbered<Response>,
): void {
  scope.addEventListener('message', (event) => {
    void serveRequest(handlers, event.data, (response, transfer = []) => scope.postMessage(response, transfer), onError);
  });
}
