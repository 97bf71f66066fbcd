/**
 * An evaluation-mode forward pass in plain TypeScript, no tfjs: one image at a time, channels
 * first, straight from a PyTorch-layout state dict. A Classifier is ~1 MFLOP per image, so this
 * answers a drawing in a millisecond or two on the page's own thread, before any tfjs backend or
 * Worker has started: it is what makes the pretrained model live at first paint.
 */
import type { Architecture, Hyperparameters, LayerOps } from './architecture';
import type { TorchStateDict } from './stateDict';

/** A C x H x W activation (or a flat vector, with h = w = 1). */
interface Activation {
  c: number;
  h: number;
  w: number;
  data: Float32Array;
}

const BATCH_NORM_EPSILON = 1e-5;

function weights(state: ReadonlyMap<string, Float32Array>, key: string): Float32Array {
  const data = state.get(key);
  if (!data) throw new Error(`state_dict lacks ${key}`);
  return data;
}

function plainOps(state: ReadonlyMap<string, Float32Array>): LayerOps<Activation> {
  return {
    conv2d(x, prefix, stride, padding) {
      const weight = weights(state, `${prefix}.weight`);
      const bias = weights(state, `${prefix}.bias`);
      const out = bias.length;
      const k = Math.round(Math.sqrt(weight.length / (out * x.c)));
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
  for (const tensor of stateDict) if (tensor.dtype === 'float32') state.set(tensor.key, tensor.data);
  const ops = plainOps(state);
  const [height, width] = arch.spec(h).inputShape;
  return (pixels) => arch.forward(h, { c: 1, h: height, w: width, data: pixels }, ops).data;
}

/** A predictor of class probabilities for `arch` with these weights, on the current thread, without tfjs. */
export function plainPredictor(arch: Architecture, h: Hyperparameters, stateDict: TorchStateDict): PlainPredictor {
  const logits = plainPredictorParts(arch, h, stateDict);
  return (pixels) => softmax(logits(pixels));
}
