import * as tf from '@tensorflow/tfjs';
import type { MnistSplit } from '../data/idx';

/** MNIST's image side and class count, as the tensors here are shaped. */
const SIDE = 28;
const CLASSES = 10;

/**
 * A split held on the device: pixels as float32 in 0..1 ([N, 784]) and one-hot labels ([N, 10]),
 * uploaded once so that a batch is two gathers and no transfer.
 */
export class DeviceDataset {
  readonly images: tf.Tensor2D;
  readonly oneHot: tf.Tensor2D;
  readonly labels: tf.Tensor1D;

  /** Uploads the first `limit` samples (all by default); the /255 runs on the device. */
  constructor(
    split: MnistSplit,
    readonly count: number = split.count,
  ) {
    if (!Number.isInteger(count) || count < 1 || count > split.count) {
      throw new Error(`cannot take ${count} samples from a split of ${split.count}`);
    }
    const pixels = SIDE * SIDE;
    this.images = tf.tidy(() =>
      tf.div(tf.cast(tf.tensor2d(split.images.subarray(0, count * pixels), [count, pixels], 'int32'), 'float32'), 255),
    );
    this.labels = tf.tensor1d(split.labels.subarray(0, count), 'int32');
    this.oneHot = tf.tidy(() => tf.cast(tf.oneHot(this.labels, CLASSES), 'float32') as tf.Tensor2D);
  }

  /** The samples at `indices` (an int32 tensor): images [B, 28, 28, 1] and one-hot labels [B, 10]. */
  batch(indices: tf.Tensor1D): { x: tf.Tensor4D; y: tf.Tensor2D } {
    return {
      x: tf.reshape(tf.gather(this.images, indices), [indices.size, SIDE, SIDE, 1]),
      y: tf.gather(this.oneHot, indices),
    };
  }

  /** Samples start..start+size-1 in order (for evaluation). */
  range(start: number, size: number): { x: tf.Tensor4D; y: tf.Tensor2D; labels: tf.Tensor1D } {
    return {
      x: tf.reshape(tf.slice(this.images, [start, 0], [size, -1]), [size, SIDE, SIDE, 1]),
      y: tf.slice(this.oneHot, [start, 0], [size, -1]),
      labels: tf.slice(this.labels, [start], [size]),
    };
  }

  /** Frees the device copies. */
  dispose(): void {
    tf.dispose([this.images, this.oneHot, this.labels]);
  }
}

/** Pixels 0..255 (one 28x28 image after another) as a float32 batch [N, 28, 28, 1] in 0..1. */
export function pixelsToBatch(pixels: Uint8Array | Float32Array): tf.Tensor4D {
  const count = pixels.length / (SIDE * SIDE);
  if (!Number.isInteger(count)) throw new Error(`${pixels.length} pixels is not a whole number of 28x28 images`);
  return tf.tidy(() =>
    pixels instanceof Uint8Array
      ? tf.div(tf.cast(tf.tensor4d(pixels, [count, SIDE, SIDE, 1], 'int32'), 'float32'), 255)
      : tf.tensor4d(pixels, [count, SIDE, SIDE, 1]),
  );
}
