/**
 * The start-up training probe: on each candidate backend that can start here, trains the
 * Classifier at batch 64 on one fixed batch for a fraction of a second (the fused kernels on
 * WebGPU, tfjs ops elsewhere), checks it trains correctly, and picks the fastest that does. It
 * switches this thread's tfjs backend, so it runs in its own Worker.
 */
import * as tf from '@tensorflow/tfjs';
import { Network } from '../model/network';
import { defaultHyperparameters, getArchitecture } from '../model/registry';
import { Adam } from '../train/adam';
import { currentWebGpuBackend, FusedTrainingStep, fusedTensors, type FusedTensors, type WebGpuBackendLike } from '../train/fused/engine';
import { fusedLayout } from '../train/fused/layout';
import { initialValues } from '../train/init';
import { Rng } from '../train/rng';
import { crossEntropy, trainStep } from '../train/step';
import type { RuntimeProbe } from './choice';
import { startTfjsBackend } from './init';
import { messageOf } from './probe';
import {
  judgeTraining,
  pickBackend,
  PROBE_CANDIDATES,
  probeCacheKey,
  skipReason,
  TRAINING_PROBE,
  type CandidateMeasurement,
  type CandidateOutcome,
  type ProbeCandidate,
  type TrainingProbeResult,
} from './probeDecision';

const PIXELS = 28 * 28;
const CLASSES = 10;

/** The fixed batch every candidate trains on: seeded pixels in 0..1 and labels 0..9 in turn. */
interface ProbeBatch {
  pixels: Float32Array;
  labels: Int32Array;
}

function probeBatch(): ProbeBatch {
  const rng = new Rng(TRAINING_PROBE.seed + 1);
  const pixels = new Float32Array(TRAINING_PROBE.batch * PIXELS);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.nextUint32() / 2 ** 32;
  const labels = Int32Array.from({ length: TRAINING_PROBE.batch }, (_, i) => i % CLASSES);
  return { pixels, labels };
}

/** A fresh Classifier (default size, seeded initialisation) and its Adam on the current backend. */
function freshModel(): { network: Network; adam: Adam } {
  const architecture = getArchitecture();
  const h = defaultHyperparameters(architecture);
  const network = new Network(architecture, h, initialValues(architecture.spec(h), new Rng(TRAINING_PROBE.seed)));
  return { network, adam: new Adam(network.totalParams, { lr: TRAINING_PROBE.lr, beta1: 0.9, beta2: 0.999 }) };
}

/** Eval-mode logits of the batch's first few images on the current backend. */
async function checkedLogits(network: Network, batch: ProbeBatch): Promise<Float32Array> {
  const n = TRAINING_PROBE.checkedImages;
  const logits = tf.tidy(() => network.logits(tf.tensor4d(batch.pixels.subarray(0, n * PIXELS), [n, 28, 28, 1]), 'eval'));
  try {
    return (await logits.data()) as Float32Array;
  } finally {
    logits.dispose();
  }
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return max;
}

/** Timed training: the first loss, the last loss, and the steps timed after the warm-up. */
interface TrainingRun {
  engine: CandidateMeasurement['engine'];
  firstStepMs: number;
  lossBefore: number;
  lossAfter: number;
  timedSteps: number;
  timedMs: number;
  referenceLoss?: number;
}

/** Trains with tfjs ops, each step synced so that the loop stops when its time budget is spent. */
async function trainWithTfjs(network: Network, adam: Adam, batch: ProbeBatch): Promise<TrainingRun> {
  const x = tf.tensor4d(batch.pixels, [TRAINING_PROBE.batch, 28, 28, 1]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(batch.labels, 'int32'), CLASSES).toFloat() as tf.Tensor2D);
  const step = async (): Promise<number> => {
    const loss = trainStep(network, adam, x, y);
    try {
      return (await loss.data())[0] ?? NaN;
    } finally {
      loss.dispose();
    }
  };
  try {
    const firstStarted = performance.now();
    const lossBefore = await step();
    const firstStepMs = performance.now() - firstStarted;
    const timedStarted = performance.now();
    let lossAfter = lossBefore;
    let timedSteps = 0;
    while (
      timedSteps < TRAINING_PROBE.minTimedSteps ||
      (timedSteps < TRAINING_PROBE.maxTimedSteps && performance.now() - timedStarted < TRAINING_PROBE.timedBudgetMs)
    ) {
      lossAfter = await step();
      timedSteps += 1;
    }
    return { engine: 'tfjs', firstStepMs, lossBefore, lossAfter, timedSteps, timedMs: performance.now() - timedStarted };
  } finally {
    tf.dispose([x, y]);
  }
}

/**
 * Trains with the fused WebGPU kernels as trials do (batch resident on the device, many steps per
 * submit). One synced step sizes the timed run, which is synced once at its end. The first loss
 * must match tfjs's loss on the same weights and batch.
 */
