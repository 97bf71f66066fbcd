import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMnistSplit } from '../../scripts/lib/nodeMnist';
import { checkTrajectory, lossDivergence, stateDivergence, torchTrajectory, TRAJECTORY_TOLERANCE, type StudioRun, type TorchTrajectory } from '../../scripts/torch/trajectory';
import type { MnistSplit } from '../data/idx';
import { classifier } from '../model/classifier';
import { Rng } from '../train/rng';
import { createTrainer, type TrainConfig, type TrainingState } from './trainer';
import { startEngine } from './engines';
import { ENGINE_NAMES, type EngineName } from './stepEngine';

/**
 * Whole runs against PyTorch: 1,100 MNIST training images (more than 1,024) in batches of 64, so
 * each epoch ends on a partial batch of 12 (PyTorch's DataLoader trains it: drop_last=False), for
 * two epochs with the trainer's reshuffle between them. Both sides start from one state PyTorch
 * saved as a .pt (read by the studio's checkpoint reader) and train the studio's shuffle, exported
 * to PyTorch. Tolerances and why: TRAJECTORY_TOLERANCE in scripts/torch/trajectory.ts.
 */
const CONFIG: TrainConfig = { f1: 8, f2: 6, lr: 1e-4, beta1: 0.9, beta2: 0.999, batch_size: 64, seed: 7, max_num_epochs: 2 };
const TRAIN = 1100;
const VAL = 500;
const STEPS_PER_EPOCH = Math.ceil(TRAIN / CONFIG.batch_size);
const TOTAL_STEPS = CONFIG.max_num_epochs * STEPS_PER_EPOCH;
/** Stops mid-epoch 2, saves, and continues in a new trainer, as a search resumes a trial. */
const STOP_AFTER = STEPS_PER_EPOCH + 7;

/**
 * The engines that run in Node (fused WebGPU: e2e/fusedTrajectory.spec.ts), each with the runs it
 * takes: steps per engine call, and whether it stops and continues. tfjs runs on tfjs's cpu
 * backend (a minute a run on two cores), so it takes one run: one step a call, saved and continued.
 */
const RUNS: { engine: EngineName; runs: { progressEvery: number; resume: boolean }[] }[] = [
  { engine: ENGINE_NAMES.tfjs, runs: [{ progressEvery: 1, resume: true }] },
  { engine: ENGINE_NAMES.fusedCpu, runs: [{ progressEvery: 1, resume: false }, { progressEvery: 7, resume: true }] },
];

