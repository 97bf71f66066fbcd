import * as tf from '@tensorflow/tfjs';
import type { Architecture, Hyperparameters, LayerOps } from './architecture';
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM } from './batchNorm';
import { conv2dExplicit } from './conv';
import { batchNormLayers, countParameters, parameterEntries, shapeSize, tfShape, type ModelSpec } from './spec';
import { concat, type NetworkValues } from './stateDict';

/** Training mode normalises with batch statistics and updates the running ones; evaluation uses the running ones. */
export type ForwardMode = 'train' | 'eval';

interface BatchNormBuffers {
  mean: tf.Variable;
  variance: tf.Variable;
}

/**
 * A model on the current tfjs backend: all parameters in one flat variable (tfjs layout,
 * `model.parameters()` order, so Adam runs as a handful of ops), BatchNorm running statistics in
 * variables, and `num_batches_tracked` as a number.
 */
export class Network {
  readonly spec: ModelSpec;
  readonly totalParams: number;
  readonly flat: tf.Variable<tf.Rank.R1>;
  batchesTracked: number;
  private readonly sizes: number[];
  private readonly shapes: Map<string, number[]>;
  private readonly keys: string[];
  private readonly buffers = new Map<string, BatchNormBuffers>();
  private readonly constants: { momentum: tf.Scalar; keep: tf.Scalar; eps: tf.Scalar };

  constructor(
    readonly architecture: Architecture,
    readonly hyperparameters: Hyperparameters,
    initial: NetworkValues,
  ) {
    this.spec = architecture.spec(hyperparameters);
    this.totalParams = countParameters(this.spec);
    const params = parameterEntries(this.spec);
    this.keys = params.map((e) => e.key);
    this.sizes = params.map((e) => shapeSize(e.torchShape));
    this.shapes = new Map(params.map((e) => [e.key, tfShape(e)]));
    this.flat = tf.variable<tf.Rank.R1>(tf.tensor1d(initial.params), true, undefined, 'float32');
    let offset = 0;
    for (const bn of batchNormLayers(this.spec)) {
      this.buffers.set(bn.prefix, {
        mean: tf.variable(tf.tensor1d(initial.runningMeans.slice(offset, offset + bn.channels)), false),
        variance: tf.variable(tf.tensor1d(initial.runningVars.slice(offset, offset + bn.channels)), false),
      });
      offset += bn.channels;
    }
    this.batchesTracked = initial.batchesTracked;
    this.constants = {
      momentum: tf.keep(tf.scalar(BATCH_NORM_MOMENTUM)),
      keep: tf.keep(tf.scalar(1 - BATCH_NORM_MOMENTUM)),
      eps: tf.keep(tf.scalar(BATCH_NORM_EPSILON)),
    };
    this.checkSizes(initial);
  }

  private checkSizes(v: NetworkValues): void {
    const channels = batchNormLayers(this.spec).reduce((n, bn) => n + bn.channels, 0);
    if (v.params.length !== this.totalParams || v.runningMeans.length !== channels || v.runningVars.length !== channels) {
      throw new Error(`values do not fit ${this.architecture.name}: ${v.params.length} params (expected ${this.totalParams}), ${v.runningMeans.length} BN channels (expected ${channels})`);
    }
  }

  /**
   * Logits for a batch [N, H, W, C] of pixels in 0..1. In 'train' mode it also updates the
   * running statistics (call it once per optimiser step). `flat` overrides the parameter tensor,
   * so a gradient can be taken with respect to it.
   */
  logits(x: tf.Tensor4D, mode: ForwardMode, flat: tf.Tensor1D = this.flat): tf.Tensor2D {
    const parts = tf.split(flat, this.sizes);
    const params = new Map(this.keys.map((key, i) => [key, parts[i] as tf.Tensor]));
    const out = this.architecture.forward<tf.Tensor>(this.hyperparameters, x, this.ops(params, mode)) as tf.Tensor2D;
    if (mode === 'train') this.batchesTracked += 1;
    return out;
  }

