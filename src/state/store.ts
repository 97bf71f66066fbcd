import { create } from 'zustand';
import { createBackendSlice, type BackendSlice } from './backendSlice';
import { createDatasetSlice, type DatasetSlice } from './datasetSlice';

/** Every slice of the studio's state, combined into one bound store. */
export type StudioState = BackendSlice & DatasetSlice;

/** The studio's one zustand store; components read it with per-field selectors. */
export const useStudio = create<StudioState>()((...a) => ({
  ...createBackendSlice(...a),
  ...createDatasetSlice(...a),
}));
