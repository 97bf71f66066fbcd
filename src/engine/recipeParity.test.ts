import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TORCH_PYTHON, torchFixture } from '../../scripts/torch/fixtures';
import { engineStateFromTorch, toTorchTensors, type JsonTensor, type TorchState } from '../../scripts/torch/jsonTensors';
import { mnistDataDir } from '../../scripts/lib/nodeMnist';
import { RECIPE_PY } from '../export/rayProject/recipePy';
import { classifier } from '../model/classifier';
import { fromTorchStateDict, joinParameters } from '../model/stateDict';
import { augmentImages, lrAt, recipeOf } from '../train/recipe';
import { startEngine } from './engines';
import { ENGINE_NAMES, type EngineSetup } from './stepEngine';

/** recipe_check.py's answer (see its docstring). */
interface RecipeAnswer {
  initial_state: JsonTensor[];
  images: number[];
  labels: number[];
  batch: number;
  schedules: number[][];
  augment: number[][];
  train: { batch_index: number; lr: number; before: TorchState; loss: number; grads: number[][]; after: TorchState }[][];
}

type Keys = Record<string, string | number>;

const SCHEDULES: { config: Keys; steps: number }[] = [
  { config: { lr_schedule: 'constant' }, steps: 40 },
  { config: { lr_schedule: 'cosine' }, steps: 40 },
  { config: { lr_schedule: 'onecycle', pct_start: 0.25 }, steps: 40 },
  { config: { lr_schedule: 'onecycle' }, steps: 937 },
  { config: { lr_schedule: 'step', step_size: 7, gamma: 0.5 }, steps: 40 },
];
const AUGMENTS: { config: Keys; seed: number; epoch: number; count: number }[] = [
  { config: { augment_translate: 2 }, seed: 5, epoch: 0, count: 64 },
  { config: { augment_translate: 3, augment_degrees: 15, augment_scale: 0.1 }, seed: 7, epoch: 3, count: 64 },
  { config: { augment_degrees: 10 }, seed: 0, epoch: 1, count: 64 },
];
/** Each key alone, then all at once; the run has 4 optimizer steps, so schedules move within the 3 checked. */
const TRAIN: Keys[] = [
  // Decays large enough that a step's decay (lr wd p) is well above the tolerance on parameters.
  { optimizer: 'adamw', weight_decay: 0.5 },
  { optimizer: 'adam', weight_decay: 0.1 },
  { label_smoothing: 0.1 },
  { lr_schedule: 'cosine' },
  { lr_schedule: 'onecycle', pct_start: 0.5 },
  { lr_schedule: 'step', step_size: 1, gamma: 0.5 },
  { optimizer: 'adamw', weight_decay: 0.5, lr_schedule: 'onecycle', pct_start: 0.5, label_smoothing: 0.2 },
];
const TRAIN_TOTAL_STEPS = 4;
const BASE = { lr: 1e-2, beta1: 0.9, beta2: 0.99 };
/** Below this, a PyTorch gradient is rounding noise around an exact zero (see make_fixtures.py). */
const NOISE_FLOOR = 1e-5;

function runTorch(): RecipeAnswer {
  torchFixture(); // fails with the install command when PyTorch is missing: parity is never skipped
  const dir = mkdtempSync(join(tmpdir(), 'torch-recipe-'));
  writeFileSync(join(dir, 'recipe.py'), RECIPE_PY);
  const request = join(dir, 'request.json');
  writeFileSync(request, JSON.stringify({ schedules: SCHEDULES, augment: AUGMENTS, train: TRAIN }));
  const out = join(dir, 'answer.json');
  const script = new URL('../../scripts/torch/recipe_check.py', import.meta.url).pathname;
  execFileSync(TORCH_PYTHON, [script, dir, mnistDataDir(), request, out], { stdio: ['ignore', 'inherit', 'inherit'] });
  return JSON.parse(readFileSync(out, 'utf8')) as RecipeAnswer;
}

const spec = classifier.spec({ f1: 8, f2: 6 });

/**
 * The largest |got - want| / (atol + rtol |want|): below 1 passes. Relative, because a float32
 * gradient of ~2 differs between implementations by ~1e-4, and Adam turns a gradient that nearly
 * cancels its moment into a step whose size is rounding-sensitive (up to a few percent of lr).
 */
function worstRatio(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number, skip: (j: number) => boolean): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const w = want[i] ?? NaN;
    if (!skip(i)) worst = Math.max(worst, Math.abs((got[i] ?? NaN) - w) / (atol + rtol * Math.abs(w)));
  }
  return worst;
}

