import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dExplicit } from '../model/conv';

/** The Classifier's convolution shapes: the stem, the 3x3 stride-1 and stride-2 convs at each resolution. */
const CASES = [
  { h: 28, cin: 1, cout: 8, stride: 2, pad: 0 },
  { h: 13, cin: 12, cout: 12, stride: 1, pad: 1 },
  { h: 13, cin: 12, cout: 12, stride: 2, pad: 1 },
  { h: 7, cin: 16, cout: 16, stride: 2, pad: 1 },
  { h: 4, cin: 16, cout: 16, stride: 2, pad: 1 },
  { h: 2, cin: 8, cout: 8, stride: 2, pad: 1 },
];

describe('conv2d with a filter gradient built from forward convolutions', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const c of CASES) {
    it(`matches tfjs's own gradients: ${c.h}x${c.h}x${c.cin} -> ${c.cout}, stride ${c.stride}, padding ${c.pad}`, () => {
      const x = tf.randomNormal<tf.Rank.R4>([3, c.h, c.h, c.cin], 0, 1, 'float32', 1);
      const w = tf.randomNormal<tf.Rank.R4>([3, 3, c.cin, c.cout], 0, 1, 'float32', 2);
      const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [c.pad, c.pad], [c.pad, c.pad], [0, 0]];
      const weights = tf.tidy(() => tf.randomNormal(tf.conv2d(x, w, c.stride, pad).shape, 0, 1, 'float32', 3));
      const loss = (conv: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), weights));
      const [dxRef, dwRef] = tf.grads(loss((a, b) => tf.conv2d(a, b, c.stride, pad)))([x, w]);
      const [dx, dw] = tf.grads(loss((a, b) => conv2dExplicit(a, b, c.stride, c.pad)))([x, w]);
      const value = tf.tidy(() => tf.max(tf.abs(tf.sub(conv2dExplicit(x, w, c.stride, c.pad), tf.conv2d(x, w, c.stride, pad)))).dataSync()[0]);
      expect(value).toBe(0);
      expect(dx?.shape).toEqual(dxRef?.shape);
      expect(dw?.shape).toEqual(dwRef?.shape);
      const errX = tf.tidy(() => tf.max(tf.abs(tf.sub(dx!, dxRef!))).dataSync()[0] ?? Infinity);
      const errW = tf.tidy(() => tf.max(tf.abs(tf.sub(dw!, dwRef!))).dataSync()[0] ?? Infinity);
      expect(errX).toBeLessThan(1e-4);
      expect(errW).toBeLessThan(1e-4);
      tf.dispose([x, w, weights, dx, dw, dxRef, dwRef]);
    });
  }
});