async function trainFused(backend: WebGpuBackendLike, network: Network, adam: Adam, batch: ProbeBatch): Promise<TrainingRun> {
  const h = network.hyperparameters;
  const size = TRAINING_PROBE.batch;
  const referenceLoss = tf.tidy(() => {
    const x = tf.tensor4d(batch.pixels, [size, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), CLASSES).toFloat() as tf.Tensor2D;
    return crossEntropy(network.logits(x, 'train'), y);
  });
  const tensors: FusedTensors = fusedTensors(
    { network, adam },
    {
      images: tf.tensor2d(batch.pixels, [size, PIXELS]),
      labels: tf.tensor1d(batch.labels, 'int32'),
      order: tf.range(0, size, 1, 'int32'),
      epochLoss: tf.variable(tf.scalar(0), false),
    },
  );
  let fused: FusedTrainingStep | undefined;
  const train = async (count: number): Promise<number> => {
    const steps = Array.from({ length: count }, (_, i) => ({ start: 0, size, adamStep: adam.step + i + 1 }));
    fused?.run(steps, tensors);
    adam.step += count;
    return (await fused?.lastLoss()) ?? NaN;
  };
  try {
    const reference = (await referenceLoss.data())[0] ?? NaN;
    const firstStarted = performance.now();
    fused = await FusedTrainingStep.create(backend, fusedLayout(h.f1 ?? 8, h.f2 ?? 6, size), adam.config);
    const lossBefore = await train(1);
    const firstStepMs = performance.now() - firstStarted;
    const timedStarted = performance.now();
    await train(1);
    const estimateMs = performance.now() - timedStarted;
    const wanted = Math.ceil(TRAINING_PROBE.timedBudgetMs / Math.max(estimateMs, 0.01)) - 1;
    const more = Math.max(TRAINING_PROBE.minTimedSteps - 1, Math.min(TRAINING_PROBE.maxTimedSteps - 1, wanted));
    const lossAfter = more > 0 ? await train(more) : await fused.lastLoss();
    const timedMs = performance.now() - timedStarted;
    return { engine: 'fused', firstStepMs, lossBefore, lossAfter, timedSteps: more + 1, timedMs, referenceLoss: reference };
  } finally {
    fused?.dispose();
    tf.dispose([referenceLoss, tensors.images, tensors.labels, tensors.order, tensors.epochLoss]);
  }
}

/** Starts `backend`, checks its logits against the cpu reference, and times a few training steps. */
async function measureCandidate(backend: ProbeCandidate, batch: ProbeBatch, reference: Float32Array): Promise<CandidateMeasurement> {
  const started = performance.now();
  await startTfjsBackend(backend);
  const startMs = performance.now() - started;
  const { network, adam } = freshModel();
  try {
    const maxLogitError = maxDifference(await checkedLogits(network, batch), reference);
    const webgpu = backend === 'webgpu' ? currentWebGpuBackend() : null;
    const run = webgpu ? await trainFused(webgpu, network, adam, batch) : await trainWithTfjs(network, adam, batch);
    const { timedMs, ...rest } = run;
    return {
      ...rest,
      samplesPerSecond: (run.timedSteps * TRAINING_PROBE.batch * 1000) / timedMs,
      msPerStep: timedMs / run.timedSteps,
      startMs,
      maxLogitError,
    };
  } finally {
    adam.dispose();
    network.dispose();
  }
}

/** The cpu backend's eval-mode logits for the checked images: the reference every candidate must match. */
async function referenceLogits(batch: ProbeBatch): Promise<Float32Array> {
  await startTfjsBackend('cpu');
  const { network, adam } = freshModel();
  try {
    return await checkedLogits(network, batch);
  } finally {
    adam.dispose();
    network.dispose();
  }
}

/** Measures every candidate that can start here and picks the fastest that trains correctly. */
export async function runTrainingProbe(runtime: RuntimeProbe, userAgent: string): Promise<TrainingProbeResult> {
  const started = performance.now();
  const batch = probeBatch();
  const reference = await referenceLogits(batch);
  const candidates: CandidateOutcome[] = [];
  for (const backend of PROBE_CANDIDATES) {
    const reason = skipReason(backend, runtime, candidates);
    if (reason !== null) {
      candidates.push({ backend, status: 'skipped', reason });
      continue;
    }
    try {
      const measurement = await measureCandidate(backend, batch, reference);
      candidates.push({ backend, status: 'measured', measurement, ...judgeTraining(measurement) });
    } catch (error) {
      candidates.push({ backend, status: 'failed', error: messageOf(error) });
    }
  }
  const decision = pickBackend(candidates);
  return {
    cacheKey: probeCacheKey(runtime, userAgent),
    measuredAt: Date.now(),
    wallMs: performance.now() - started,
    batch: TRAINING_PROBE.batch,
    candidates,
    chosen: decision.backend,
    reason: decision.reason,
  };
}
