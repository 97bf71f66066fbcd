import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineState, Evaluation } from '../../src/engine/stepEngine';
import type { ModelSpec } from '../../src/model/spec';
import { splitParameters } from '../../src/model/stateDict';
import { mnistDataDir } from '../lib/nodeMnist';
import { engineStateFromCheckpoint, requireTorch, TORCH_PYTHON } from './fixtures';
import { engineStateFromTorch, type TorchState } from './jsonTensors';

/** What `trajectory.py` trains: the model, Adam, the data, and the studio's order for each epoch. */
export interface TrajectoryRequest {
  f1: number;
  f2: number;
  lr: number;
  betas: [number, number];
  batch: number;
  /** PyTorch's seed for the initial weights. */
  seed: number;
  /** The first `train_count` of MNIST's training images, or of training then test images. */
  train: 'train' | 'train+test';
  train_count: number;
  /** The first `val_count` test images. */
  val_count: number;
  /** One order per epoch; `steps` trains only the first steps of it (the whole epoch when absent). */
  epochs: { order: number[]; steps?: number }[];
}

/** PyTorch's run along a request's orders. */
export interface TorchTrajectory {
  /** The state training started from (after one warm-up step), as the studio's .pt import reads it. */
  start: EngineState;
  /** The loss of every step, in order. */
  losses: number[];
  /** Each completed epoch's train_loss (mean of batch loss x size), val_loss and val_acc. */
  epochs: (Evaluation & { train_loss: number })[];
  end: TorchState;
  endEval: Evaluation;
}

