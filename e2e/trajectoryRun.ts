/**
 * The in-page half of the trajectory check: the studio's trainer on the fused WebGPU engine, on
 * MNIST as the page loads it, restored to PyTorch's starting state. The page imports this module
 * from the dev server; the trainer between the two calls stays in the module.
 */
import type { TrajectoryRequest } from '../scripts/torch/trajectory';
import { initBackend } from '../src/backend/init';
import { loadMnist } from '../src/data/loadMnist';
import { mnistManifestUrl } from '../src/data/manifest';
import type { EngineName, Evaluation } from '../src/engine/stepEngine';
import { createTrainer, type EpochReport, type TrainConfig, type Trainer } from '../src/engine/trainer';
import { engineState, plain, type PlainState } from './plainState';

/** One trajectory on the fused WebGPU engine: the data, the config, and how many steps before stopping (all when absent). */
export interface TrajectoryCase {
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

/** What the page's run gives back: its engine, how each call ended, the losses it reported ([step, loss]), its history and end state. */
export interface TrajectoryRun {
  engine: EngineName;
  stops: string[];
  losses: [number, number][];
  history: EpochReport[];
  endEval: Evaluation;
  end: PlainState;
}

/** The started case: the losses its trainer reports, the trainer, and how to start the next one (to resume). */
let started: { losses: [number, number][]; trainer: Trainer; next: () => Promise<Trainer> } | null = null;

/** Starts the case's trainer on the fused WebGPU engine; returns the generator state its shuffle starts from. */
export async function startTrajectory(c: TrajectoryCase, valCount: number): Promise<number[]> {
  await initBackend('webgpu');
  const mnist = await loadMnist({ manifestUrl: mnistManifestUrl(document.baseURI) });
  const both = c.train === 'train+test';
  const images = both ? new Uint8Array(mnist.train.images.length + mnist.test.images.length) : mnist.train.images;
  const labels = both ? new Uint8Array(mnist.train.count + mnist.test.count) : mnist.train.labels;
  if (both) {
    images.set(mnist.train.images);
    images.set(mnist.test.images, mnist.train.images.length);
    labels.set(mnist.train.labels);
    labels.set(mnist.test.labels, mnist.train.count);
  }
  const losses: [number, number][] = [];
  const controller = new AbortController();
  const stepsPerEpoch = Math.ceil(c.count / c.config.batch_size);
  const options = {
    config: c.config,
    data: { train: { count: images.length / 784, images, labels }, test: mnist.test },
    trainLimit: c.count,
    valLimit: valCount,
    progressEvery: c.progressEvery,
    engine: 'fused-webgpu' as const,
    onProgress: ({ epoch, step, loss }: { epoch: number; step: number; loss: number }) => {
      const at = (epoch - 1) * stepsPerEpoch + step;
      losses.push([at - 1, loss]);
      if (at === c.stopAfter || at === c.resumeAfter) controller.abort();
    },
  };
  const trainer = await createTrainer({ ...options, signal: controller.signal });
  started = { losses, trainer, next: () => createTrainer(options) };
  return Array.from((await trainer.readState()).rng);
}

/** Restores PyTorch's starting state into the started trainer, runs it (saved and continued in a new trainer when `resume`), and ends it. */
export async function runTrajectory(start: PlainState, resume: boolean): Promise<TrajectoryRun> {
  if (!started) throw new Error('no trajectory was started');
  const { losses, next } = started;
  let { trainer } = started;
  const fresh = await trainer.readState();
  trainer.restoreState({ ...fresh, ...engineState(start) });
  let result = await trainer.run();
  const stops: string[] = [result.status];
  if (resume && result.status === 'stopped') {
    const saved = await trainer.readState();
    trainer.dispose();
    trainer = await next();
    trainer.restoreState(saved);
    result = await trainer.run();
    stops.push(result.status);
  }
  const end = await trainer.readState();
  const engine = trainer.engine.engine;
  const endEval = await trainer.evaluate();
  trainer.dispose();
  started = null;
  return { engine, stops, losses, history: result.history, endEval, end: plain(end) };
}
