/**
 * One interface for the code that trains the model: tfjs ops (the reference, any architecture),
 * the fused WebGPU step and the fused CPU step. The trainer, the start-up probe and the benchmark
 * choose an engine by name and never ask which one runs.
 */
import type { MnistSplit } from '../data/idx';
import type { Architecture, Hyperparameters } from '../model/architecture';
import type { NetworkValues } from '../model/stateDict';
import type { AdamConfig, AdamState } from '../train/adam';
import type { Recipe } from '../train/recipe';

/** The engines, by the name a benchmark line, the probe and the search line use. */
export const ENGINE_NAMES = {
  tfjs: 'tfjs',
  fusedWebGpu: 'fused-webgpu',
  fusedCpu: 'fused-cpu',
} as const;
export type EngineName = (typeof ENGINE_NAMES)[keyof typeof ENGINE_NAMES];

/** What each engine is, in the user's words. */
export const ENGINE_LABELS: Readonly<Record<EngineName, string>> = {
  [ENGINE_NAMES.tfjs]: 'tfjs ops',
  [ENGINE_NAMES.fusedWebGpu]: 'fused WebGPU kernels',
  [ENGINE_NAMES.fusedCpu]: 'fused CPU step',
};

/** Everything an engine needs to start: the model, its initial values, the optimiser and the data. */
export interface EngineSetup {
  architecture: Architecture;
  hyperparameters: Hyperparameters;
  adam: AdamConfig;
  /** The largest batch a step trains. */
  batchSize: number;
  /** Training images (0..255, 28x28 each) and labels; `count` of them are used. */
  train: MnistSplit;
  /** Validation images and labels, evaluated in order. */
  val: MnistSplit;
  initial: NetworkValues;
  /** The optimizer, schedule, label smoothing and augmentation (src/train/recipe.ts); the seed's when absent. */
  recipe?: Recipe;
}

/** One training step: the images at order[start .. start + size). */
export interface StepRange {
  start: number;
  size: number;
}

/** An engine's whole training state, in the studio's layouts (see `NetworkValues` and `AdamState`). */
export interface EngineState {
  network: NetworkValues;
  adam: AdamState;
  /** Sum over the current epoch's steps of the batch loss times the batch size. */
  epochLossSum: number;
}

/** Validation loss (mean cross-entropy) and accuracy in evaluation mode. */
export interface Evaluation {
  val_loss: number;
  val_acc: number;
}

/** A running engine: trains steps, evaluates, predicts, and saves or restores its whole state. */
export interface StepEngine {
  readonly name: EngineName;
  /** What trains, in the user's words (e.g. "fused CPU step, 2 threads"). */
  readonly description: string;
  /**
   * Trains `steps` in sequence, each on the training images its range of `order` names, adding
   * each batch's loss times its size to the epoch's sum; resolves to the last step's loss.
   */
  train(order: Int32Array, steps: readonly StepRange[]): Promise<number>;
  /** Replaces the training images (0..255, same count and labels), e.g. with an epoch's augmented copy. */
  setTrainImages(images: Uint8Array): void;
  /** Sets the epoch's loss sum to zero, as a new epoch starts. */
  startEpoch(): void;
  /** The current epoch's loss sum. */
  epochLossSum(): Promise<number>;
  /** Loss and accuracy on the validation images, in batches of `batchSize`. */
  evaluate(batchSize: number): Promise<Evaluation>;
  /** Evaluation-mode logits [N x classes] for images as 0..255 bytes or 0..1 floats, 28x28 each. */
  predict(pixels: Uint8Array | Float32Array): Promise<Float32Array>;
  /** Times each part of one step (a fused kernel, a layer's loop nest), where the engine can. */
  profile?(order: Int32Array, step: StepRange): Promise<{ label: string; ms: number }[]>;
  readState(): Promise<EngineState>;
  /** Replaces the whole state, so that training continues the saved run exactly. */
  writeState(state: EngineState): void;
  dispose(): void;
}

/** An engine that can be built: its name, why it cannot train a setup here, and how to start it. */
export interface EngineFactory {
  name: EngineName;
  /** Null when it can train `setup` here; otherwise why not, in a sentence for the user. */
  unavailable(setup: EngineSetup): string | null;
  /** Starts it (compiles its kernels, uploads the data and initial values). */
  create(setup: EngineSetup): Promise<StepEngine>;
}
