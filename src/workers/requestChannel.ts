/**
 * The page's half of a Worker protocol: numbers each request, hands the events of a running
 * request to its handler and settles it with its one reply; a crashed Worker (an `error` or
 * `messageerror` event) fails every request still waiting, and every later one. Every Worker
 * proxy (trials, inference, checkpoint import, backend probe, benchmark) speaks through it; the
 * Worker's half is host.ts.
 */

import type { Numbered, Unnumbered } from './message';

/** The part of a Worker a proxy uses; tests may pass an in-process stand-in. */
export interface ProtocolPort<Request, Response> {
  postMessage(message: Request, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<Response>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  addEventListener(type: 'messageerror', listener: (event: MessageEvent) => void): void;
  terminate(): void;
}

/** How a channel words its failures; each proxy may say it its own way. */
export interface ChannelOptions<Response> {
  /** The error of every request a crashed Worker leaves waiting, from the crash's detail. */
  crashError?: (detail: string) => Error;
  /** The error an `error` reply rejects with (default: an Error with the reply's message). */
  replyError?: (response: Response & { message?: string }) => Error;
}

interface Pending<Response> {
  onEvent: (event: Response) => void;
  settle: (response: Response) => void;
  fail: (error: Error) => void;
}

/** Sends one request and resolves with its reply of kind `expect`; an `error` reply rejects with its message. */
export type Requester<Request extends Numbered, Response extends Numbered> = <K extends Response['kind']>(
  message: Unnumbered<Request>,
  expect: K,
  onEvent?: (event: Response) => void,
  transfer?: Transferable[],
) => Promise<Extract<Response, { kind: K }>>;

/** A requester that can also give up on its Worker: `failAll` fails every waiting and later request. */
export type Channel<Request extends Numbered, Response extends Numbered> = Requester<Request, Response> & {
  failAll(error: Error): void;
};

/** Opens a request channel over `port`; `isEvent` tells events of a running request from replies. */
export function requestChannel<Request extends Numbered, Response extends Numbered>(
  port: ProtocolPort<Request, Response>,
  workerName: string,
  isEvent: (response: Response) => boolean,
  options: ChannelOptions<Response> = {},
): Channel<Request, Response> {
  let nextId = 1;
  const pending = new Map<number, Pending<Response>>();
  /** Set once the Worker is gone: later requests fail with it at once instead of waiting forever. */
  let broken: Error | null = null;
  const failAll = (error: Error) => {
    broken ??= error;
    for (const entry of pending.values()) entry.fail(error);
    pending.clear();
  };
  const crashError = options.crashError ?? ((detail: string) => new Error(`The ${workerName} worker crashed: ${detail || 'unknown error'}`));
  const replyError = options.replyError ?? ((response: Response & { message?: string }) => new Error(response.message ?? 'unknown error'));

  port.addEventListener('message', (event: MessageEvent<Response>) => {
    const response = event.data;
    const entry = pending.get(response.id);
    if (!entry) return;
    if (isEvent(response)) {
      entry.onEvent(response);
      return;
    }
    pending.delete(response.id);
    entry.settle(response);
  });
  port.addEventListener('error', (event: ErrorEvent) => failAll(crashError(event.message)));
  port.addEventListener('messageerror', () => failAll(crashError('a message from it could not be read')));

  const requester: Requester<Request, Response> = (message, expect, onEvent = () => undefined, transfer = []) =>
    new Promise((resolve, reject) => {
      if (broken) {
        reject(broken);
        return;
      }
      const id = nextId++;
      pending.set(id, {
        onEvent,
        fail: reject,
        settle: (response) => {
          if (response.kind === expect) resolve(response as Extract<Response, { kind: typeof expect }>);
          else if (response.kind === 'error') reject(replyError(response));
          else reject(new Error(`Unexpected reply ${response.kind} to ${message.kind}`));
        },
      });
      port.postMessage({ ...message, id } as unknown as Request, transfer);
    });
  return Object.assign(requester, { failAll });
}
