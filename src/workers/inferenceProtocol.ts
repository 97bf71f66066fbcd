/**
 * The one protocol between the page and the inference Worker, which predicts drawn digits and
 * evaluates models on the test split so that neither blocks the page. Every request carries an id
 * and ends in exactly one reply (`loaded`, `probabilities`, `evaluated`, `unloaded`, `disposed` or
 * `error`) with that id; `progress` is an event of a running `evaluate` request.
 */
import type { BackendChoice } from '../backend/choice';
import type { BackendReport } from '../backend/init';
import type { Hyperparameters } from '../model/architecture';
import type { TorchStateDict } from '../model/stateDict';
import type { ErrorReply } from './message';

/** The digit classes, and the size of the confusion matrix's side. */
export const DIGIT_CLASSES = 10;

/** A model to hold in the Worker: its weights in PyTorch's layout, under a key the page chooses. */
export interface InferenceModel {
  /** Names this version of the weights; loading another model under the same key replaces it. */
  modelKey: string;
  /** The registered architecture's name (`Classifier`, `gapnet`, ...). */
  model: string;
  hyperparameters: Hyperparameters;
  stateDict: TorchStateDict;
}

/** What the Worker reports once a model is on its backend. */
export interface ModelLoaded {
  modelKey: string;
  totalParams: number;
  backend: BackendReport;
}

/** Which test images to evaluate a model on, and how. */
export interface EvaluationRequest {
  modelKey: string;
  /** Absolute URL of the MNIST manifest; the Worker reads the test split from IndexedDB itself. */
  manifestUrl: string;
  /** Evaluate the first `limit` test images (all 10,000 when absent). */
  limit?: number;
  /** Images per forward pass; a `predict` waiting in between is served at the next chunk. */
  chunkSize?: number;
  /** Most misclassified images whose pixels come back for the gallery. */
  maxExamples?: number;
}

/** How far an evaluation has got. */
export interface EvaluationProgress {
  evaluated: number;
  total: number;
}

/** One test image the model got wrong. */
export interface Misclassified {
  /** Index in the test split. */
  index: number;
  label: number;
  predicted: number;
  /** The model's probability for `predicted`. */
  confidence: number;
}

/** A model's verdict on (part of) the test split. */
export interface TestSetEvaluation {
  modelKey: string;
  /** Images evaluated. */
  count: number;
  correct: number;
  accuracy: number;
  /** Mean softmax cross-entropy, as the trainer's `val_loss`. */
  loss: number;
  /** Row-major [true][predicted] counts, DIGIT_CLASSES x DIGIT_CLASSES; sums to `count`. */
  confusion: number[];
  /** Every misclassified image, in test-split order. */
  misclassified: Misclassified[];
  /** Raw 0..255 pixels (784 each) of the first `maxExamples` of `misclassified`. */
  examplePixels: Uint8Array;
  elapsedMs: number;
}

export type InferenceRequest =
  | { kind: 'load'; id: number; model: InferenceModel; backend: BackendChoice }
  | { kind: 'predict'; id: number; modelKey: string; pixels: Float32Array }
  | { kind: 'evaluate'; id: number; request: EvaluationRequest }
  | { kind: 'unload'; id: number; modelKey: string }
  | { kind: 'dispose'; id: number };

export type InferenceResponse =
  | { kind: 'loaded'; id: number; loaded: ModelLoaded }
  | { kind: 'probabilities'; id: number; probabilities: Float32Array }
  | { kind: 'progress'; id: number; progress: EvaluationProgress }
  | { kind: 'evaluated'; id: number; evaluation: TestSetEvaluation }
  | { kind: 'unloaded'; id: number }
  | { kind: 'disposed'; id: number }
  | ErrorReply;

/** Events of a running evaluation, before its one reply. */
export interface EvaluationEvents {
  onProgress?: (progress: EvaluationProgress) => void;
}

/**
 * Models held for inference. The in-Worker implementation computes on its own tfjs backend; the
 * page's proxy forwards to the Worker; both honour the same contract, so tests can run either.
 */
export interface InferenceEngine {
  /** Puts a model on the backend (starting `backend` on first use), replacing any under the same key. */
  load(model: InferenceModel, backend: BackendChoice): Promise<ModelLoaded>;
  /** Softmax probabilities, 10 per image, for 28x28 images given as 0..1 floats (N x 784 values). */
  predict(modelKey: string, pixels: Float32Array): Promise<Float32Array>;
  /** Runs a loaded model over the test split in chunks; rejects if the model is unloaded meanwhile. */
  evaluate(request: EvaluationRequest, events?: EvaluationEvents): Promise<TestSetEvaluation>;
  /** Frees a model's tensors; unknown keys are ignored. */
  unload(modelKey: string): Promise<void>;
  /** Frees every model (and, for the proxy, terminates the Worker). */
  dispose(): Promise<void>;
}
