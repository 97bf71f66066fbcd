/** The inference engine that computes: used inside the inference Worker, and directly by tests. */
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice } from '../backend/choice';
import { initBackend, type BackendReport } from '../backend/init';
import { IMAGE_PIXELS, type MnistSplit } from '../data/idx';
import { loadMnist } from '../data/loadMnist';
import { softmaxRows } from '../export/importedPredictor';
import { getArchitecture } from '../model/registry';
import { Network } from '../model/network';
import { fromTorchStateDict } from '../model/stateDict';
import { pixelsToBatch } from '../train/dataset';
import { DIGIT_CLASSES, type EvaluationEvents, type EvaluationRequest, type InferenceEngine, type InferenceModel, type TestSetEvaluation } from './inferenceProtocol';
import { emptyTally, tallyChunk } from './inferenceTally';

/** What a local inference engine needs from its surroundings; tests replace the data source and backend start. */
export interface LocalInferenceDeps {
  startBackend: (choice: BackendChoice) => Promise<BackendReport>;
  loadTestSplit: (manifestUrl: string) => Promise<MnistSplit>;
}

const browserDeps: LocalInferenceDeps = {
  startBackend: (choice) => initBackend(choice),
  loadTestSplit: async (manifestUrl) => (await loadMnist({ manifestUrl })).test,
};

/** Images per forward pass of an evaluation: large enough to keep the backend busy, small enough to let a drawing's predict in between. */
const DEFAULT_CHUNK = 500;
const DEFAULT_MAX_EXAMPLES = 120;

/** Eval-mode logits of `network` for images given as 0..1 floats or 0..255 bytes. */
async function logitsOf(network: Network, pixels: Float32Array | Uint8Array): Promise<Float32Array> {
  const logits = tf.tidy(() => network.logits(pixelsToBatch(pixels), 'eval'));
  try {
    return Float32Array.from(await logits.data());
  } finally {
    logits.dispose();
  }
}

/** Creates an engine on this thread's tfjs instance; the backend starts once, with the first load. */
export function createLocalInferenceEngine(deps: LocalInferenceDeps = browserDeps): InferenceEngine {
  let backend: Promise<BackendReport> | null = null;
  const models = new Map<string, Network>();
  const testSplits = new Map<string, Promise<MnistSplit>>();

  const requireModel = (modelKey: string): Network => {
    const network = models.get(modelKey);
    if (!network) throw new Error(`Model ${modelKey} is not loaded`);
    return network;
  };

  const testSplit = (manifestUrl: string): Promise<MnistSplit> => {
    let split = testSplits.get(manifestUrl);
    if (!split) {
      split = deps.loadTestSplit(manifestUrl);
      // A failed read is not remembered, so the next evaluation tries again.
      split.catch(() => testSplits.delete(manifestUrl));
      testSplits.set(manifestUrl, split);
    }
    return split;
  };

  return {
    async load(model: InferenceModel, choice: BackendChoice) {
      backend ??= deps.startBackend(choice);
      const report = await backend;
      const architecture = getArchitecture(model.model);
      const { hyperparameters } = model;
      const network = new Network(architecture, hyperparameters, fromTorchStateDict(architecture.spec(hyperparameters), model.stateDict));
      models.get(model.modelKey)?.dispose();
      models.set(model.modelKey, network);
      return { modelKey: model.modelKey, totalParams: network.totalParams, backend: report };
    },

    async predict(modelKey: string, pixels: Float32Array) {
      return softmaxRows(await logitsOf(requireModel(modelKey), pixels), DIGIT_CLASSES);
    },

    async evaluate(request: EvaluationRequest, events: EvaluationEvents = {}): Promise<TestSetEvaluation> {
      const started = performance.now();
      const network = requireModel(request.modelKey);
      const split = await testSplit(request.manifestUrl);
      const total = Math.min(request.limit ?? split.count, split.count);
      const chunk = Math.max(1, request.chunkSize ?? DEFAULT_CHUNK);
      const tally = emptyTally();
      for (let first = 0; first < total; first += chunk) {
        // Switching models unloads the old one: its evaluation ends instead of computing on freed tensors.
        if (models.get(request.modelKey) !== network) throw new Error(`Model ${request.modelKey} was unloaded during its evaluation`);
        const last = Math.min(total, first + chunk);
        const logits = await logitsOf(network, split.images.subarray(first * IMAGE_PIXELS, last * IMAGE_PIXELS));
        tallyChunk(tally, logits, split.labels.subarray(first, last), first);
        events.onProgress?.({ evaluated: last, total });
      }
      const examples = tally.misclassified.slice(0, request.maxExamples ?? DEFAULT_MAX_EXAMPLES);
      const examplePixels = new Uint8Array(examples.length * IMAGE_PIXELS);
      examples.forEach((example, i) => {
        examplePixels.set(split.images.subarray(example.index * IMAGE_PIXELS, (example.index + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS);
      });
      return {
        modelKey: request.modelKey,
        count: tally.count,
        correct: tally.correct,
        accuracy: tally.count > 0 ? tally.correct / tally.count : 0,
        loss: tally.count > 0 ? tally.lossSum / tally.count : 0,
        confusion: tally.confusion,
        misclassified: tally.misclassified,
        examplePixels,
        elapsedMs: performance.now() - started,
      };
    },

    async unload(modelKey: string) {
      // A load sent just before waits on the backend too and resumes first, so its model is not left behind.
      if (backend) await backend.catch(() => undefined);
      models.get(modelKey)?.dispose();
      models.delete(modelKey);
    },

    dispose() {
      for (const network of models.values()) network.dispose();
      models.clear();
      return Promise.resolve();
    },
  };
}
