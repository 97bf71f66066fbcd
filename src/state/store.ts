import { create } from 'zustand';
import { createBackendSlice, type BackendSlice } from './backendSlice';
import { createConfigSlice, type ConfigSlice } from './configSlice';
import { createDatasetSlice, type DatasetSlice } from './datasetSlice';
import { createModelsSlice, type ModelsSlice } from './modelsSlice';
import { createSearchSlice, type SearchSlice } from './searchSlice';
import { createTrackingSlice, type TrackingSlice } from './trackingSlice';

/** Every slice of the studio's state, combined into one bound store. */
export type StudioState = BackendSlice & DatasetSlice & ConfigSlice & SearchSlice & ModelsSlice & TrackingSlice;

/** The studio's one zustand store; components read it with per-field selectors. */
export const useStudio = create<StudioState>()((...a) => ({
  ...createBackendSlice(...a),
  ...createDatasetSlice(...a),
  ...createConfigSlice(...a),
  ...createSearchSlice(...a),
  ...createModelsSlice(...a),
  ...createTrackingSlice(...a),
}));
