import * as tf from '@tensorflow/tfjs';
import { classifier } from '../model/classifier';
import { Network } from '../model/network';
import { fromTorchStateDict } from '../model/stateDict';
import { pixelsToBatch } from '../train/dataset';
import type { ImportedModel } from './importModel';

/** An imported model on the current tfjs backend. */
export interface ImportedPredictor {
  readonly model: ImportedModel;
  /** Eval-mode logits, 10 per image, for 28x28 images given as 0..1 floats (N x 784 values). */
  predict(pixels: Float32Array): Promise<Float32Array>;
  /** Frees the model's tensors; `predict` must not be called afterwards. */
  dispose(): void;
}

/** Builds the studio's network for an imported Classifier on the current tfjs backend. */
export function createImportedPredictor(model: ImportedModel): ImportedPredictor {
  const hyperparameters = { f1: model.f1, f2: model.f2 };
  const network = new Network(classifier, hyperparameters, fromTorchStateDict(classifier.spec(hyperparameters), model.stateDict));
  let disposed = false;
  return {
    model,
    async predict(pixels) {
      if (disposed) throw new Error(`${model.name} has been unloaded`);
      const logits = tf.tidy(() => network.logits(pixelsToBatch(pixels), 'eval'));
      try {
        return Float32Array.from(await logits.data());
      } finally {
        logits.dispose();
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      network.dispose();
    },
  };
}
