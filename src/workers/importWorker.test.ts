import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../export/checkpointError';
import { hostileCheckpoints, validCheckpoint } from '../export/hostileFiles';
import { importModel } from '../export/importModel';
import type { ImportRequest, ImportResponse } from './importProtocol';
import { importModelInWorker, type ImportPort } from './importWorker';

/** An in-process stand-in for the Worker: runs the same importer, replies as the Worker does, or stays silent. */
function fakePort(behaviour: 'reply' | 'silent' | 'crash'): ImportPort & { terminated: boolean } {
  const listeners: { message: ((event: MessageEvent<ImportResponse>) => void)[]; error: ((event: ErrorEvent) => void)[] } = { message: [], error: [] };
  const port = {
    terminated: false,
    postMessage(request: ImportRequest) {
      queueMicrotask(() => {
        if (behaviour === 'silent') return;
        if (behaviour === 'crash') {
          for (const listener of listeners.error) listener({ message: 'out of memory' } as ErrorEvent);
          return;
        }
        let response: ImportResponse;
        try {
          response = { kind: 'imported', id: request.id, model: importModel(request.files) };
        } catch (error) {
          response = { kind: 'error', id: request.id, message: (error as Error).message };
        }
        for (const listener of listeners.message) listener({ data: response } as MessageEvent<ImportResponse>);
      });
    },
    addEventListener(type: string, listener: never) {
      if (type === 'message' || type === 'error') listeners[type].push(listener);
    },
    terminate() {
      port.terminated = true;
    },
  };
  return port;
}

describe('importModelInWorker', () => {
  it('imports a valid checkpoint and ends its Worker', async () => {
    const port = fakePort('reply');
    const model = await importModelInWorker([{ name: 'good.pt', bytes: validCheckpoint() }], { port });
    expect([model.model, model.hyperparameters]).toEqual(['Classifier', { f1: 8, f2: 6 }]);
    expect(port.terminated).toBe(true);
  });

  it('rejects a hostile file with a CheckpointError naming it', async () => {
    const hostile = hostileCheckpoints().find((file) => file.name === 'os-system.pt')!;
    const port = fakePort('reply');
    const refused = importModelInWorker([{ name: hostile.name, bytes: hostile.bytes }], { port });
    await expect(refused).rejects.toBeInstanceOf(CheckpointError);
    await expect(refused).rejects.toThrow(/^os-system\.pt: .*os\.system/);
    expect(port.terminated).toBe(true);
  });

  it('ends a Worker that runs past the time limit', async () => {
    const port = fakePort('silent');
    await expect(importModelInWorker([{ name: 'slow.pt', bytes: new Uint8Array(4) }], { port, timeoutMs: 50 })).rejects.toThrow(
      /^slow\.pt: reading took longer than 0\.05 s, so it was stopped/,
    );
    expect(port.terminated).toBe(true);
  });

  it('turns a crashed Worker into a refusal naming the file', async () => {
    await expect(importModelInWorker([{ name: 'big.pt', bytes: new Uint8Array(4) }], { port: fakePort('crash') })).rejects.toThrow(
      /^big\.pt: The checkpoint import worker crashed: out of memory/,
    );
  });
});
