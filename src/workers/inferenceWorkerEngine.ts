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
import { requestChannel, type ProtocolPort } from './requestChannel';

/** The part of a Worker the proxy uses; tests may pass an in-process stand-in. */
export type InferencePort = ProtocolPort<InferenceRequest, InferenceResponse>;

/** Starts the inference Worker from the bundled module. */
function spawnInferenceWorker(): InferencePort {
  return new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'inference' });
}

/** Copies of a state dict's tensors, so that transferring them leaves the caller's intact. */
function detachableCopy(stateDict: TorchStateDict): { stateDict: TorchStateDict; buffers: ArrayBuffer[] } {
  const copy = stateDict.map((tensor) => ({ ...tensor, data: tensor.data.slice() }) as typeof tensor);
  return { stateDict: copy, buffers: copy.map((tensor) => tensor.data.buffer as ArrayBuffer) };
}

/** An `InferenceEngine` whose work happens in a Worker; a crashed Worker fails every pending request. */
export function createInferenceWorkerEngine(port: InferencePort = spawnInferenceWorker()): InferenceEngine {
  const request = requestChannel(port, 'inference', (response) => response.kind === 'progress');
  const progressOf = (events: EvaluationEvents) => (response: InferenceResponse) => {
    if (response.kind === 'progress') events.onProgress?.(response.progress);
  };

  return {
    async load(model: InferenceModel, backend: BackendChoice) {
      const { stateDict, buffers } = detachableCopy(model.stateDict);
      return (await request({ kind: 'load', model: { ...model, stateDict }, backend }, 'loaded', undefined, buffers)).loaded;
    },
    async predict(modelKey: string, pixels: Float32Array) {
      const copy = pixels.slice();
      return (await request({ kind: 'predict', modelKey, pixels: copy }, 'probabilities', undefined, [copy.buffer])).probabilities;
    },
    async evaluate(evaluation: EvaluationRequest, events?: EvaluationEvents) {
      return (await request({ kind: 'evaluate', request: evaluation }, 'evaluated', progressOf(events ?? {}))).evaluation;
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
