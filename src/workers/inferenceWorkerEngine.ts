/** The page's side of the inference Worker: the same `InferenceEngine` contract, forwarded over messages. */
import type { BackendChoice } from '../backend/choice';
import type { TorchStateDict } from '../model/stateDict';
import type {
  EvaluationEvents,
  EvaluationRequest,
  InferenceEngine,
  InferenceModel,
  InferenceRequest,
  InferenceResponse,
} from './inferenceProtocol';

/** The part of a Worker the proxy uses; tests may pass an in-process stand-in. */
export interface InferencePort {
  postMessage(message: InferenceRequest, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<InferenceResponse>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

/** A request before the proxy numbers it. */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;
type Reply<K extends InferenceResponse['kind']> = Extract<InferenceResponse, { kind: K }>;

interface Pending {
  events: EvaluationEvents;
  settle: (response: InferenceResponse) => void;
  fail: (error: Error) => void;
}

/** Starts the inference Worker from the bundled module. */
export function spawnInferenceWorker(): InferencePort {
  return new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'inference' });
}

/** Copies of a state dict's tensors, so that transferring them leaves the caller's intact. */
function detachableCopy(stateDict: TorchStateDict): { stateDict: TorchStateDict; buffers: ArrayBuffer[] } {
  const copy = stateDict.map((tensor) => ({ ...tensor, data: tensor.data.slice() }) as typeof tensor);
  return { stateDict: copy, buffers: copy.map((tensor) => tensor.data.buffer as ArrayBuffer) };
}

/** An `InferenceEngine` whose work happens in a Worker; a crashed Worker fails every pending request. */
export function createInferenceWorkerEngine(port: InferencePort = spawnInferenceWorker()): InferenceEngine {
  let nextId = 1;
  const pending = new Map<number, Pending>();

  port.addEventListener('message', (event: MessageEvent<InferenceResponse>) => {
    const response = event.data;
    const entry = pending.get(response.id);
    if (!entry) return;
    if (response.kind === 'progress') {
      entry.events.onProgress?.(response.progress);
      return;
    }
    pending.delete(response.id);
    entry.settle(response);
  });
  port.addEventListener('error', (event: ErrorEvent) => {
    const error = new Error(`The inference worker crashed: ${event.message || 'unknown error'}`);
    for (const entry of pending.values()) entry.fail(error);
    pending.clear();
  });

  const request = <K extends InferenceResponse['kind']>(
    message: Unnumbered<InferenceRequest>,
    expect: K,
    events: EvaluationEvents = {},
    transfer: Transferable[] = [],
  ): Promise<Reply<K>> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, {
        events,
        fail: reject,
        settle: (response) => {
          if (response.kind === expect) resolve(response as Reply<K>);
          else if (response.kind === 'error') reject(new Error(response.message));
          else reject(new Error(`Unexpected reply ${response.kind} to ${message.kind}`));
        },
      });
      port.postMessage({ ...message, id }, transfer);
    });

  return {
    async load(model: InferenceModel, backend: BackendChoice) {
      const { stateDict, buffers } = detachableCopy(model.stateDict);
      return (await request({ kind: 'load', model: { ...model, stateDict }, backend }, 'loaded', {}, buffers)).loaded;
    },
    async predict(modelKey: string, pixels: Float32Array) {
      const copy = pixels.slice();
      return (await request({ kind: 'predict', modelKey, pixels: copy }, 'probabilities', {}, [copy.buffer])).probabilities;
    },
    async evaluate(evaluation: EvaluationRequest, events?: EvaluationEvents) {
      return (await request({ kind: 'evaluate', request: evaluation }, 'evaluated', events)).evaluation;
    },
    async unload(modelKey: string) {
      await request({ kind: 'unload', modelKey }, 'unloaded');
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
