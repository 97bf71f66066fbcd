import type { StateCreator } from 'zustand';
import type { StudioState } from './store';

/** Progress and outcome of loading MNIST into IndexedDB. */
export interface DatasetSlice {
  dataset: { status: 'idle' } | { status: 'ready' };
  setDatasetReady: () => void;
}

export const createDatasetSlice: StateCreator<StudioState, [], [], DatasetSlice> = (set) => ({
  dataset: { status: 'idle' },
  setDatasetReady: () => set({ dataset: { status: 'ready' } }),
});
