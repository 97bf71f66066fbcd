/**
 * A Worker stand-in for tests: each request goes, structured-cloned, through the real host with a
 * protocol's handlers, and each reply comes back structured-cloned, as across a Worker boundary.
 */
import { serveRequest, type Handlers, type HostOptions } from './host';
import type { Numbered } from './message';
import type { ProtocolPort } from './requestChannel';

/** A port into `handlers` in this thread; `posted` holds every message the host sent, in order. */
export function inProcessPort<Request extends Numbered, Response extends Numbered>(
  handlers: Handlers<Request, Response>,
  options: HostOptions<Response> = {},
): ProtocolPort<Request, Response> & { posted: Response[] } {
  const listeners: ((event: MessageEvent<Response>) => void)[] = [];
  const posted: Response[] = [];
  return {
    posted,
    postMessage(message: Request) {
      void serveRequest(
        handlers,
        structuredClone(message),
        (response) => {
          posted.push(response);
          const event = { data: structuredClone(response) } as MessageEvent<Response>;
          for (const listener of listeners) listener(event);
        },
        options,
      );
    },
    addEventListener(type: string, listener: unknown) {
      if (type === 'message') listeners.push(listener as (event: MessageEvent<Response>) => void);
    },
    terminate() {},
  };
}
