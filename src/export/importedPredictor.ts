import * as tf from '@tensorflow/tfjs';
import { Network } from '../model/network';
import { getArchitecture } from '../model/registry';
import { fromTorchStateDict } from '../model/stateDict';
import { pixelsToBatch } from '../train/dataset';
import type { ImportedModel } from './importModel';

/** An imported model on the current tfjs backend. */
export interface ImportedPredictor {
  readonly model: ImportedModel;
  /** Eval-mode logits, 10 per image, for 28x28 images given as 0..1 floats (N x 784 values). */
  predict(pixels: Float32Array): Promise<Float32Array>;
  /** Softmax of `predict`'s logits, 10 per image (what the drawing panel's `predict` prop takes). */
  probabilities(pixels: Float32Array): Promise<Float32Array>;
  /** Frees the model's tensors; `predict` must not be called afterwards. */
  dispose(): void;
}

const CLASSES = 10;

/** Row-wise softmax of [N x classes] logits, shifted by each row's maximum for stability. */
export function softmaxRows(logits: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let row = 0; row < logits.length; row += classes) {
    let max = -Infinity;
    for (let i = row; i < row + classes; i++) max = Math.max(max, logits[i] ?? -Infinity);
    let sum = 0;
    for (let i = row; i < row + classes; i++) sum += out[i] = Math.exp((logits[i] ?? 0) - max);
    for (let i = row; i < row + classes; i++) out[i] = (out[i] ?? 0) / sum;
  }
  return out;
}

/** Builds the studio's network for an imported model, of whichever registered architecture, on the current tfjs backend. */
export function createImportedPredictor(model: ImportedModel): ImportedPredictor {
  const architecture = getArchitecture(model.model);
  const { hyperparameters } = model;
  const network = new Network(architecture, hyperparameters, fromTorchStateDict(architecture.spec(hyperparameters), model.stateDict));
  let disposed = false;
  const predict = async (pixels: Float32Array): Promise<Float32Array> => {
    if (disposed) throw new Error(`${model.name} has been unloaded`);
    const logits = tf.tidy(() => network.logits(pixelsToBatch(pixels), 'eval'));
    try {
      return Float32Array.from(await logits.data());
    } finally {
      logits.dispose();
    }
  };
  // Plain closures, so `predictor.probabilities` can be handed around unbound.
  return {
    model,
    predict,
    probabilities: async (pixels) => softmaxRows(await predict(pixels), CLASSES),
    dispose() {
      if (disposed) return;
      disposed = true;
      network.dispose();
    },
  };
}
