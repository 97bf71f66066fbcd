import type { StateCreator } from 'zustand';
import type { BackendChoice, BackendReport, SelfTestResult } from '../backend';
import type { StudioState } from './store';

/** The matmul self-test that proves the chosen backend computes. */
export type SelfTestState =
  | { status: 'running' }
  | { status: 'passed' | 'wrong'; result: SelfTestResult }
  | { status: 'failed'; error: string };

/** Where the page is in probing WebGPU and starting tfjs. */
export type BackendState =
  | { status: 'idle' }
  | { status: 'starting'; requested: BackendChoice }
  | { status: 'ready'; report: BackendReport; selfTest: SelfTestState }
  | { status: 'failed'; requested: BackendChoice; error: string };

/** What the page learned about WebGPU, which tfjs backend it started, and why. */
export interface BackendSlice {
  backend: BackendState;
  /** Probes the runtime, starts the chosen backend and self-tests it; runs once per page. */
  startBackend: (requested: BackendChoice) => Promise<void>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const createBackendSlice: StateCreator<StudioState, [], [], BackendSlice> = (set, get) => ({
  backend: { status: 'idle' },
  startBackend: async (requested) => {
    if (get().backend.status !== 'idle') return;
    set({ backend: { status: 'starting', requested } });
    let report: BackendReport;
    let runMatmulSelfTest: () => Promise<SelfTestResult>;
    try {
      // Loaded on demand so that tfjs stays out of the bundle that paints the first screen.
      const backend = await import('../backend');
      runMatmulSelfTest = () => backend.runMatmulSelfTest();
      report = await backend.initBackend(requested);
    } catch (error) {
      set({ backend: { status: 'failed', requested, error: messageOf(error) } });
      return;
    }
    set({ backend: { status: 'ready', report, selfTest: { status: 'running' } } });
    let selfTest: SelfTestState;
    try {
      const result = await runMatmulSelfTest();
      selfTest = { status: result.ok ? 'passed' : 'wrong', result };
    } catch (error) {
      selfTest = { status: 'failed', error: messageOf(error) };
    }
    set({ backend: { status: 'ready', report, selfTest } });
  },
});
