import type { StateCreator } from 'zustand';
import type { StudioState } from './store';

/** What the page learned about WebGPU and which tfjs backend it picked. */
export interface BackendSlice {
  backend: { status: 'probing' } | { status: 'ready'; report: unknown };
  setBackendReport: (report: unknown) => void;
}

export const createBackendSlice: StateCreator<StudioState, [], [], BackendSlice> = (set) => ({
  backend: { status: 'probing' },
  setBackendReport: (report) => set({ backend: { status: 'ready', report } }),
});