describe.each(RUNS)('a whole run on the $engine engine against PyTorch', ({ engine, runs }) => {
  const spec = classifier.spec({ f1: CONFIG.f1 as number, f2: CONFIG.f2 as number });
  let data: { train: MnistSplit; test: MnistSplit };
  let torch: TorchTrajectory;
  let orders: Int32Array[];
  const done: StudioRun[] = [];

  /** Trains the run from PyTorch's starting state with `progressEvery` steps per engine call, optionally stopping and continuing. */
  const train = async (progressEvery: number, resume: boolean): Promise<StudioRun> => {
    const losses = new Map<number, number>();
    const options = { config: CONFIG, data, trainLimit: TRAIN, valLimit: VAL, progressEvery, engine };
    const controller = new AbortController();
    const onProgress = ({ epoch, step, loss }: { epoch: number; step: number; loss: number }) => {
      const at = (epoch - 1) * STEPS_PER_EPOCH + step;
      losses.set(at - 1, loss);
      if (resume && at === STOP_AFTER) controller.abort();
    };
    const first = await createTrainer({ ...options, onProgress, signal: controller.signal });
    let saved: TrainingState;
    try {
      expect(first.engine.engine).toBe(engine);
      const fresh = await first.readState();
      first.restoreState({ ...fresh, network: torch.start.network, adam: torch.start.adam, epochLossSum: 0 });
      const result = await first.run();
      if (!resume) return { losses, history: result.history, end: await first.readState() };
      expect(result.status).toBe('stopped');
      saved = await first.readState();
    } finally {
      first.dispose();
    }
    const second = await createTrainer({ ...options, onProgress });
    try {
      second.restoreState(saved);
      const result = await second.run();
      expect(result.status).toBe('completed');
      return { losses, history: result.history, end: await second.readState() };
    } finally {
      second.dispose();
    }
  };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    data = { train: readMnistSplit('train'), test: readMnistSplit('test') };
    // The studio's shuffle for this config: the trainer's generator as it stands before the first epoch.
    const probe = await createTrainer({ config: CONFIG, data, trainLimit: TRAIN, valLimit: VAL, engine: ENGINE_NAMES.fusedCpu });
    const rng = new Rng((await probe.readState()).rng);
    probe.dispose();
    orders = Array.from({ length: CONFIG.max_num_epochs }, () => rng.permutation(TRAIN));
    const epochs = orders.map((o) => ({ order: Array.from(o) }));
    torch = torchTrajectory(spec, {
      f1: CONFIG.f1 as number, f2: CONFIG.f2 as number, lr: CONFIG.lr, betas: [CONFIG.beta1, CONFIG.beta2], batch: CONFIG.batch_size,
      seed: 3, train: 'train', train_count: TRAIN, val_count: VAL, epochs,
    });
    expect(torch.losses).toHaveLength(TOTAL_STEPS);
    expect(torch.epochs).toHaveLength(CONFIG.max_num_epochs);
  });

  it.each(runs)('$progressEvery step(s) per engine call (saved mid-epoch 2 and continued: $resume) follows PyTorch', async ({ progressEvery, resume }) => {
    const run = await train(progressEvery, resume);
    const reported = Array.from({ length: TOTAL_STEPS }, (_, s) => s).filter((s) => (s % STEPS_PER_EPOCH) + 1 === STEPS_PER_EPOCH || ((s % STEPS_PER_EPOCH) + 1) % progressEvery === 0);
    expect([...run.losses.keys()].sort((a, b) => a - b)).toEqual(reported);
    expect(run.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(checkTrajectory(`${engine}, ${progressEvery} step(s) a call${resume ? `, saved after step ${STOP_AFTER} and continued` : ''}`, spec, torch, run)).toEqual([]);
    // However the steps are grouped into calls, and across a save, the engine computes the same run.
    const previous = done[0];
    if (previous) {
      const same = stateDivergence(spec, run.end, previous.end);
      expect(Object.values(same).map((w) => w.value)).toEqual([0, 0, 0, 0, 0]);
      const metrics = (r: StudioRun) => r.history.map(({ epoch, train_loss, val_loss, val_acc }) => ({ epoch, train_loss, val_loss, val_acc }));
      expect(metrics(run)).toEqual(metrics(previous));
    }
    done.push(run);
  }, 300_000);

  // The check's own sensitivity, shown on the fast engine.
  if (engine === ENGINE_NAMES.fusedCpu) it('would fail when the last partial batch of epoch 1 were skipped (the check can fail)', async () => {
    const { engine: skipping } = await startEngine(engine, {
      architecture: classifier, hyperparameters: { f1: 8, f2: 6 }, adam: { lr: CONFIG.lr, beta1: CONFIG.beta1, beta2: CONFIG.beta2 }, batchSize: CONFIG.batch_size,
      train: { count: TRAIN, images: data.train.images, labels: data.train.labels }, val: { count: VAL, images: data.test.images, labels: data.test.labels },
      initial: torch.start.network,
    });
    try {
      skipping.writeState(torch.start);
      const steps = (skipLast: boolean) =>
        Array.from({ length: STEPS_PER_EPOCH - (skipLast ? 1 : 0) }, (_, s) => ({ start: s * CONFIG.batch_size, size: Math.min(CONFIG.batch_size, TRAIN - s * CONFIG.batch_size) }));
      await skipping.train(orders[0]!, steps(true));
      const losses: number[] = [];
      for (const step of steps(false)) losses.push(await skipping.train(orders[1]!, [step]));
      const divergence = lossDivergence(losses, torch.losses.slice(STEPS_PER_EPOCH));
      console.log(`${engine} skipping epoch 1's partial batch: epoch 2's losses diverge by ${divergence.toExponential(2)}`);
      expect(divergence).toBeGreaterThan(TRAJECTORY_TOLERANCE.loss);
      const run = { losses: new Map(losses.map((l, i) => [STEPS_PER_EPOCH + i, l])), history: [], end: await skipping.readState() };
      const failures = checkTrajectory(`${engine}, last partial batch of epoch 1 skipped`, spec, { ...torch, epochs: [] }, run);
      expect(failures).toEqual(expect.arrayContaining([expect.stringMatching(/^Adam's step is/), expect.stringMatching(/^loss diverges/)]));
    } finally {
      skipping.dispose();
    }
  });
});
