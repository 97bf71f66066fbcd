/** The page's side of a trial Worker: the same `TrialEngine` contract, forwarded over messages. */
import type { TrialEngine, TrialEvents, TrialRequest, TrialResponse, TrialRun, TrialSnapshot } from './protocol';

/** The part of a Worker the proxy uses; tests may pass an in-process stand-in. */
export interface WorkerPort {
  postMessage(message: TrialRequest, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<TrialResponse>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

/** A request before the proxy numbers it. */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  events: TrialEvents;
  settle: (response: TrialResponse) => void;
  fail: (error: Error) => void;
}

/** Starts a trial Worker from the bundled module. */
export function spawnTrialWorker(): WorkerPort {
  return new Worker(new URL('./trial.worker.ts', import.meta.url), { type: 'module', name: 'trial' });
}

/** A `TrialEngine` whose work happens in a Worker; a crashed Worker fails every pending request. */
export function createWorkerEngine(port: WorkerPort = spawnTrialWorker()): TrialEngine {
  let nextId = 1;
  const pending = new Map<number, Pending>();

  port.addEventListener('message', (event: MessageEvent<TrialResponse>) => {
    const response = event.data;
    const entry = pending.get(response.id);
    if (!entry) return;
    switch (response.kind) {
      case 'started':
        entry.events.onStarted?.(response.started);
        return;
      case 'progress':
        entry.events.onProgress?.(response.progress);
        return;
      case 'epoch':
        entry.events.onEpoch?.(response.report, response.snapshot);
        return;
      default:
        pending.delete(response.id);
        entry.settle(response);
    }
  });
  port.addEventListener('error', (event: ErrorEvent) => {
    const error = new Error(`The trial worker crashed: ${event.message || 'unknown error'}`);
    for (const entry of pending.values()) entry.fail(error);
    pending.clear();
  });

  const request = <K extends TrialResponse['kind']>(
    message: Unnumbered<TrialRequest>,
    expect: K,
    events: TrialEvents = {},
    transfer: Transferable[] = [],
  ): Promise<Extract<TrialResponse, { kind: K }>> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, {
        events,
        fail: reject,
        settle: (response) => {
          if (response.kind === expect) resolve(response as Extract<TrialResponse, { kind: K }>);
          else if (response.kind === 'error') reject(new Error(response.message));
          else reject(new Error(`Unexpected reply ${response.kind} to ${message.kind}`));
        },
      });
      port.postMessage({ ...message, id }, transfer);
    });

  return {
    async train(run: TrialRun, events?: TrialEvents) {
      return (await request({ kind: 'train', run }, 'finished', events)).result;
    },
    async stop() {
      await request({ kind: 'stop' }, 'stopped');
    },
    async snapshot(): Promise<TrialSnapshot> {
      return (await request({ kind: 'snapshot' }, 'snapshot')).snapshot;
    },
    async predict(pixels: Float32Array) {
      const copy = pixels.slice();
      return (await request({ kind: 'predict', pixels: copy }, 'logits', {}, [copy.buffer])).logits;
    },
    async dispose() {
      try {
        await request({ kind: 'dispose' }, 'disposed');
      } finally {
        port.terminate();
      }
    },
  };
}
