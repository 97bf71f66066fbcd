/** The inference Worker's request handlers over an engine: the body of the inference Worker, testable without one. */
import type { InferenceEngine, InferenceRequest, InferenceResponse } from './inferenceProtocol';
import { serveRequest, type Handlers, type Post } from './workerHost';

/** Each inference request answered by `engine`: progress while an evaluation runs, then one reply. */
export function inferenceHandlers(engine: InferenceEngine): Handlers<InferenceRequest, InferenceResponse> {
  return {
    load: async (request) => ({ reply: { kind: 'loaded', loaded: await engine.load(request.model, request.backend) } }),
    predict: async (request) => {
      const probabilities = await engine.predict(request.modelKey, request.pixels);
      return { reply: { kind: 'probabilities', probabilities }, transfer: [probabilities.buffer] };
    },
    evaluate: async (request, event) => {
      const evaluation = await engine.evaluate(request.request, { onProgress: (progress) => event({ kind: 'progress', progress }) });
      return { reply: { kind: 'evaluated', evaluation }, transfer: [evaluation.examplePixels.buffer] };
    },
    unload: async (request) => {
      await engine.unload(request.modelKey);
      return { reply: { kind: 'unloaded' } };
    },
    dispose: async () => {
      await engine.dispose();
      return { reply: { kind: 'disposed' } };
    },
  };
}

/** Answers one request: progress while an evaluation runs, then exactly one reply (or an error) with its id. */
export function handleInferenceRequest(engine: InferenceEngine, request: InferenceRequest, post: Post<InferenceResponse>): Promise<void> {
  return serveRequest(inferenceHandlers(engine), request, post);
}
