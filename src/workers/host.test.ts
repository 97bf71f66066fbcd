import { describe, expect, it } from 'vitest';
import { NO_REPLY, reply, serveRequest, serveWorker, type Handlers, type HostScope } from './host';

type Request = { kind: 'echo'; id: number; text: string } | { kind: 'fail'; id: number } | { kind: 'silent'; id: number };
type Response =
  | { kind: 'tick'; id: number; n: number }
  | { kind: 'echoed'; id: number; text: string; bytes: Uint8Array }
  | { kind: 'error'; id: number; message: string; fatal?: boolean };

const handlers: Handlers<Request, Response> = {
  echo: async (request, emit) => {
    emit({ kind: 'tick', n: 1 });
    await Promise.resolve();
    emit({ kind: 'tick', n: 2 });
    const bytes = new Uint8Array([1, 2, 3]);
    return reply({ kind: 'echoed', text: request.text, bytes }, [bytes.buffer]);
  },
  fail: () => {
    throw new RangeError('out of range');
  },
  silent: () => NO_REPLY,
};

async function serve(request: Request, fatal = false): Promise<{ response: Response; transfer?: Transferable[] }[]> {
  const posted: { response: Response; transfer?: Transferable[] }[] = [];
  await serveRequest(handlers, request, (response, transfer) => posted.push({ response, transfer }), {
    errorFields: (error) => (fatal && error instanceof RangeError ? { fatal: true } : {}),
  });
  return posted;
}

describe('the Worker host (host.ts)', () => {
  it("posts a request's events, then exactly one reply with its id and the buffers to transfer", async () => {
    const posted = await serve({ kind: 'echo', id: 7, text: 'hi' });
    expect(posted.map((p) => p.response)).toEqual([
      { kind: 'tick', id: 7, n: 1 },
      { kind: 'tick', id: 7, n: 2 },
      { kind: 'echoed', id: 7, text: 'hi', bytes: new Uint8Array([1, 2, 3]) },
    ]);
    const last = posted.at(-1)!;
    expect(last.transfer).toEqual([(last.response as Extract<Response, { kind: 'echoed' }>).bytes.buffer]);
  });

  it('answers a handler that throws with one error reply carrying its message and the protocol\'s fields', async () => {
    expect((await serve({ kind: 'fail', id: 3 })).map((p) => p.response)).toEqual([{ kind: 'error', id: 3, message: 'out of range' }]);
    expect((await serve({ kind: 'fail', id: 4 }, true)).map((p) => p.response)).toEqual([{ kind: 'error', id: 4, message: 'out of range', fatal: true }]);
  });

  it('posts nothing for a request whose handler answers NO_REPLY', async () => {
    expect(await serve({ kind: 'silent', id: 5 })).toEqual([]);
  });

  it("serves every message that reaches a Worker's scope", async () => {
    const posted: unknown[] = [];
    let listener: ((event: MessageEvent<Request>) => void) | undefined;
    const scope: HostScope<Request> = {
      addEventListener: (_type, l) => (listener = l),
      postMessage: (message) => posted.push(message),
    };
    serveWorker(scope, handlers);
    listener!({ data: { kind: 'fail', id: 9 } } as MessageEvent<Request>);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(posted).toEqual([{ kind: 'error', id: 9, message: 'out of range' }]);
  });
});
