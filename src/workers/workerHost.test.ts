import { describe, expect, it } from 'vitest';
import type { Handlers } from './workerHost';
import { serveRequest, serveWorker, type WorkerScope } from './workerHost';

type Request = { kind: 'count'; id: number; upTo: number } | { kind: 'fail'; id: number } | { kind: 'silent'; id: number };
type Response =
  | { kind: 'tick'; id: number; n: number }
  | { kind: 'counted'; id: number; buffer: Float32Array }
  | { kind: 'error'; id: number; message: string };

const handlers: Handlers<Request, Response> = {
  count: async (request, event) => {
    for (let n = 1; n <= request.upTo; n++) event({ kind: 'tick', n });
    await Promise.resolve();
    const buffer = new Float32Array(request.upTo);
    return { reply: { kind: 'counted', buffer }, transfer: [buffer.buffer] };
  },
  fail: () => {
    throw new Error('no such model');
  },
  silent: () => Promise.resolve(null),
};

function serve(request: Request): Promise<{ response: Response; transfer?: Transferable[] }[]> {
  const posted: { response: Response; transfer?: Transferable[] }[] = [];
  return serveRequest(handlers, request, (response, transfer) => posted.push({ response, transfer })).then(() => posted);
}

describe('serveRequest', () => {
  it("posts a request's events, then its one reply, each with the request's id and the reply's transfers", async () => {
    const posted = await serve({ kind: 'count', id: 7, upTo: 2 });
    expect(posted.map((p) => [p.response.kind, p.response.id])).toEqual([['tick', 7], ['tick', 7], ['counted', 7]]);
    const reply = posted[2]!;
    expect(reply.transfer).toHaveLength(1);
    expect(reply.transfer?.[0]).toBe((reply.response as Extract<Response, { kind: 'counted' }>).buffer.buffer);
  });

  it('answers a handler that throws, even before its first await, with one error reply carrying the message', async () => {
    expect((await serve({ kind: 'fail', id: 3 })).map((p) => p.response)).toEqual([{ kind: 'error', id: 3, message: 'no such model' }]);
  });

  it('posts nothing for a request its handler answers another way', async () => {
    expect(await serve({ kind: 'silent', id: 1 })).toEqual([]);
  });

  it("serves every message that reaches a Worker's scope", async () => {
    let listener: ((event: MessageEvent<Request>) => void) | undefined;
    const posted: unknown[] = [];
    const scope: WorkerScope<Request> = {
      addEventListener: (_type, l) => (listener = l),
      postMessage: (message) => posted.push(message),
    };
    serveWorker(scope, handlers);
    listener?.({ data: { kind: 'fail', id: 9 } } as MessageEvent<Request>);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(posted).toEqual([{ kind: 'error', id: 9, message: 'no such model' }]);
  });
});
