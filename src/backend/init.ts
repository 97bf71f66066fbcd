/**
 * Starts the tfjs backend the studio trains on: probe, decide, import and register the backend,
 * and fall back (webgpu, then wasm, then cpu) when one fails to start. The page calls it to show
 * the decision; each training Worker calls it again for its own tfjs instance and, asked for
 * `auto`, follows the training probe's cached decision, the one the page made.
 */
import * as tf from '@tensorflow/tfjs';
import {
  chooseBackend,
  fallbackChain,
  type AdapterSummary,
  type BackendChoice,
  type BackendName,
} from './choice';
import { probeRuntime } from './probe';
import { messageOf } from '../studioError';
import type { RuntimeProbe } from './choice';
import { readCachedProbe } from './probeCache';
import type { TrainingProbeResult } from './probeDecision';
import { WASM_FILE_URLS } from './wasmFiles';

/** A backend that failed to start, and why. */
export interface BackendFailure {
  backend: BackendName;
  error: string;
}

/** What the studio found and started: shown in the backend panel and logged with each trial. */
export interface BackendReport {
  /** What the user asked for (`auto` unless overridden, e.g. by `?backend=wasm`). */
  requested: BackendChoice;
  /** The backend tfjs now runs on. */
  chosen: BackendName;
  /** Why `chosen` was picked, in a sentence for the user. */
  reason: string;
  webgpuAvailable: boolean;
  adapter?: AdapterSummary;
  /** Why WebGPU is unavailable, when it is. */
  webgpuProblem?: string;
  crossOriginIsolated: boolean;
  wasmSimd: boolean;
  /** The backend first decided on, when it failed to start and a later one took over. */
  fallbackFrom?: BackendFailure;
  /** The start-up training probe's figures for this adapter, when it has run. */
  measured?: TrainingProbeResult;
}

let wasmPathsSet = false;

/** Imports the backend's package (which registers it with tfjs) and makes it the active backend. */
export async function startTfjsBackend(name: BackendName): Promise<void> {
  if (name === 'webgpu') {
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!tf.findBackendFactory('webgpu')) throw new Error('tfjs did not register webgpu (no navigator.gpu)');
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (!wasmPathsSet) {
      wasm.setWasmPaths(WASM_FILE_URLS);
      wasmPathsSet = true;
    }
  }
  // tf.setBackend reports a failed initialisation as `false` (and a console warning), not a throw.
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialise the ${name} backend`);
  await tf.ready();
}

/**
 * Probes the runtime, starts the chosen tfjs backend (falling back if it fails) and reports what
 * runs. `measured` is the training probe's result; left out, the cached one for this runtime is
 * read (null: decide without it).
 */
export async function initBackend(
  requested: BackendChoice = 'auto',
  probe?: RuntimeProbe,
  measured?: TrainingProbeResult | null,
): Promise<BackendReport> {
  const runtime = probe ?? (await probeRuntime());
  const probeResult = measured === undefined ? await readCachedProbe(runtime) : (measured ?? undefined);
  const decision = chooseBackend(runtime, requested, probeResult && { backend: probeResult.chosen, reason: probeResult.reason });
  const failures: BackendFailure[] = [];
  for (const backend of fallbackChain(decision.backend)) {
    try {
      await startTfjsBackend(backend);
    } catch (error) {
      failures.push({ backend, error: messageOf(error) });
      continue;
    }
    const failed = failures.map((f) => `${f.backend} failed to start (${f.error})`).join('; ');
    return {
      requested,
      chosen: backend,
      reason: failures.length === 0 ? decision.reason : `${decision.reason} But ${failed}; using ${backend}.`,
      webgpuAvailable: runtime.webgpuAvailable,
      adapter: runtime.adapter,
      webgpuProblem: runtime.webgpuProblem,
      crossOriginIsolated: runtime.crossOriginIsolated,
      wasmSimd: runtime.wasmSimd,
      fallbackFrom: failures[0],
      measured: probeResult,
    };
  }
  throw new Error(`No tfjs backend could start: ${failures.map((f) => `${f.backend}: ${f.error}`).join('; ')}`);
}
