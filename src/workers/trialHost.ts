/** The trial Worker's handlers: the trial protocol served with a `TrialEngine`, testable without a Worker. */
import { DeviceLostError, type TrialEngine } from '../tune/trial';
import { reply, NO_REPLY, type Handlers, type HostOptions } from './host';
import type { TrialRequest, TrialResponse } from './protocol';

/** Serves a running `train` request's events, then its reply; `fault` is answered by `engine.injectFault`, not by a reply. */
export function trialHandlers(engine: TrialEngine): Handlers<TrialRequest, TrialResponse> {
  return {
    train: async (request, emit) => {
      const result = await engine.train(request.run, {
        onStarted: (started) => emit({ kind: 'started', started }),
        onProgress: (progress) => emit({ kind: 'progress', progress }),
        onEpoch: (report, snapshot) => emit({ kind: 'epoch', report, snapshot }),
        onHeartbeat: () => emit({ kind: 'heartbeat' }),
      });
      return reply({ kind: 'finished', result });
    },
    stop: async () => {
      await engine.stop();
      return reply({ kind: 'stopped' });
    },
    snapshot: async () => reply({ kind: 'snapshot', snapshot: await engine.snapshot() }),
    predict: async (request) => {
      const logits = await engine.predict(request.pixels);
      return reply({ kind: 'logits', logits }, [logits.buffer]);
    },
    dispose: async () => {
      await engine.dispose();
      return reply({ kind: 'disposed' });
    },
    fault: (request) => {
      // Answered by breaking the Worker, not by a reply (see trial.worker.ts).
      engine.injectFault?.(request.fault);
      return NO_REPLY;
    },
  };
}

/** An `error` reply says when the request failed because the GPU device was lost. */
export const TRIAL_HOST_OPTIONS: HostOptions<TrialResponse> = {
  errorFields: (error) => (error instanceof DeviceLostError ? { deviceLost: true } : {}),
};
