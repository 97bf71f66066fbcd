/** The trial Worker's request handlers over an engine: the body of the trial Worker, testable without one. */
import { DeviceLostError, type TrialEngine } from '../tune/trial';
import type { TrialRequest, TrialResponse } from './protocol';
import type { Unnumbered } from './requestChannel';
import { errorReply, serveRequest, type Handlers, type Post } from './workerHost';

/** The trial protocol's `error` reply. */
type ErrorResponse = Extract<TrialResponse, { kind: 'error' }>;

/** Each trial request answered by `engine`: events while a trial trains, then one reply. */
export function trialHandlers(engine: TrialEngine): Handlers<TrialRequest, TrialResponse> {
  return {
    train: async (request, event) => {
      const result = await engine.train(request.run, {
        onStarted: (started) => event({ kind: 'started', started }),
        onProgress: (progress) => event({ kind: 'progress', progress }),
        onEpoch: (report, snapshot) => event({ kind: 'epoch', report, snapshot }),
        onHeartbeat: () => event({ kind: 'heartbeat' }),
      });
      return { reply: { kind: 'finished', result } };
    },
    stop: async () => {
      await engine.stop();
      return { reply: { kind: 'stopped' } };
    },
    snapshot: async () => ({ reply: { kind: 'snapshot', snapshot: await engine.snapshot() } }),
    predict: async (request) => {
      const logits = await engine.predict(request.pixels);
      return { reply: { kind: 'logits', logits }, transfer: [logits.buffer] };
    },
    dispose: async () => {
      await engine.dispose();
      return { reply: { kind: 'disposed' } };
    },
    // Answered by breaking the Worker, not by a reply (see trial.worker.ts).
    fault: (request) => {
      engine.injectFault?.(request.fault);
      return Promise.resolve(null);
    },
  };
}

/** The `error` reply, marked when the trial's GPU was lost so the runner offers the CPU instead. */
export function trialErrorReply(error: unknown): Unnumbered<TrialResponse> {
  const { message } = errorReply<ErrorResponse>(error);
  return error instanceof DeviceLostError ? { kind: 'error', message, deviceLost: true } : { kind: 'error', message };
}

/** Answers one request: events while it runs, then exactly one reply (or an error) with its id. */
export function handleRequest(engine: TrialEngine, request: TrialRequest, post: Post<TrialResponse>): Promise<void> {
  return serveRequest(trialHandlers(engine), request, post, trialErrorReply);
}
