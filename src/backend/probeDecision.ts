/**
 * The start-up training probe's pure half: which backends it measures, what counts as training
 * correctly, which backend wins, and the key its result is cached under. No tfjs, no DOM.
 */
import { ENGINE_LABELS, ENGINE_NAMES, type EngineName } from '../engine/stepEngine';
import type { BackendDecision, BackendName, RuntimeProbe } from './choice';

/** The backends the probe considers, in the order it tries them. */
export const PROBE_CANDIDATES = ['webgpu', 'wasm', 'cpu'] as const satisfies readonly BackendName[];
export type ProbeCandidate = (typeof PROBE_CANDIDATES)[number];

/**
 * How the probe measures. Each measured backend trains the Classifier at the studio's batch 64 on
 * one fixed batch: one warm-up step, then synced steps until the time budget is spent. A wasm step
 * takes ~115 ms on 2 cores, so there the whole probe is about one cpu reference, one wasm start and
 * two steps.
 */
export const TRAINING_PROBE = {
  /** Part of the cache key: bump it when the probe or the training step changes what it measures. */
  version: 2,
  batch: 64,
  seed: 1234,
  lr: 1e-3,
  /** Images of the batch whose eval-mode logits are checked against the tfjs cpu backend. */
  checkedImages: 2,
  /** Largest absolute logit difference from the cpu backend that still counts as correct. */
  logitTolerance: 1e-3,
  /** Largest difference between the fused kernels' first loss and tfjs's loss on the same batch. */
  lossTolerance: 1e-3,
  /** Timed steps stop once they have taken this long (after at least `minTimedSteps`). */
  timedBudgetMs: 200,
  minTimedSteps: 1,
  maxTimedSteps: 20,
  /**
   * Faster than any CPU trains this model (PyTorch on 16 CPU threads: ~4,900 samples/s at batch
   * 64): once WebGPU trains correctly above it, timing wasm too would only cost start-up time.
   */
  beyondCpuSamplesPerSecond: 10_000,
} as const;

/** What measuring one backend found. */
export interface CandidateMeasurement {
  /** The engine that trained: the one trials on this backend train with. */
  engine: EngineName;
  samplesPerSecond: number;
  msPerStep: number;
  timedSteps: number;
  /** Starting the backend (loading wasm, opening the device). */
  startMs: number;
  /** The warm-up step: kernel compilation and allocation included. */
  firstStepMs: number;
  /** Largest absolute difference of eval-mode logits from the cpu backend's. */
  maxLogitError: number;
  /** The fixed batch's loss at the first step and at the last one. */
  lossBefore: number;
  lossAfter: number;
  /** The tfjs cpu backend's loss on the same batch and weights: the first loss must match it. */
  referenceLoss?: number;
}

/** One candidate's outcome: measured (correct or not), skipped with a reason, or failed to start or train. */
export type CandidateOutcome =
  | { backend: ProbeCandidate; status: 'measured'; measurement: CandidateMeasurement; correct: boolean; problem?: string }
  | { backend: ProbeCandidate; status: 'skipped'; reason: string }
  | { backend: ProbeCandidate; status: 'failed'; error: string };

/** A finished probe: every candidate's outcome, the choice and its sentence, cached per adapter. */
export interface TrainingProbeResult {
  cacheKey: string;
  /** When it ran (ms since the epoch). */
  measuredAt: number;
  /** Wall time of the whole probe, the cpu reference included. */
  wallMs: number;
  batch: number;
  candidates: CandidateOutcome[];
  chosen: BackendName;
  reason: string;
}

/**
 * The key a probe result is cached under: the adapter, the wasm build this engine can run (SIMD,
 * threads), the browser and the probe's version. Any change means other speeds, so a new probe.
 */
export function probeCacheKey(runtime: RuntimeProbe, userAgent: string): string {
  const adapter = runtime.adapter
    ? [runtime.adapter.vendor, runtime.adapter.architecture, runtime.adapter.description, runtime.adapter.isFallback ? 'software' : 'hardware'].join('|')
    : 'no webgpu';
  const wasm = `${runtime.wasmSimd ? 'simd' : 'no simd'}, ${runtime.crossOriginIsolated ? 'threads' : 'one thread'}`;
  return `probe v${TRAINING_PROBE.version} · ${adapter} · ${wasm} · ${userAgent}`;
}

