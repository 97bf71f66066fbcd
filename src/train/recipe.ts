/**
 * The training recipe beyond the seed's Adam at a fixed lr: the optimizer (Adam or AdamW) with its
 * weight decay, the learning-rate schedule, label smoothing and data augmentation. The schedule's
 * formula and the augmentation live here only; scripts/torch/pt_recipe.py mirrors them once, and
 * every default reproduces the seed's recipe exactly (constant lr, no decay, no smoothing, the
 * training images as they are).
 */
import { Rng } from './rng';

/** The optimizers: torch.optim.Adam (weight decay added to the gradient) and torch.optim.AdamW (decoupled). */
export const OPTIMIZERS = ['adam', 'adamw'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Learning-rate schedules, stepped once per optimizer step (torch.optim.lr_scheduler.*). */
export const LR_SCHEDULES = ['constant', 'cosine', 'onecycle', 'step'] as const;
export type LrScheduleName = (typeof LR_SCHEDULES)[number];

/** The recipe keys' defaults, as a trial's config holds them (a name as its index): together, the seed's recipe. */
export const RECIPE_DEFAULTS = {
  optimizer: OPTIMIZERS.indexOf('adam'),
  weight_decay: 0,
  lr_schedule: LR_SCHEDULES.indexOf('constant'),
  // OneCycleLR's own default warm-up fraction; StepLR's gamma; a step every epoch of batch 64.
  pct_start: 0.3,
  step_size: 938,
  gamma: 0.1,
  label_smoothing: 0,
  augment_translate: 0,
  augment_degrees: 0,
  augment_scale: 0,
} as const satisfies Record<string, number>;

/** A learning-rate schedule, stepped once per optimizer step as torch.optim.lr_scheduler steps. */
export type LrSchedule =
  | { kind: 'constant' }
  /** CosineAnnealingLR(T_max = totalSteps, eta_min = 0). */
  | { kind: 'cosine'; totalSteps: number }
  /** OneCycleLR(max_lr = lr, total_steps, pct_start, cycle_momentum=False), cosine annealing. */
  | { kind: 'onecycle'; totalSteps: number; pctStart: number }
  /** StepLR(step_size, gamma). */
  | { kind: 'step'; stepSize: number; gamma: number };

/** How random affine augmentation moves each training image (all zero: the images as they are). */
export interface Augment {
  /** Largest shift in whole pixels, each axis drawn uniformly from -translate..translate. */
  translate: number;
  /** Largest rotation in degrees, drawn uniformly from [-degrees, degrees). */
  degrees: number;
  /** Largest relative scale change, the factor drawn uniformly from [1 - scale, 1 + scale). */
  scale: number;
}

/** A trial's recipe, decoded from its config's keys. */
export interface Recipe {
  optimizer: OptimizerName;
  weightDecay: number;
  schedule: LrSchedule;
  labelSmoothing: number;
  augment: Augment;
}

/** OneCycleLR's defaults: the start is max_lr / 25, the end the start / 1e4. */
const ONECYCLE_DIV_FACTOR = 25;
const ONECYCLE_FINAL_DIV_FACTOR = 1e4;

type Keys = Record<string, number | string | undefined>;

/** The recipe a trial's config names (absent keys at their defaults); `totalSteps` is the run's optimizer steps. */
export function recipeOf(config: Keys, totalSteps: number): Recipe {
  const num = (key: keyof typeof RECIPE_DEFAULTS): number => {
    const value = config[key];
    return typeof value === 'number' ? value : RECIPE_DEFAULTS[key];
  };
  const named = <T extends string>(key: 'optimizer' | 'lr_schedule', names: readonly T[]): T => {
    const value = config[key];
    const name = typeof value === 'string' ? value : names[typeof value === 'number' ? value : RECIPE_DEFAULTS[key]];
    if (name === undefined || !names.includes(name as T)) throw new Error(`${key} must be one of ${names.join(', ')}, got ${String(value)}`);
    return name as T;
  };
  const scheduleName: LrScheduleName = named('lr_schedule', LR_SCHEDULES);
  const schedule: LrSchedule =
    scheduleName === 'cosine'
      ? { kind: 'cosine', totalSteps }
      : scheduleName === 'onecycle'
        ? { kind: 'onecycle', totalSteps, pctStart: num('pct_start') }
        : scheduleName === 'step'
          ? { kind: 'step', stepSize: num('step_size'), gamma: num('gamma') }
          : { kind: 'constant' };
  return {
    optimizer: named('optimizer', OPTIMIZERS),
    weightDecay: num('weight_decay'),
    schedule,
    labelSmoothing: num('label_smoothing'),
    augment: { translate: num('augment_translate'), degrees: num('augment_degrees'), scale: num('augment_scale') },
  };
}

/** The seed's recipe: Adam, constant lr, nothing else. */
export const SEED_RECIPE: Recipe = recipeOf({}, 1);

/**
 * The learning rate of optimizer step `step` (1 for the first) under `schedule` from base `lr`:
 * the value PyTorch's scheduler has set after step - 1 calls of scheduler.step() (closed forms;
 * PyTorch's recursive cosine agrees to float64 rounding).
 */
export function lrAt(schedule: LrSchedule, lr: number, step: number): number {
  const k = step - 1;
  switch (schedule.kind) {
    case 'constant':
      return lr;
    case 'cosine':
      return (lr * (1 + Math.cos((Math.PI * k) / schedule.totalSteps))) / 2;
    case 'step':
      return lr * schedule.gamma ** Math.floor(k / schedule.stepSize);
    case 'onecycle': {
      const initial = lr / ONECYCLE_DIV_FACTOR;
      const final = initial / ONECYCLE_FINAL_DIV_FACTOR;
      const warmEnd = schedule.pctStart * schedule.totalSteps - 1;
      const anneal = (from: number, to: number, pct: number): number => to + ((from - to) / 2) * (Math.cos(Math.PI * pct) + 1);
      if (k <= warmEnd) return anneal(initial, lr, k / warmEnd);
      return anneal(lr, final, (k - warmEnd) / (schedule.totalSteps - 1 - warmEnd));
    }
  }
}

/** The config keys where `recipe` differs from the seed's recipe (for an engine that trains the seed's only). */
export function recipeKeysInUse(recipe: Recipe): string[] {
  const keys: string[] = [];
  if (recipe.optimizer !== SEED_RECIPE.optimizer) keys.push('optimizer');
  if (recipe.weightDecay !== 0) keys.push('weight_decay');
  if (recipe.schedule.kind !== 'constant') keys.push('lr_schedule');
  if (recipe.labelSmoothing !== 0) keys.push('label_smoothing');
  if (recipe.augment.translate > 0) keys.push('augment_translate');
  if (recipe.augment.degrees > 0) keys.push('augment_degrees');
  if (recipe.augment.scale > 0) keys.push('augment_scale');
  return keys;
}

/** Whether augmentation changes any image. */
export function augments(augment: Augment): boolean {
  return augment.translate > 0 || augment.degrees > 0 || augment.scale > 0;
}

/** The generator seed of an epoch's augmentation: its own stream, apart from the shuffle's. */
export function augmentSeed(seed: number, epoch: number): number {
  return ((seed >>> 0) ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0;
}

const SIDE = 28;
const CENTRE = (SIDE - 1) / 2;

/**
 * The training images of epoch `epoch` (0-based) moved by random affine maps drawn from
 * `augmentSeed(seed, epoch)`: per image in order, dx, dy (whole pixels), an angle and a scale; a
 * pure shift moves pixels, otherwise each output pixel samples the source bilinearly (zero
 * outside) about the image centre, rounded half up to 0..255. The rotation matrix is rounded to
 * float32 so that a 1-ulp difference between libm's and V8's cos cannot change an image.
 */
export function augmentImages(images: Uint8Array, augment: Augment, seed: number, epoch: number): Uint8Array {
  const count = images.length / (SIDE * SIDE);
  const out = new Uint8Array(images.length);
  const rng = new Rng(augmentSeed(seed, epoch));
  const span = 2 * augment.translate + 1;
  for (let n = 0; n < count; n++) {
    const dx = rng.below(span) - augment.translate;
    const dy = rng.below(span) - augment.translate;
    const angle = rng.uniform(-augment.degrees, augment.degrees);
    const scale = rng.uniform(1 - augment.scale, 1 + augment.scale);
    const src = images.subarray(n * SIDE * SIDE, (n + 1) * SIDE * SIDE);
    const dst = out.subarray(n * SIDE * SIDE, (n + 1) * SIDE * SIDE);
    if (angle === 0 && scale === 1) {
      for (let y = 0; y < SIDE; y++) {
        const sy = y - dy;
        if (sy < 0 || sy >= SIDE) continue;
        for (let x = 0; x < SIDE; x++) {
          const sx = x - dx;
          if (sx >= 0 && sx < SIDE) dst[y * SIDE + x] = src[sy * SIDE + sx] ?? 0;
        }
      }
      continue;
    }
    // The inverse map: output (x, y) samples the source at R(-angle) (x - dx - c, y - dy - c) / scale + c.
    const radians = (angle * Math.PI) / 180;
    const cos = Math.fround(Math.cos(radians));
    const sin = Math.fround(Math.sin(radians));
    const pixel = (x: number, y: number): number => (x >= 0 && x < SIDE && y >= 0 && y < SIDE ? (src[y * SIDE + x] ?? 0) : 0);
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const u = x - dx - CENTRE;
        const v = y - dy - CENTRE;
        const sx = (cos * u + sin * v) / scale + CENTRE;
        const sy = (cos * v - sin * u) / scale + CENTRE;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const top = pixel(x0, y0) * (1 - fx) + pixel(x0 + 1, y0) * fx;
        const bottom = pixel(x0, y0 + 1) * (1 - fx) + pixel(x0 + 1, y0 + 1) * fx;
        dst[y * SIDE + x] = Math.min(255, Math.floor(top * (1 - fy) + bottom * fy + 0.5));
      }
    }
  }
  return out;
}
