import * as tf from '@tensorflow/tfjs';
import type { Network } from '../model/network';
import type { Adam } from './adam';

/** Mean softmax cross-entropy of logits [N, K] against one-hot targets [N, K] (PyTorch's CrossEntropyLoss). */
export function crossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  const n = logits.shape[0];
  return tf.div(tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)))), n);
}

/** The loss, logits and the flat parameter gradient for one batch in training mode (updates BN running stats). */
export function lossAndGradient(network: Network, x: tf.Tensor4D, oneHot: tf.Tensor2D): { loss: tf.Scalar; grad: tf.Tensor1D; logits: tf.Tensor2D } {
  let logits: tf.Tensor2D | undefined;
  const { value, grad } = tf.valueAndGrad((flat: tf.Tensor1D) => {
    logits = tf.keep(network.logits(x, 'train', flat));
    return crossEntropy(logits, oneHot);
  })(network.flat);
  if (!logits) throw new Error('the forward pass did not run');
  return { loss: value, grad, logits };
}

/** Targets smoothed as CrossEntropyLoss(label_smoothing=e) smooths them: (1 - e) one-hot + e / classes. */
function smoothTargets(oneHot: tf.Tensor2D, labelSmoothing: number): tf.Tensor2D {
  if (labelSmoothing === 0) return oneHot;
  const classes = oneHot.shape[1];
  return tf.add(tf.mul(oneHot, 1 - labelSmoothing), labelSmoothing / classes);
}

/**
 * One optimiser step: forward in training mode, backward, Adam. Returns the batch loss (the caller
 * disposes it); every other tensor is freed. The loss is label-smoothed when `labelSmoothing` > 0.
 */
export function trainStep(network: Network, adam: Adam, x: tf.Tensor4D, oneHot: tf.Tensor2D, labelSmoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const target = smoothTargets(oneHot, labelSmoothing);
    const { value, grad } = tf.valueAndGrad((flat: tf.Tensor1D) => crossEntropy(network.logits(x, 'train', flat), target))(network.flat);
    adam.apply(network.flat, grad);
    return value;
  });
}
