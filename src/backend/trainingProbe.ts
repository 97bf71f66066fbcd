/**
 * The start-up training probe: on each candidate backend that can start here, trains the
 * Classifier at batch 64 on one fixed batch for a fraction of a second with the engine trials
 * train with there, checks it trains correctly, and picks the fastest that does. It
 * switches this thread's tfjs backend, so it runs in its own Worker.
 */
import { startEngine } from '../engine/engines';
import { ENGINE_NAMES, type StepEngine } from '../engine/stepEngine';
import { inOrder, syntheticSetup } from '../engine/syntheticSetup';
import type { RuntimeProbe } from './choice';
import { startTfjsBackend } from './init';
import { messageOf } from '../studioError';
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

/** The probe's model and batch: the default Classifier, seeded, on one batch of seeded random images. */
const probeSetup = () => syntheticSetup(TRAINING_PROBE.batch, TRAINING_PROBE.seed, TRAINING_PROBE.lr);
const order = inOrder(TRAINING_PROBE.batch);
const oneStep = [{ start: 0, size: TRAINING_PROBE.batch }];

/** Eval-mode logits of the batch's first few images. */
function checkedLogits(engine: StepEngine): Promise<Float32Array> {
  return engine.predict(probeSetup().train.images.subarray(0, TRAINING_PROBE.checkedImages * PIXELS));
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return max;
}

/** What every candidate must match: tfjs ops on the cpu backend, its logits and its first loss. */
interface Reference {
  logits: Float32Array;
  loss: number;
}

async function measureReference(): Promise<Reference> {
  await startTfjsBackend('cpu');
  const { engine } = await startEngine(ENGINE_NAMES.tfjs, probeSetup());
  try {
    const logits = await checkedLogits(engine);
    return { logits, loss: await engine.train(order, oneStep) };
  } finally {
    engine.dispose();
  }
}

/**
 * Starts `backend` and the engine trials train with there, checks its logits and first loss
 * against the cpu reference, and times it: one step sizes a run of steps trained as an epoch's
 * are (many to a submit on WebGPU), synced once at its end.
 */
async function measureCandidate(backend: ProbeCandidate, reference: Reference): Promise<CandidateMeasurement> {
  const started = performance.now();
  await startTfjsBackend(backend);
  const startMs = performance.now() - started;
  const engineStarted = performance.now();
  const { engine } = await startEngine('auto', probeSetup());
  const engineMs = performance.now() - engineStarted;
  try {
    const maxLogitError = maxDifference(await checkedLogits(engine), reference.logits);
    const firstStarted = performance.now();
    const lossBefore = await engine.train(order, oneStep);
    const firstStepMs = engineMs + performance.now() - firstStarted;
    const timedStarted = performance.now();
    let lossAfter = await engine.train(order, oneStep);
    const estimateMs = performance.now() - timedStarted;
    const wanted = Math.ceil(TRAINING_PROBE.timedBudgetMs / Math.max(estimateMs, 0.01)) - 1;
    const more = Math.max(TRAINING_PROBE.minTimedSteps - 1, Math.min(TRAINING_PROBE.maxTimedSteps - 1, wanted));
    if (more > 0) lossAfter = await engine.train(order, Array.from({ length: more }, () => ({ start: 0, size: TRAINING_PROBE.batch })));
    const timedMs = performance.now() - timedStarted;
    const timedSteps = more + 1;
    return {
      engine: engine.name,
      samplesPerSecond: (timedSteps * TRAINING_PROBE.batch * 1000) / timedMs,
      msPerStep: timedMs / timedSteps,
      timedSteps,
      startMs,
      firstStepMs,
      maxLogitError,
      lossBefore,
      lossAfter,
      referenceLoss: reference.loss,
    };
  } finally {
    engine.dispose();
  }
}

/** Measures every candidate that can start here and picks the fastest that trains correctly. */
export async function runTrainingProbe(runtime: RuntimeProbe, userAgent: string): Promise<TrainingProbeResult> {
  const started = performance.now();
  const reference = await measureReference();
  const candidates: CandidateOutcome[] = [];
  for (const backend of PROBE_CANDIDATES) {
    const reason = skipReason(backend, runtime, candidates);
    if (reason !== null) {
      candidates.push({ backend, status: 'skipped', reason });
      continue;
    }
    try {
      const measurement = await measureCandidate(backend, reference);
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