describe('the training recipe against PyTorch', () => {
  let torch: RecipeAnswer;
  let bytes: Uint8Array;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    torch = runTorch();
    bytes = Uint8Array.from(torch.images, (v) => Math.round(v * 255));
  }, 120_000);

  it("gives PyTorch's scheduler lr at every optimizer step", () => {
    SCHEDULES.forEach(({ config, steps }, i) => {
      const { schedule } = recipeOf(config, steps);
      const want = torch.schedules[i] ?? [];
      expect(want).toHaveLength(steps);
      want.forEach((lr, k) => {
        const got = lrAt(schedule, BASE.lr, k + 1);
        expect(Math.abs(got - lr), `${JSON.stringify(config)} step ${k + 1}`).toBeLessThanOrEqual(1e-12 + 1e-9 * Math.abs(lr));
      });
    });
  });

  it('makes the same augmented images from the same seed, byte for byte', () => {
    AUGMENTS.forEach(({ config, seed, epoch, count }, i) => {
      const got = augmentImages(bytes.subarray(0, count * 784), recipeOf(config, 1).augment, seed, epoch);
      const want = Uint8Array.from(torch.augment[i] ?? []);
      expect(got.length).toBe(want.length);
      const differing = got.filter((v, j) => v !== want[j]).length;
      expect(differing, JSON.stringify(config)).toBe(0);
      // Augmentation moves pixels: a copy of the input would pass the check above trivially.
      expect(got.filter((v, j) => v !== bytes[j]).length).toBeGreaterThan(count * 10);
    });
  });

  describe.each([ENGINE_NAMES.tfjs, ENGINE_NAMES.fusedCpu])('the %s engine', (name) => {
    it.each(TRAIN.map((config) => [JSON.stringify(config), config] as const))("takes PyTorch's steps with %s", async (_, config) => {
      const data = { count: torch.labels.length, images: bytes, labels: Uint8Array.from(torch.labels) };
      const recipe = recipeOf(config, TRAIN_TOTAL_STEPS);
      const setup: EngineSetup = {
        architecture: classifier,
        hyperparameters: { f1: 8, f2: 6 },
        adam: BASE,
        batchSize: torch.batch,
        train: data,
        val: data,
        initial: fromTorchStateDict(spec, toTorchTensors(torch.initial_state)),
        recipe,
      };
      const steps = torch.train[TRAIN.indexOf(config)] ?? [];
      expect(steps).toHaveLength(3);
      const errors = { loss: 0, params: 0, expAvg: 0, expAvgSq: 0 };
      const { engine } = await startEngine(name, setup);
      try {
        const order = Int32Array.from(torch.labels, (_, i) => i);
        for (const [k, step] of steps.entries()) {
          expect(lrAt(recipe.schedule, BASE.lr, k + 1)).toBeCloseTo(step.lr, 12);
          engine.writeState(engineStateFromTorch(spec, step.before));
          engine.startEpoch();
          const loss = await engine.train(order, [{ start: step.batch_index * torch.batch, size: torch.batch }]);
          errors.loss = Math.max(errors.loss, Math.abs(loss - step.loss));
          const got = await engine.readState();
          const want = engineStateFromTorch(spec, step.after);
          const noisy = joinParameters(spec, step.grads.map((g) => Float32Array.from(g, (v) => (Math.abs(v) < NOISE_FLOOR ? 1 : 0))));
          const skip = (j: number) => noisy[j] === 1;
          // Moments against PyTorch's, within float32 gradient noise: on some states the fused CPU
          // step's gradient of an element differs from PyTorch's by up to ~0.4% (tfjs: ~1e-5),
          // likely a ReLU6 kink that rounding puts on the other side for one pixel. A recipe key
          // that were ignored moves them far more (weight_decay 0.1 left out: dozens of times the tolerance).
          errors.expAvg = Math.max(errors.expAvg, worstRatio(got.adam.expAvg, want.adam.expAvg, 1e-4, 5e-3, skip));
          errors.expAvgSq = Math.max(errors.expAvgSq, worstRatio(got.adam.expAvgSq, want.adam.expAvgSq, 1e-5, 1e-2, skip));
          // The update itself, tightly: PyTorch's formula with its lr and decay on the engine's own moments.
          const before = engineStateFromTorch(spec, step.before).network.params;
          const t = (step.before.adam[0]?.step ?? 0) + 1;
          const decay = recipe.optimizer === 'adamw' ? 1 - step.lr * recipe.weightDecay : 1;
          const updated = Float32Array.from(before, (p, j) => {
            const denom = Math.sqrt(got.adam.expAvgSq[j] ?? NaN) / Math.sqrt(1 - BASE.beta2 ** t) + 1e-8;
            return p * decay - ((step.lr / (1 - BASE.beta1 ** t)) * (got.adam.expAvg[j] ?? NaN)) / denom;
          });
          errors.params = Math.max(errors.params, worstRatio(got.network.params, updated, 1e-6, 1e-5, () => false));
        }
      } finally {
        engine.dispose();
      }
      console.log(`${name} ${JSON.stringify(config)}: max |engine - torch| loss, then worst error / tolerance ${Object.entries(errors).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
      expect(errors.loss).toBeLessThan(1e-5);
      expect(errors.params).toBeLessThan(1);
      expect(errors.expAvg).toBeLessThan(1);
      expect(errors.expAvgSq).toBeLessThan(1);
    });
  });
});
