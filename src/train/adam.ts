import * as tf from '@tensorflow/tfjs';
import { lrAt, type LrSchedule, type Recipe } from './recipe';

/** Adam's settings; `eps` defaults to PyTorch's 1e-8; no weight decay and a constant lr by default. */
export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps?: number;
  /** torch.optim.Adam's weight_decay (added to the gradient), or AdamW's when `decoupled`. */
  weightDecay?: number;
  /** AdamW (torch.optim.AdamW): p *= 1 - lr * weight_decay before the Adam update. */
  decoupled?: boolean;
  /** The lr of each step (`lr` is the schedule's base); constant when absent. */
  schedule?: LrSchedule;
}

/** Adam's settings with a recipe's optimizer, weight decay and schedule. */
export function recipeAdam(adam: AdamConfig, recipe: Recipe): AdamConfig {
  return { ...adam, weightDecay: recipe.weightDecay, decoupled: recipe.optimizer === 'adamw', schedule: recipe.schedule };
}

/** The learning rate, L2 coefficient (Adam) and decay factor (AdamW) of optimizer step `step` (1-based). */
export function adamStepConstants(config: AdamConfig, step: number): { lr: number; l2: number; decay: number } {
  const lr = config.schedule ? lrAt(config.schedule, config.lr, step) : config.lr;
  const wd = config.weightDecay ?? 0;
  return { lr, l2: config.decoupled ? 0 : wd, decay: config.decoupled ? 1 - lr * wd : 1 };
}

/** Adam's state as plain arrays: PyTorch's `step`, `exp_avg` and `exp_avg_sq` (flat, tfjs layout). */
export interface AdamState {
  step: number;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
}

/**
 * Adam over one flat parameter variable, with PyTorch's exact update (torch.optim.Adam, or
 * torch.optim.AdamW when decoupled): g += wd p (Adam); p *= 1 - lr wd (AdamW);
 * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²; p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
 */
export class Adam {
  readonly expAvg: tf.Variable<tf.Rank.R1>;
  readonly expAvgSq: tf.Variable<tf.Rank.R1>;
  step = 0;
  private readonly c: Record<'beta1' | 'oneMinusBeta1' | 'beta2' | 'oneMinusBeta2' | 'eps', tf.Scalar>;

  constructor(
    readonly size: number,
    readonly config: AdamConfig,
  ) {
    this.expAvg = tf.variable<tf.Rank.R1>(tf.zeros([size]), false);
    this.expAvgSq = tf.variable<tf.Rank.R1>(tf.zeros([size]), false);
    this.c = {
      beta1: tf.keep(tf.scalar(config.beta1)),
      oneMinusBeta1: tf.keep(tf.scalar(1 - config.beta1)),
      beta2: tf.keep(tf.scalar(config.beta2)),
      oneMinusBeta2: tf.keep(tf.scalar(1 - config.beta2)),
      eps: tf.keep(tf.scalar(config.eps ?? 1e-8)),
    };
  }

  /** One update of `params` with gradient `grad` (run inside tf.tidy). */
  apply(params: tf.Variable<tf.Rank.R1>, gradient: tf.Tensor1D): void {
    this.step += 1;
    const c = this.c;
    const { lr, l2, decay } = adamStepConstants(this.config, this.step);
    const grad = l2 === 0 ? gradient : tf.add(gradient, tf.mul(params, tf.scalar(l2)));
    const start = decay === 1 ? params : tf.mul(params, tf.scalar(decay));
    const biasCorrection1 = 1 - this.config.beta1 ** this.step;
    const biasCorrection2 = 1 - this.config.beta2 ** this.step;
    const m = tf.add(tf.mul(this.expAvg, c.beta1), tf.mul(grad, c.oneMinusBeta1));
    const v = tf.add(tf.mul(this.expAvgSq, c.beta2), tf.mul(tf.mul(grad, c.oneMinusBeta2), grad));
    const denom = tf.add(tf.div(tf.sqrt(v), tf.scalar(Math.sqrt(biasCorrection2))), c.eps);
    const update = tf.mul(tf.div(m, denom), tf.scalar(lr / biasCorrection1));
    this.expAvg.assign(m as tf.Tensor1D);
    this.expAvgSq.assign(v as tf.Tensor1D);
    params.assign(tf.sub(start, update));
  }

  /** Reads the state back to the CPU. */
  readState(): AdamState {
    return { step: this.step, expAvg: Float32Array.from(this.expAvg.dataSync()), expAvgSq: Float32Array.from(this.expAvgSq.dataSync()) };
  }

  /** Reads the state back without blocking. */
  async readStateAsync(): Promise<AdamState> {
    const [expAvg, expAvgSq] = await Promise.all([this.expAvg.data(), this.expAvgSq.data()]);
    return { step: this.step, expAvg: Float32Array.from(expAvg as Float32Array), expAvgSq: Float32Array.from(expAvgSq as Float32Array) };
  }

  /** Overwrites the state. */
  writeState(state: AdamState): void {
    if (state.expAvg.length !== this.size || state.expAvgSq.length !== this.size) {
      throw new Error(`Adam state has ${state.expAvg.length} values, the model ${this.size}`);
    }
    tf.tidy(() => {
      this.expAvg.assign(tf.tensor1d(state.expAvg));
      this.expAvgSq.assign(tf.tensor1d(state.expAvgSq));
    });
    this.step = state.step;
  }

  /** Frees the moments and constants. */
  dispose(): void {
    tf.dispose([this.expAvg, this.expAvgSq, ...Object.values(this.c)]);
  }
}
