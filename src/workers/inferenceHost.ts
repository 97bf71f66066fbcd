/** The inference Worker's handlers: the inference protocol served with an `InferenceEngine`, testable without a Worker. */
import { reply, type Handlers } from './host';
import type { InferenceEngine, InferenceRequest, InferenceResponse } from './inferenceProtocol';

/** Serves each request with `engine`: progress while an evaluation runs, then its reply. */
export function inferenceHandlers(engine: InferenceEngine): Handlers<InferenceRequest, InferenceResponse> {
  return {
    load: async (request) => reply({ kind: 'loaded', loaded: await engine.load(request.model, request.backend) }),
    predict: async (request) => {
      const probabilities = await engine.predict(request.modelKey, request.pixels);
      return reply({ kind: 'probabilities', probabilities }, [probabilities.buffer]);
    },
    evaluate: async (request, emit) => {
      const evaluation = await engine.evaluate(request.request, { onProgress: (progress) => emit({ kind: 'progress', progress }) });
      return reply({ kind: 'evaluated', evaluation }, [evaluation.examplePixels.buffer]);
    },
    unload: async (request) => {
      await engine.unload(request.modelKey);
      return reply({ kind: 'unloaded' });
    },
    dispose: async () => {
      await engine.dispose();
      return reply({ kind: 'disposed' });
    },
  };
}
