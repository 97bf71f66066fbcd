/** Serves protocol requests with an engine: the body of the trial Worker, testable without one. */
import { DeviceLostError, type TrialEngine } from '../tune/trial';
import type { TrialRequest, TrialResponse } from './protocol';
import { messageOf } from '../studioError';

/** Posts one response; big buffers in it are transferred, not copied. */
export type Post = (response: TrialResponse, transfer?: Transferable[]) => void;

/** Answers one request: events while it runs, then exactly one reply (or an error) with its id. */
export async function handleRequest(engine: TrialEngine, request: TrialRequest, post: Post): Promise<void> {
  const { id } = request;
  try {
    switch (request.kind) {
      case 'train': {
        const result = await engine.train(request.run, {
          onStarted: (started) => post({ kind: 'started', id, started }),
          onProgress: (progress) => post({ kind: 'progress', id, progress }),
          onEpoch: (report, snapshot) => post({ kind: 'epoch', id, report, snapshot }),
          onHeartbeat: () => post({ kind: 'heartbeat', id }),
        });
        post({ kind: 'finished', id, result });
        return;
      }
      case 'stop':
        await engine.stop();
        post({ kind: 'stopped', id });
        return;
      case 'snapshot': {
        const snapshot = await engine.snapshot();
        post({ kind: 'snapshot', id, snapshot });
        return;
      }
      case 'predict': {
        const logits = await engine.predict(request.pixels);
        post({ kind: 'logits', id, logits }, [logits.buffer]);
        return;
      }
      case 'dispose':
        await engine.dispose();
        post({ kind: 'disposed', id });
        return;
      case 'fault':
        // Answered by breaking the Worker, not by a reply (see trial.worker.ts).
        engine.injectFault?.(request.fault);
        return;
    }
  } catch (error) {
    post({ kind: 'error', id, message: messageOf(error), ...(error instanceof DeviceLostError ? { deviceLost: true } : {}) });
  }
}
