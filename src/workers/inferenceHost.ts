/** Serves inference protocol requests with an engine: the body of the inference Worker, testable without one. */
import type { InferenceEngine, InferenceRequest, InferenceResponse } from './inferenceProtocol';
import { messageOf } from '../studioError';

/** Posts one response; big buffers in it are transferred, not copied. */
export type InferencePost = (response: InferenceResponse, transfer?: Transferable[]) => void;

/** Answers one request: progress while an evaluation runs, then exactly one reply (or an error) with its id. */
export async function handleInferenceRequest(engine: InferenceEngine, request: InferenceRequest, post: InferencePost): Promise<void> {
  const { id } = request;
  try {
    switch (request.kind) {
      case 'load': {
        const loaded = await engine.load(request.model, request.backend);
        post({ kind: 'loaded', id, loaded });
        return;
      }
      case 'predict': {
        const probabilities = await engine.predict(request.modelKey, request.pixels);
        post({ kind: 'probabilities', id, probabilities }, [probabilities.buffer]);
        return;
      }
      case 'evaluate': {
        const evaluation = await engine.evaluate(request.request, {
          onProgress: (progress) => post({ kind: 'progress', id, progress }),
        });
        post({ kind: 'evaluated', id, evaluation }, [evaluation.examplePixels.buffer]);
        return;
      }
      case 'unload':
        await engine.unload(request.modelKey);
        post({ kind: 'unloaded', id });
        return;
      case 'dispose':
        await engine.dispose();
        post({ kind: 'disposed', id });
        return;
    }
  } catch (error) {
    post({ kind: 'error', id, message: messageOf(error) });
  }
}
