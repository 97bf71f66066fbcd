import { expect, test, type Page } from '@playwright/test';
import { checkTrajectory, torchTrajectory, type TrajectoryRequest } from '../scripts/torch/trajectory';
import type { EngineState } from '../src/engine/stepEngine';
import { classifier } from '../src/model/classifier';
import { Rng } from '../src/train/rng';
import type { TrainConfig } from '../src/engine/trainer';

/** A training state as plain arrays, as it crosses into and out of the page. */
interface PlainState {
  params: number[];
  runningMeans: number[];
  runningVars: number[];
  batchesTracked: number;
  step: number;
  expAvg: number[];
  expAvgSq: number[];
}

const plain = (s: EngineState): PlainState => ({
  params: Array.from(s.network.params),
  runningMeans: Array.from(s.network.runningMeans),
  runningVars: Array.from(s.network.runningVars),
  batchesTracked: s.network.batchesTracked,
  step: s.adam.step,
  expAvg: Array.from(s.adam.expAvg),
  expAvgSq: Array.from(s.adam.expAvgSq),
});

const engineState = (s: PlainState): EngineState => ({
  network: { params: Float32Array.from(s.params), runningMeans: Float32Array.from(s.runningMeans), runningVars: Float32Array.from(s.runningVars), batchesTracked: s.batchesTracked },
  adam: { step: s.step, expAvg: Float32Array.from(s.expAvg), expAvgSq: Float32Array.from(s.expAvgSq) },
  epochLossSum: 0,
});

/** One trajectory on the fused WebGPU engine: the data, the config, and how many steps before stopping (all when absent). */
interface Case {
  label: string;
  /** MNIST's training images only, or training then test images (70,000: indices past 65,535). */
  train: TrajectoryRequest['train'];
  count: number;
  config: TrainConfig;
  /** Steps per engine call (the trainer's progressEvery). */
  progressEvery: number;
  /** Stops after this many steps of the run, and ends there. */
  stopAfter?: number;
  /** Stops after this many steps, saves, and continues in a new trainer, as a search resumes a trial. */
  resumeAfter?: number;
}

const VAL = 200;

/** Starts the case's trainer in the page on the fused WebGPU engine; returns the generator state its shuffle starts from. */
async function startInPage(page: Page, c: Case): Promise<number[]> {
  return page.evaluate(
    async ({ c, val }) => {
      const load = <T>(path: string) => import(/* @vite-ignore */ path) as Promise<T>;
      const { initBackend } = await load<typeof import('../src/backend/init')>('/src/backend/init.ts');
      const { loadMnist } = await load<typeof import('../src/data/loadMnist')>('/src/data/loadMnist.ts');
      const { mnistManifestUrl } = await load<typeof import('../src/data/manifest')>('/src/data/manifest.ts');
      const { createTrainer } = await load<typeof import('../src/engine/trainer')>('/src/engine/trainer.ts');
      await initBackend('webgpu');
      const mnist = await loadMnist({ manifestUrl: mnistManifestUrl(document.baseURI) });
      const both = c.train === 'train+test';
      const images = both ? new Uint8Array([...[mnist.train.images], ...[mnist.test.images]].reduce((n, a) => n + a.length, 0)) : mnist.train.images;
      const labels = both ? new Uint8Array(mnist.train.count + mnist.test.count) : mnist.train.labels;
      if (both) {
        images.set(mnist.train.images);
        images.set(mnist.test.images, mnist.train.images.length);
        labels.set(mnist.train.labels);
        labels.set(mnist.test.labels, mnist.train.count);
      }
      const page = window as unknown as { trajectory: { losses: [number, number][]; trainer: Awaited<ReturnType<typeof createTrainer>>; next: () => ReturnType<typeof createTrainer> } };
      const losses: [number, number][] = [];
      const controller = new AbortController();
      const stepsPerEpoch = Math.ceil(c.count / c.config.batch_size);
      const options = {
        config: c.config,
        data: { train: { count: images.length / 784, images, labels }, test: mnist.test },
        trainLimit: c.count,
        valLimit: val,
        progressEvery: c.progressEvery,
        engine: 'fused-webgpu' as const,
        onProgress: ({ epoch, step, loss }: { epoch: number; step: number; loss: number }) => {
          const at = (epoch - 1) * stepsPerEpoch + step;
          losses.push([at - 1, loss]);
          if (at === c.stopAfter || at === c.resumeAfter) controller.abort();
        },
      };
      const trainer = await createTrainer({ ...options, signal: controller.signal });
      page.trajectory = { losses, trainer, next: () => createTrainer(options) };
      return Array.from((await trainer.readState()).rng);
    },
    { c, val: VAL },
  );
}

/** Restores PyTorch's starting state into the page's trainer, runs it, and returns the losses, epochs and end state. */
async function runInPage(page: Page, start: PlainState, resume: boolean) {
  return page.evaluate(async ({ start, resume }) => {
    type Trainer = import('../src/engine/trainer').Trainer;
    const { trajectory } = window as unknown as { trajectory: { losses: [number, number][]; trainer: Trainer; next: () => Promise<Trainer> } };
    const { losses } = trajectory;
    let { trainer } = trajectory;
    const fresh = await trainer.readState();
    trainer.restoreState({
      ...fresh,
      network: { params: Float32Array.from(start.params), runningMeans: Float32Array.from(start.runningMeans), runningVars: Float32Array.from(start.runningVars), batchesTracked: start.batchesTracked },
      adam: { step: start.step, expAvg: Float32Array.from(start.expAvg), expAvgSq: Float32Array.from(start.expAvgSq) },
      epochLossSum: 0,
    });
    let result = await trainer.run();
    const stops: string[] = [result.status];
    if (resume && result.status === 'stopped') {
      const saved = await trainer.readState();
      trainer.dispose();
      trainer = await trajectory.next();
      trainer.restoreState(saved);
      result = await trainer.run();
      stops.push(result.status);
    }
    const end = await trainer.readState();
    const engine = trainer.engine.engine;
    const endEval = await trainer.evaluate();
    trainer.dispose();
    return {
      engine,
      stops,
      losses,
      history: result.history,
      endEval,
      end: {
        params: Array.from(end.network.params),
        runningMeans: Array.from(end.network.runningMeans),
        runningVars: Array.from(end.network.runningVars),
        batchesTracked: end.network.batchesTracked,
        step: end.adam.step,
        expAvg: Array.from(end.adam.expAvg),
        expAvgSq: Array.from(end.adam.expAvgSq),
      },
    };
  }, { start, resume });
}

const CASES: Case[] = [
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
  await page.goto('./?backend=webgpu');
  await page.waitForFunction(() => window.digitStudio !== undefined);
  await expect(page.getByTestId('chosen-backend')).toContainText('webgpu', { timeout: 120_000 });

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
