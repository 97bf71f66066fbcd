/**
 * An evaluation-mode forward pass in plain TypeScript, no tfjs: one image at a time, channels
 * first, straight from a PyTorch-layout state dict. A Classifier is ~1 MFLOP per image, so this
 * answers a drawing in a millisecond or two on the page's own thread, before any tfjs backend or
 * Worker has started: it is what makes the pretrained model live at first paint.
 */
import type { Architecture, Hyperparameters, LayerOps } from './architecture';
import { BATCH_NORM_EPSILON } from './batchNorm';
import type { TorchStateDict } from './stateDict';

/** A C x H x W activation (or a flat vector, with h = w = 1). */
interface Activation {
  c: number;
  h: number;
  w: number;
  data: Float32Array;
}

function weights(state: ReadonlyMap<string, Float32Array>, key: string): Float32Array {
  const data = state.get(key);
  if (!data) throw new Error(`state_dict lacks ${key}`);
  return data;
}

/** Layer ops over float tensors by key, with their PyTorch shapes (a conv weight is [out, in, k, k]). */
function plainOps(state: ReadonlyMap<string, Float32Array>, shapes: ReadonlyMap<string, readonly number[]>): LayerOps<Activation> {
  return {
    conv2d(x, prefix, stride, padding) {
      const weight = weights(state, `${prefix}.weight`);
      const [out = 1, , k = 1] = shapes.get(`${prefix}.weight`) ?? [];
      // A `bias=False` layer has none: its outputs start from zero.
      const bias = state.get(`${prefix}.bias`) ?? new Float32Array(out);
      const h = Math.floor((x.h + 2 * padding - k) / stride) + 1;
      const w = Math.floor((x.w + 2 * padding - k) / stride) + 1;
      const data = new Float32Array(out * h * w);
      for (let o = 0; o < out; o++) {
        const b = bias[o] ?? 0;
        for (let oy = 0; oy < h; oy++) {
          for (let ox = 0; ox < w; ox++) {
            let sum = b;
            for (let i = 0; i < x.c; i++) {
              for (let ky = 0; ky < k; ky++) {
                const iy = oy * stride + ky - padding;
                if (iy < 0 || iy >= x.h) continue;
                for (let kx = 0; kx < k; kx++) {
                  const ix = ox * stride + kx - padding;
                  if (ix < 0 || ix >= x.w) continue;
                  sum += (weight[((o * x.c + i) * k + ky) * k + kx] ?? 0) * (x.data[(i * x.h + iy) * x.w + ix] ?? 0);
                }
              }
            }
            data[(o * h + oy) * w + ox] = sum;
          }
        }
      }
      return { c: out, h, w, data };
    },
    batchNorm2d(x, prefix) {
      const gamma = weights(state, `${prefix}.weight`);
      const beta = weights(state, `${prefix}.bias`);
      const mean = weights(state, `${prefix}.running_mean`);
      const variance = weights(state, `${prefix}.running_var`);
      const data = new Float32Array(x.data.length);
      const plane = x.h * x.w;
      for (let c = 0; c < x.c; c++) {
        const scale = (gamma[c] ?? 1) / Math.sqrt((variance[c] ?? 1) + BATCH_NORM_EPSILON);
        const shift = (beta[c] ?? 0) - (mean[c] ?? 0) * scale;
        for (let p = c * plane; p < (c + 1) * plane; p++) data[p] = (x.data[p] ?? 0) * scale + shift;
      }
      return { ...x, data };
    },
    linear(x, prefix) {
      const weight = weights(state, `${prefix}.weight`);
      const bias = weights(state, `${prefix}.bias`);
      const inputs = x.data.length;
      const data = new Float32Array(bias.length);
      for (let o = 0; o < bias.length; o++) {
        let sum = bias[o] ?? 0;
        for (let i = 0; i < inputs; i++) sum += (weight[o * inputs + i] ?? 0) * (x.data[i] ?? 0);
        data[o] = sum;
      }
      return { c: bias.length, h: 1, w: 1, data };
    },
    relu6: (x) => ({ ...x, data: x.data.map((v) => Math.min(Math.max(v, 0), 6)) }),
    relu: (x) => ({ ...x, data: x.data.map((v) => Math.max(v, 0)) }),
    maxPool2d(x, size) {
      const h = Math.floor(x.h / size);
      const w = Math.floor(x.w / size);
      const data = new Float32Array(x.c * h * w);
      for (let c = 0; c < x.c; c++) {
        for (let oy = 0; oy < h; oy++) {
          for (let ox = 0; ox < w; ox++) {
            let best = -Infinity;
            for (let ky = 0; ky < size; ky++) {
              for (let kx = 0; kx < size; kx++) best = Math.max(best, x.data[(c * x.h + oy * size + ky) * x.w + ox * size + kx] ?? -Infinity);
            }
            data[(c * h + oy) * w + ox] = best;
          }
        }
      }
      return { c: x.c, h, w, data };
    },
    globalAvgPool(x) {
      const plane = x.h * x.w;
      const data = new Float32Array(x.c);
      for (let c = 0; c < x.c; c++) {
        let sum = 0;
        for (let p = c * plane; p < (c + 1) * plane; p++) sum += x.data[p] ?? 0;
        data[c] = sum / plane;
      }
      return { c: x.c, h: 1, w: 1, data };
    },
    add: (a, b) => ({ ...a, data: a.data.map((v, i) => v + (b.data[i] ?? 0)) }),
    // Channels-first already is PyTorch's flattening order.
    flatten: (x) => ({ c: x.data.length, h: 1, w: 1, data: x.data }),
  };
}

/** A model that maps one 28x28 image (784 values, 0..1) to its 10 class probabilities. */
export type PlainPredictor = (pixels: Float32Array) => Float32Array;

/** Softmax of one row of logits, shifted by its maximum for stability. */
function softmax(logits: Float32Array): Float32Array {
  const max = Math.max(...logits);
  const exp = logits.map((v) => Math.exp(v - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((v) => v / sum);
}

/** Eval-mode logits of `arch` for one image, computed in plain TypeScript. */
export function plainLogits(arch: Architecture, h: Hyperparameters, stateDict: TorchStateDict, pixels: Float32Array): Float32Array {
  return plainPredictorParts(arch, h, stateDict)(pixels);
}

function plainPredictorParts(arch: Architecture, h: Hyperparameters, stateDict: TorchStateDict): PlainPredictor {
  const state = new Map<string, Float32Array>();
  const shapes = new Map<string, readonly number[]>();
  for (const tensor of stateDict) {
    if (tensor.dtype !== 'float32') continue;
    state.set(tensor.key, tensor.data);
    shapes.set(tensor.key, tensor.shape);
  }
  const ops = plainOps(state, shapes);
  const [height, width] = arch.spec(h).inputShape;
  return (pixels) => arch.forward(h, { c: 1, h: height, w: width, data: pixels }, ops).data;
}

/** A predictor of class probabilities for `arch` with these weights, on the current thread, without tfjs. */
export function plainPredictor(arch: Architecture, h: Hyperparameters, stateDict: TorchStateDict): PlainPredictor {
  const logits = plainPredictorParts(arch, h, stateDict);
  return (pixels) => softmax(logits(pixels));
}
