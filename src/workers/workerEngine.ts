/** The page's side of a trial Worker: the same `TrialEngine` contract, forwarded over messages. */
import { crashedWorkerMessage } from '../tune/heartbeat';
import { DeviceLostError, type TrialEngine, type TrialEvents, type TrialFault, type TrialRun, type TrialSnapshot } from '../tune/trial';
import type { TrialRequest, TrialResponse } from './protocol';
import { requestChannel, type ProtocolPort } from './requestChannel';

/** The part of a Worker the proxy uses; tests may pass an in-process stand-in. */
export type WorkerPort = ProtocolPort<TrialRequest, TrialResponse>;

/** Starts a trial Worker from the bundled module. */
function spawnTrialWorker(): WorkerPort {
  return new Worker(new URL('./trial.worker.ts', import.meta.url), { type: 'module', name: 'trial' });
}

const EVENT_KINDS: ReadonlySet<TrialResponse['kind']> = new Set(['started', 'progress', 'epoch', 'heartbeat']);

/** Hands a running trial's events to its listeners. */
function trialEvents(events: TrialEvents): (response: TrialResponse) => void {
  return (response) => {
    if (response.kind === 'started') events.onStarted?.(response.started);
    else if (response.kind === 'progress') events.onProgress?.(response.progress);
    else if (response.kind === 'epoch') events.onEpoch?.(response.report, response.snapshot);
    else if (response.kind === 'heartbeat') events.onHeartbeat?.();
  };
}

/**
 * A `TrialEngine` whose work happens in a Worker. A crashed Worker (an `error` or `messageerror`
 * event) fails every pending request with the crash's reason; an `error` reply that says the GPU
 * was lost rejects with a `DeviceLostError`.
 */
export function createWorkerEngine(port: WorkerPort = spawnTrialWorker()): TrialEngine {
  const request = requestChannel(port, 'trial', (response) => EVENT_KINDS.has(response.kind), {
    crashError: (detail) => new Error(crashedWorkerMessage(detail)),
    replyError: (response) => {
      const message = response.message ?? 'unknown error';
      return response.kind === 'error' && response.deviceLost ? new DeviceLostError(message) : new Error(message);
    },
  });
  return {
    async train(run: TrialRun, events: TrialEvents = {}) {
      return (await request({ kind: 'train', run }, 'finished', trialEvents(events))).result;
    },
    async stop() {
      await request({ kind: 'stop' }, 'stopped');
    },
    async snapshot(): Promise<TrialSnapshot> {
      return (await request({ kind: 'snapshot' }, 'snapshot')).snapshot;
    },
    async predict(pixels: Float32Array) {
      const copy = pixels.slice();
      return (await request({ kind: 'predict', pixels: copy }, 'logits', undefined, [copy.buffer])).logits;
    },
    async dispose() {
      try {
        await request({ kind: 'dispose' }, 'disposed');
      } finally {
        port.terminate();
      }
    },
    terminate() {
      port.terminate();
      request.failAll(new Error('the trial Worker was ended'));
    },
    injectFault(fault: TrialFault) {
      // No reply comes: the Worker breaks. Id 0 is never a request's.
      port.postMessage({ kind: 'fault', id: 0, fault });
    },
  };
}