/** Runs scripts/torch/trajectory.py: PyTorch trains the request's orders from a state it saves as a .pt. */
export function torchTrajectory(spec: ModelSpec, request: TrajectoryRequest): TorchTrajectory {
  requireTorch();
  const dir = mkdtempSync(join(tmpdir(), 'torch-trajectory-'));
  const checkpoint = join(dir, 'start.pt');
  writeFileSync(join(dir, 'request.json'), JSON.stringify({ ...request, checkpoint }));
  const script = join(dirname(fileURLToPath(import.meta.url)), 'trajectory.py');
  execFileSync(TORCH_PYTHON, [script, mnistDataDir(), join(dir, 'request.json'), join(dir, 'out.json')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as {
    losses: number[];
    epochs: TorchTrajectory['epochs'];
    end: TorchState;
    end_eval: Evaluation;
  };
  return { start: engineStateFromCheckpoint(spec, new Uint8Array(readFileSync(checkpoint))), losses: out.losses, epochs: out.epochs, end: out.end, endEval: out.end_eval };
}

/** The kinds of tensor a trajectory compares, each with its own tolerance. */
export type TensorKind = 'params' | 'expAvg' | 'expAvgSq' | 'runningMean' | 'runningVar';

/**
 * The largest difference between two tensors relative to the reference's scale: its largest
 * magnitude, but at least `floor` (a tenth of the largest of its kind in the model, given by
 * `stateDivergence`), so that a tolerance means the same for a weight of 0.3 and a second moment
 * of 1e-7, while a tensor that is rounding noise in both runs (a bias whose gradient is exactly
 * zero in exact arithmetic) is not judged against its own noise.
 */
function relativeDivergence(got: ArrayLike<number>, want: ArrayLike<number>, floor = 0): number {
  if (got.length !== want.length) throw new Error(`compared tensors hold ${got.length} and ${want.length} values`);
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? Number.NaN;
    diff = Math.max(diff, Math.abs((got[i] ?? Number.NaN) - w));
    scale = Math.max(scale, Math.abs(w));
  }
  if (Number.isNaN(diff)) return Number.NaN;
  return scale === 0 ? diff : diff / scale;
}

/** The smallest scale a tensor is judged at, as a fraction of the largest magnitude of its kind in the model. */
const KIND_SCALE_FLOOR = 0.1;

/** A kind's worst relative divergence and the tensor it is in. */
export interface Worst {
  value: number;
  at: string;
}

/** Per kind, the worst relative divergence over the tensors of that kind (each parameter, each BatchNorm's statistics). */
export function stateDivergence(spec: ModelSpec, got: EngineState, want: EngineState): Record<TensorKind, Worst> {
  const worst = (pairs: { key: string; got: Float32Array; want: Float32Array }[]): Worst => {
    const floor = KIND_SCALE_FLOOR * Math.max(...pairs.map((p) => p.want.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    return pairs.reduce<Worst>((w, p) => {
      const value = relativeDivergence(p.got, p.want, floor);
      return value > w.value || Number.isNaN(value) ? { value, at: p.key } : w;
    }, { value: 0, at: '' });
  };
  const perParameter = (a: Float32Array, b: Float32Array) => {
    const bs = splitParameters(spec, b);
    return worst(splitParameters(spec, a).map((t, i) => ({ key: t.key, got: t.data, want: bs[i]?.data ?? new Float32Array() })));
  };
  const batchNorms = spec.entries.filter((e) => e.key.endsWith('running_mean'));
  const perBatchNorm = (a: Float32Array, b: Float32Array) => {
    let offset = 0;
    return worst(
      batchNorms.map((e) => {
        const c = e.torchShape[0] ?? 0;
        const pair = { key: e.key.replace(/running_mean$/, ''), got: a.subarray(offset, offset + c), want: b.subarray(offset, offset + c) };
        offset += c;
        return pair;
      }),
    );
  };
  return {
    params: perParameter(got.network.params, want.network.params),
    expAvg: perParameter(got.adam.expAvg, want.adam.expAvg),
    expAvgSq: perParameter(got.adam.expAvgSq, want.adam.expAvgSq),
    runningMean: perBatchNorm(got.network.runningMeans, want.network.runningMeans),
    runningVar: perBatchNorm(got.network.runningVars, want.network.runningVars),
  };
}

/** The worst relative divergence of a run's per-step losses from PyTorch's (same length required). */
export function lossDivergence(got: readonly number[], want: readonly number[]): number {
  if (got.length !== want.length) throw new Error(`the run trained ${got.length} steps, PyTorch ${want.length}`);
  return Math.max(...got.map((l, i) => Math.abs(l - (want[i] ?? Number.NaN)) / Math.abs(want[i] ?? Number.NaN)));
}

/** A studio run as the trainer reported it: each reported step's loss (by 0-based step of the run), its epochs and its end state. */
export interface StudioRun {
  losses: Map<number, number>;
  history: readonly { epoch: number; train_loss: number; val_loss: number; val_acc: number }[];
  end: EngineState;
  /** Validation of the end state, where the run stopped before an epoch's end. */
  endEval?: Evaluation;
}

/** What a trajectory check measures: losses and epoch metrics, then the end state by kind. */
export type TrajectoryMeasure = 'loss' | 'trainLoss' | 'valLoss' | 'valAcc' | TensorKind;

/**
 * The largest divergence allowed from PyTorch, relative to scale (see `relativeDivergence`),
 * after a few dozen Adam steps at lr 1e-4. Float32 sums in another order differ by ~1e-7 at the
 * first step; Adam's first steps turn near-zero gradients (a bias in front of a BatchNorm whose
 * channel never clamps) into moves of about lr whatever their size, so the difference grows with
 * the steps. Measured over 14 to 36 steps: per-step loss 2e-7 (tfjs, cpu backend) to 1.5e-5 (fused
 * CPU), parameters up to 8e-3 of scale (such a bias), first moments up to 5e-2 (a moment is a
 * signed sum of small gradients, the most sensitive kind; 0.26 in a 38-step run at batch 16),
 * second moments 9e-3. At lr 1e-3 the same growth
 * reaches 1e-2 in the loss, which no check could tell from a wrong batch, hence lr 1e-4 here. A
 * batch trained out of order, skipped or repeated moves the loss at once by the spread between
 * batches (~1e-2), and a skipped step changes the exact step counts. `valAcc` is absolute:
 * evaluation must count the same digits right.
 */
export const TRAJECTORY_TOLERANCE: Readonly<Record<TrajectoryMeasure, number>> = {
  loss: 1e-4,
  trainLoss: 1e-5,
  valLoss: 1e-5,
  valAcc: 0,
  params: 2e-2,
  expAvg: 0.3,
  expAvgSq: 3e-2,
  runningMean: 2e-2,
  runningVar: 1e-3,
};

/** A run's divergence from PyTorch's, per measure, with the tensor each state measure's worst lies in. */
function trajectoryDivergence(spec: ModelSpec, torch: TorchTrajectory, run: StudioRun): { value: Record<TrajectoryMeasure, number>; at: Partial<Record<TensorKind, string>> } {
  const steps = [...run.losses.keys()].sort((a, b) => a - b);
  const state = stateDivergence(spec, run.end, engineStateFromTorch(spec, torch.end));
  const evaluations: [Evaluation, Evaluation | undefined][] = run.history.map((h, e) => [h, torch.epochs[e]]);
  if (run.endEval) evaluations.push([run.endEval, torch.endEval]);
  const differ = (got: number, want: number | undefined, relative: boolean) =>
    want === undefined ? Number.NaN : Math.abs(got - want) / (relative ? Math.abs(want) : 1);
  const epochs = (pick: (e: Evaluation) => number, relative: boolean) =>
    Math.max(0, ...evaluations.map(([got, want]) => differ(pick(got), want && pick(want), relative)));
  const kinds = Object.keys(state) as TensorKind[];
  return {
    value: {
      loss: lossDivergence(steps.map((s) => run.losses.get(s) ?? Number.NaN), steps.map((s) => torch.losses[s] ?? Number.NaN)),
      trainLoss: Math.max(0, ...run.history.map((h, e) => differ(h.train_loss, torch.epochs[e]?.train_loss, true))),
      valLoss: epochs((e) => e.val_loss, true),
      valAcc: epochs((e) => e.val_acc, false),
      ...(Object.fromEntries(kinds.map((k) => [k, state[k].value])) as Record<TensorKind, number>),
    },
    at: Object.fromEntries(kinds.map((k) => [k, state[k].at])),
  };
}

/**
 * Checks a run against PyTorch's: the same steps (Adam's step count and num_batches_tracked), the
 * same completed epochs, and every measure within `TRAJECTORY_TOLERANCE`. Prints the divergences;
 * returns what failed, in words (empty when the run follows PyTorch's).
 */
export function checkTrajectory(label: string, spec: ModelSpec, torch: TorchTrajectory, run: StudioRun): string[] {
  const { value, at } = trajectoryDivergence(spec, torch, run);
  console.log(
    `${label}: largest divergence from PyTorch over ${torch.losses.length} steps: ` +
      Object.entries(value).map(([k, v]) => `${k} ${v.toExponential(2)}${at[k as TensorKind] ? ` (${at[k as TensorKind]})` : ''}`).join(', '),
  );
  const failures: string[] = [];
  const want = engineStateFromTorch(spec, torch.end);
  if (run.end.adam.step !== want.adam.step) failures.push(`Adam's step is ${run.end.adam.step}, PyTorch's ${want.adam.step}`);
  if (run.end.network.batchesTracked !== want.network.batchesTracked) failures.push(`num_batches_tracked is ${run.end.network.batchesTracked}, PyTorch's ${want.network.batchesTracked}`);
  if (run.history.length !== torch.epochs.length) failures.push(`${run.history.length} epochs completed, PyTorch ${torch.epochs.length}`);
  for (const [measure, limit] of Object.entries(TRAJECTORY_TOLERANCE) as [TrajectoryMeasure, number][]) {
    const v = value[measure];
    if (!(v <= limit)) failures.push(`${measure} diverges by ${v.toExponential(2)}, more than ${limit}`);
  }
  return failures;
}