  private ops(params: Map<string, tf.Tensor>, mode: ForwardMode): LayerOps<tf.Tensor> {
    const param = (key: string): tf.Tensor => {
      const p = params.get(key);
      const shape = this.shapes.get(key);
      if (!p || !shape) throw new Error(`${this.architecture.name} has no parameter '${key}'`);
      return p;
    };
    const shaped = (key: string, shape: number[]): tf.Tensor => tf.reshape(param(key), shape);
    return {
      conv2d: (x, prefix, stride, padding) => {
        const [kh = 1, kw = 1, cin = 1, cout = 1] = this.shapes.get(`${prefix}.weight`) ?? [];
        // A `bias=False` layer has no bias entry; adding nothing keeps a biased layer's ops as they were.
        const withBias = (y: tf.Tensor): tf.Tensor => (this.shapes.has(`${prefix}.bias`) ? tf.add(y, param(`${prefix}.bias`)) : y);
        if (kh === 1 && kw === 1 && stride === 1 && padding === 0) {
          // A 1x1 convolution is a matrix product over pixels; its gradients need no conv kernels.
          const [n = 1, h = 1, w = 1] = x.shape;
          const y = tf.matMul(tf.reshape(x, [n * h * w, cin]), shaped(`${prefix}.weight`, [cin, cout]));
          return tf.reshape(withBias(y), [n, h, w, cout]);
        }
        const filter = shaped(`${prefix}.weight`, [kh, kw, cin, cout]) as tf.Tensor4D;
        return withBias(conv2dExplicit(x as tf.Tensor4D, filter, stride, padding));
      },
      batchNorm2d: (x, prefix) => this.batchNorm(x, prefix, param(`${prefix}.weight`), param(`${prefix}.bias`), mode),
      linear: (x, prefix) => tf.add(tf.matMul(x, shaped(`${prefix}.weight`, this.shapes.get(`${prefix}.weight`) ?? [])), param(`${prefix}.bias`)),
      relu6: (x) => tf.relu6(x),
      relu: (x) => tf.relu(x),
      maxPool2d: (x, size) => tf.maxPool(x as tf.Tensor4D, size, size, 'valid'),
      globalAvgPool: (x) => tf.mean(x, [1, 2], true),
      add: (a, b) => tf.add(a, b),
      flatten: (x) => {
        const [n = 1, ...rest] = x.shape;
        const features = shapeSize(rest);
        // PyTorch flattens NCHW; only a spatial extent above 1x1 makes the order differ.
        const nchw = x.rank === 4 && (rest[0] ?? 1) * (rest[1] ?? 1) > 1 ? tf.transpose(x, [0, 3, 1, 2]) : x;
        return tf.reshape(nchw, [n, features]);
      },
    };
  }

  private batchNorm(x: tf.Tensor, prefix: string, gamma: tf.Tensor, beta: tf.Tensor, mode: ForwardMode): tf.Tensor {
    const buffers = this.buffers.get(prefix);
    if (!buffers) throw new Error(`${this.architecture.name} has no BatchNorm '${prefix}'`);
    const { momentum, keep, eps } = this.constants;
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    if (mode === 'train') {
      // Batch statistics summed per image first, then over the batch: a single float32 pass over
      // N*H*W values loses enough precision on wasm to show after BatchNorm divides by a small
      // standard deviation. Biased variance, as PyTorch normalises with.
      const n = x.size / (x.shape[3] ?? 1);
      const perChannel = (t: tf.Tensor) => tf.div(tf.sum(tf.sum(t, [1, 2]), 0), n);
      mean = perChannel(x);
      variance = perChannel(tf.square(tf.sub(x, mean)));
      const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
      buffers.mean.assign(tf.add(tf.mul(buffers.mean, keep), tf.mul(mean, momentum)));
      buffers.variance.assign(tf.add(tf.mul(buffers.variance, keep), tf.mul(unbiased, momentum)));
    } else {
      mean = buffers.mean;
      variance = buffers.variance;
    }
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, eps)));
    const shift = tf.sub(beta, tf.mul(mean, scale));
    return tf.add(tf.mul(x, scale), shift);
  }

  /** The BatchNorm running statistics' variables, in forward order (a fused trainer updates them in place). */
  runningStatistics(): { mean: tf.Variable; variance: tf.Variable }[] {
    return [...this.buffers.values()];
  }

  /** Reads every value back to the CPU (a sync readback: between epochs, for saving or export). */
  readValues(): NetworkValues {
    const buffers = [...this.buffers.values()];
    return {
      params: Float32Array.from(this.flat.dataSync()),
      runningMeans: concat(buffers.map((b) => Float32Array.from(b.mean.dataSync()))),
      runningVars: concat(buffers.map((b) => Float32Array.from(b.variance.dataSync()))),
      batchesTracked: this.batchesTracked,
    };
  }

  /** Reads every value back without blocking (the way to read a GPU backend between epochs). */
  async readValuesAsync(): Promise<NetworkValues> {
    const buffers = [...this.buffers.values()];
    const [params, ...stats] = await Promise.all([
      this.flat.data(),
      ...buffers.flatMap((b) => [b.mean.data(), b.variance.data()]),
    ]);
    const pick = (parity: number) => concat(stats.filter((_, i) => i % 2 === parity).map((d) => Float32Array.from(d as Float32Array)));
    return {
      params: Float32Array.from(params as Float32Array),
      runningMeans: pick(0),
      runningVars: pick(1),
      batchesTracked: this.batchesTracked,
    };
  }

  /** Overwrites every value (parameters, running statistics, `num_batches_tracked`). */
  writeValues(v: NetworkValues): void {
    this.checkSizes(v);
    tf.tidy(() => {
      this.flat.assign(tf.tensor1d(v.params));
      let offset = 0;
      for (const { mean, variance } of this.buffers.values()) {
        const c = mean.size;
        mean.assign(tf.tensor1d(v.runningMeans.slice(offset, offset + c)));
        variance.assign(tf.tensor1d(v.runningVars.slice(offset, offset + c)));
        offset += c;
      }
    });
    this.batchesTracked = v.batchesTracked;
  }

  /** Frees every tensor the network holds. */
  dispose(): void {
    this.flat.dispose();
    for (const { mean, variance } of this.buffers.values()) {
      mean.dispose();
      variance.dispose();
    }
    tf.dispose([this.constants.momentum, this.constants.keep, this.constants.eps]);
  }
}
