/**
 * The page's half of a Worker protocol: numbers each request, hands the events of a running
 * request to its handler and settles it with its one reply; a crashed Worker fails every request
 * still waiting. Both Worker proxies (trials and inference) speak through it.
 */

/** A message of a protocol: keyed by `kind`, with the id of the request it belongs to. */
interface Numbered {
  kind: string;
  id: number;
}

/** The part of a Worker a proxy uses; tests may pass an in-process stand-in. */
export interface ProtocolPort<Request, Response> {
  postMessage(message: Request, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<Response>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

/** A request before the channel numbers it. */
export type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

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

/** Opens a request channel over `port`; `isEvent` tells events of a running request from replies. */
export function requestChannel<Request extends Numbered, Response extends Numbered>(
  port: ProtocolPort<Request, Response>,
  workerName: string,
  isEvent: (response: Response) => boolean,
): Requester<Request, Response> {
  let nextId = 1;
  const pending = new Map<number, Pending<Response>>();

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
  port.addEventListener('error', (event: ErrorEvent) => {
    const error = new Error(`The ${workerName} worker crashed: ${event.message || 'unknown error'}`);
    for (const entry of pending.values()) entry.fail(error);
    pending.clear();
  });

  return (message, expect, onEvent = () => undefined, transfer = []) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, {
        onEvent,
        fail: reject,
        settle: (response) => {
          if (response.kind === expect) resolve(response as Extract<Response, { kind: typeof expect }>);
          else if (response.kind === 'error') reject(new Error((response as Response & { message?: string }).message ?? 'unknown error'));
          else reject(new Error(`Unexpected reply ${response.kind} to ${message.kind}`));
        },
      });
      port.postMessage({ ...message, id } as unknown as Request, transfer);
    });
}