/** Why the probe does not measure `candidate` here, or null when it does. */
export function skipReason(candidate: ProbeCandidate, runtime: RuntimeProbe, earlier: readonly CandidateOutcome[]): string | null {
  if (candidate === 'webgpu') {
    if (!runtime.webgpuAvailable || !runtime.adapter) return `no WebGPU adapter (${runtime.webgpuProblem ?? 'none offered'})`;
    if (runtime.adapter.isFallback) {
      return (
        'a software adapter: WebGPU runs on the CPU here, ~40x slower than wasm, and compiling its ' +
        'kernels alone takes seconds'
      );
    }
    return null;
  }
  if (candidate === 'wasm') {
    const gpu = earlier.find((o) => o.backend === 'webgpu' && o.status === 'measured' && o.correct);
    const speed = gpu?.status === 'measured' ? gpu.measurement.samplesPerSecond : 0;
    return speed > TRAINING_PROBE.beyondCpuSamplesPerSecond
      ? `not timed: webgpu already trains correctly at ${Math.round(speed)} samples/s, beyond what a CPU reaches with this model`
      : null;
  }
  if (candidate === 'cpu') {
    const working = earlier.find((outcome) => outcome.status === 'measured' && outcome.correct);
    return working
      ? `the last resort, not timed: ${working.backend} trains correctly and cpu is ~20x slower than wasm`
      : 'not timed (a step takes seconds): the last resort, as no faster backend trained correctly';
  }
  return null;
}

/** Whether a measured backend trained correctly, and what was wrong when it did not. */
export function judgeTraining(m: CandidateMeasurement): { correct: boolean; problem?: string } {
  const losses = [m.lossBefore, m.lossAfter, ...(m.referenceLoss === undefined ? [] : [m.referenceLoss])];
  if (!losses.every(Number.isFinite)) return { correct: false, problem: `a loss is not finite (${losses.join(', ')})` };
  // NaN compares false, so a NaN logit fails here too.
  if (!(m.maxLogitError <= TRAINING_PROBE.logitTolerance)) {
    return { correct: false, problem: `logits differ from the cpu backend's by ${m.maxLogitError.toExponential(1)}` };
  }
  if (m.referenceLoss !== undefined && Math.abs(m.lossBefore - m.referenceLoss) > TRAINING_PROBE.lossTolerance) {
    return { correct: false, problem: `first loss ${m.lossBefore.toFixed(4)} against tfjs's ${m.referenceLoss.toFixed(4)} on the cpu backend` };
  }
  if (!(m.lossAfter < m.lossBefore)) {
    return { correct: false, problem: `the loss did not go down (${m.lossBefore.toFixed(4)} to ${m.lossAfter.toFixed(4)})` };
  }
  return { correct: true };
}

const perSecond = (m: CandidateMeasurement) => `${Math.round(m.samplesPerSecond)} samples/s`;

/** The fastest backend that trained correctly, or cpu when none did, with the sentence that says why. */
export function pickBackend(outcomes: readonly CandidateOutcome[]): BackendDecision {
  const correct = outcomes
    .flatMap((outcome) => (outcome.status === 'measured' && outcome.correct ? [outcome] : []))
    .sort((a, b) => b.measurement.samplesPerSecond - a.measurement.samplesPerSecond);
  const [fastest, ...slower] = correct;
  if (!fastest) {
    return { backend: 'cpu', reason: 'Measured at start-up: no faster backend trained correctly, so cpu, the last resort.' };
  }
  const others = slower.map((o) => `${o.backend} ${perSecond(o.measurement)}`);
  const versus = others.length > 0 ? ` against ${others.join(', ')}` : '';
  const engine = fastest.measurement.engine === ENGINE_NAMES.tfjs ? '' : ` with the ${ENGINE_LABELS[fastest.measurement.engine]}`;
  return {
    backend: fastest.backend,
    reason: `Measured at start-up: ${fastest.backend}${engine} is the fastest backend that trains correctly here (${perSecond(fastest.measurement)} at batch ${TRAINING_PROBE.batch}${versus}).`,
  };
}
