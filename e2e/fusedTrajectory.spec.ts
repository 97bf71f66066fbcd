import type { Page } from '@playwright/test';
import { checkTrajectory, torchTrajectory } from '../scripts/torch/trajectory';
import { classifier } from '../src/model/classifier';
import { Rng } from '../src/train/rng';
import { expect, openOnBackend, test } from './fixtures';
import { engineState, plain, type PlainState } from './plainState';
import type { TrajectoryCase, TrajectoryRun } from './trajectoryRun';

const VAL = 200;

/** Starts the case's trainer in the page on the fused WebGPU engine; returns the generator state its shuffle starts from. */
function startInPage(page: Page, c: TrajectoryCase): Promise<number[]> {
  return page.evaluate(async ({ c, val }) => {
    const load = <T>(path: string) => import(/* @vite-ignore */ path) as Promise<T>;
    return (await load<typeof import('./trajectoryRun')>('/e2e/trajectoryRun.ts')).startTrajectory(c, val);
  }, { c, val: VAL });
}

/** Restores PyTorch's starting state into the page's trainer, runs it, and returns the losses, epochs and end state. */
function runInPage(page: Page, start: PlainState, resume: boolean): Promise<TrajectoryRun> {
  return page.evaluate(async ({ start, resume }) => {
    const load = <T>(path: string) => import(/* @vite-ignore */ path) as Promise<T>;
    return (await load<typeof import('./trajectoryRun')>('/e2e/trajectoryRun.ts')).runTrajectory(start, resume);
  }, { start, resume });
}

const CASES: TrajectoryCase[] = [
  {
    // 100 images in batches of 16 end each epoch on a batch of 4; the second epoch is reshuffled.
    label: '100 images, batch 16, two epochs, one step a call, saved after step 10 and continued',
    train: 'train',
    count: 100,
    config: { f1: 8, f2: 6, lr: 1e-4, beta1: 0.9, beta2: 0.999, batch_size: 16, seed: 7, max_num_epochs: 2 },
    progressEvery: 1,
    resumeAfter: 10,
  },
  {
    // The same run with a whole epoch (7 steps, the last of 4 images) in one engine call and one submit.
    label: '100 images, batch 16, two epochs, an epoch a call',
    train: 'train',
    count: 100,
    config: { f1: 8, f2: 6, lr: 1e-4, beta1: 0.9, beta2: 0.999, batch_size: 16, seed: 7, max_num_epochs: 2 },
    progressEvery: 7,
  },
  {
    // 70,000 images (train then test): the first steps' batches hold indices beyond 65,535.
    label: '70,000 images, batch 16, first 6 steps',
    train: 'train+test',
    count: 70_000,
    config: { f1: 8, f2: 6, lr: 1e-4, beta1: 0.9, beta2: 0.999, batch_size: 16, seed: 7, max_num_epochs: 1 },
    progressEvery: 1,
    stopAfter: 6,
  },
];

// One page for every case: the fused kernels (batch 16 throughout) compile once on SwiftShader.
test("the fused WebGPU engine follows PyTorch's whole runs", async ({ page }) => {
  test.setTimeout(300_000);
  const spec = classifier.spec({ f1: 8, f2: 6 });
  await openOnBackend(page, 'webgpu');

  for (const c of CASES) {
    await test.step(c.label, async () => {
      const rng = new Rng(Uint32Array.from(await startInPage(page, c)));
      const epochs = Array.from({ length: c.config.max_num_epochs }, () => ({ order: Array.from(rng.permutation(c.count)), ...(c.stopAfter ? { steps: c.stopAfter } : {}) }));
      const batch = c.config.batch_size;
      if (c.stopAfter) {
        const beyond = epochs[0]!.order.slice(0, c.stopAfter * batch).filter((i) => i > 65_535).length;
        expect(beyond, 'images past index 65,535 in the trained batches').toBeGreaterThan(0);
      }
      const torch = torchTrajectory(spec, {
        f1: 8, f2: 6, lr: c.config.lr, betas: [c.config.beta1, c.config.beta2], batch, seed: 3, train: c.train, train_count: c.count, val_count: VAL, epochs,
      });
      const run = await runInPage(page, plain(torch.start), c.resumeAfter !== undefined);
      expect(run.engine).toBe('fused-webgpu');
      expect(run.stops).toEqual(c.stopAfter ? ['stopped'] : c.resumeAfter ? ['stopped', 'completed'] : ['completed']);
      const steps = c.stopAfter ?? torch.losses.length;
      const perEpoch = Math.ceil(c.count / batch);
      const reported = Array.from({ length: steps }, (_, s) => s).filter((s) => ((s % perEpoch) + 1) % c.progressEvery === 0 || (s % perEpoch) + 1 === perEpoch || s + 1 === steps);
      expect(run.losses.map(([s]) => s)).toEqual(reported);
      const failures = checkTrajectory(`fused-webgpu, ${c.label}`, spec, torch, {
        losses: new Map(run.losses),
        history: run.history,
        end: engineState(run.end),
        endEval: run.endEval,
      });
      expect(failures).toEqual([]);
    });
  }
});
