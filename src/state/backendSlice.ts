import type { StateCreator } from 'zustand';
import type { BackendChoice, BackendReport, RuntimeProbe, SelfTestResult, TrainingProbeResult } from '../backend';
import type { StudioState } from './store';
import { messageOf } from '../studioError';

/** The matmul self-test that proves the chosen backend computes. */
export type SelfTestState =
  | { status: 'running' }
  | { status: 'passed' | 'wrong'; result: SelfTestResult }
  | { status: 'failed'; error: string };

/** The start-up training probe: not run (an explicit backend and nothing cached), running, done, or failed. */
export type ProbeState =
  | { status: 'not-run' }
  /** Looking for a cached measurement before deciding whether to measure. */
  | { status: 'checking' }
  | { status: 'measuring' }
  | { status: 'measured' | 'cached'; result: TrainingProbeResult; notSaved?: string }
  | { status: 'failed'; error: string };

/** Where the page is in probing WebGPU, measuring the backends and starting tfjs. */
export type BackendState =
  | { status: 'idle' }
  | { status: 'starting'; requested: BackendChoice; probe: ProbeState }
  | { status: 'ready'; report: BackendReport; selfTest: SelfTestState; probe: ProbeState }
  | { status: 'failed'; requested: BackendChoice; error: string; probe: ProbeState };

/** What the page learned about WebGPU, which tfjs backend it started, and why. */
export interface BackendSlice {
  backend: BackendState;
  /** Probes the runtime, measures the backends unless cached or overridden, starts the choice and self-tests it; once per page. */
  startBackend: (requested: BackendChoice) => Promise<void>;
  /** Starts another backend on the page (`auto`: the probe's choice); trials started afterwards ask for it too. */
  switchBackend: (requested: BackendChoice) => Promise<void>;
  /** Forgets the cached probe, measures again and, under `auto`, starts the new choice. */
  rerunProbe: () => Promise<void>;
}

/**
 * The probe's state before the runtime is known: under `auto` a measurement (or a cached one) is
 * on its way, so nothing may read as "chosen by hand" until the backend really was.
 */
export function initialProbeState(requested: BackendChoice): ProbeState {
  return requested === 'auto' ? { status: 'checking' } : { status: 'not-run' };
}

/** The probe result a state holds, if any. */
function resultOf(probe: ProbeState): TrainingProbeResult | null {
  return probe.status === 'measured' || probe.status === 'cached' ? probe.result : null;
}

// Loaded on demand so that tfjs stays out of the bundle that paints the first screen.
const loadBackend = () => import('../backend');

export const createBackendSlice: StateCreator<StudioState, [], [], BackendSlice> = (set, get) => {
  let runtime: RuntimeProbe | undefined;

  const requestedNow = (): BackendChoice => {
    const backend = get().backend;
    if (backend.status === 'ready') return backend.report.requested;
    return backend.status === 'idle' ? 'auto' : backend.requested;
  };

  const setProbe = (probe: ProbeState) => {
    const backend = get().backend;
    if (backend.status !== 'idle') set({ backend: { ...backend, probe } });
  };

  /** Measures in a Worker and caches the result; the probe's state follows along. */
  const measure = async (current: RuntimeProbe): Promise<ProbeState> => {
    setProbe({ status: 'measuring' });
    let probe: ProbeState;
    try {
      const { measureBackendsInWorker } = await import('../workers/probeWorker');
      const result = await measureBackendsInWorker(current);
      const { saveProbe } = await loadBackend();
      const notSaved = await saveProbe(result).then(
        () => undefined,
        (error: unknown) => messageOf(error),
      );
      probe = { status: 'measured', result, notSaved };
    } catch (error) {
      probe = { status: 'failed', error: messageOf(error) };
    }
    setProbe(probe);
    return probe;
  };

  /** Starts `requested` on the page's tfjs, then self-tests it. */
  const launch = async (requested: BackendChoice, current: RuntimeProbe, probe: ProbeState): Promise<void> => {
    set({ backend: { status: 'starting', requested, probe } });
    let report: BackendReport;
    let runMatmulSelfTest: () => Promise<SelfTestResult>;
    try {
      const backend = await loadBackend();
      runMatmulSelfTest = () => backend.runMatmulSelfTest();
      report = await backend.initBackend(requested, current, resultOf(probe));
    } catch (error) {
      set({ backend: { status: 'failed', requested, error: messageOf(error), probe } });
      return;
    }
    set({ backend: { status: 'ready', report, selfTest: { status: 'running' }, probe } });
    let selfTest: SelfTestState;
    try {
      const result = await runMatmulSelfTest();
      selfTest = { status: result.ok ? 'passed' : 'wrong', result };
    } catch (error) {
      selfTest = { status: 'failed', error: messageOf(error) };
    }
    const now = get().backend;
    if (now.status === 'ready' && now.report === report) set({ backend: { ...now, selfTest } });
  };

  return {
    backend: { status: 'idle' },
    startBackend: async (requested) => {
      if (get().backend.status !== 'idle') return;
      let probe = initialProbeState(requested);
      set({ backend: { status: 'starting', requested, probe } });
      try {
        const backend = await loadBackend();
        runtime = await backend.probeRuntime();
        const cached = await backend.readCachedProbe(runtime);
        if (cached) probe = { status: 'cached', result: cached };
        else if (requested === 'auto') probe = await measure(runtime);
        else probe = { status: 'not-run' };
      } catch (error) {
        set({ backend: { status: 'failed', requested, error: messageOf(error), probe } });
        return;
      }
      await launch(requested, runtime, probe);
    },
    switchBackend: async (requested) => {
      const backend = get().backend;
      if (!runtime || backend.status === 'idle' || backend.status === 'starting') return;
      await launch(requested, runtime, backend.probe);
    },
    rerunProbe: async () => {
      const backend = get().backend;
      if (!runtime || backend.status === 'idle' || backend.probe.status === 'measuring') return;
      const { forgetProbes } = await loadBackend();
      await forgetProbes().catch(() => undefined);
      const probe = await measure(runtime);
      const requested = requestedNow();
      const now = get().backend;
      if (requested === 'auto' && now.status !== 'starting') await launch(requested, runtime, probe);
    },
  };
};
