import type { StateCreator } from 'zustand';
import type { MnistSplit } from '../data/idx';
import { loadMnist, type MnistLoadProgress, type MnistLoadResult, type MnistSource } from '../data/loadMnist';
import { mnistManifestUrl } from '../data/manifest';
import { clearMnistCache } from '../data/mnistCache';
import { labelHistogram } from '../data/shard';
import type { StudioState } from './store';
import { messageOf } from '../studioError';

/** What the dataset panel shows once MNIST is loaded. */
export interface DatasetSummary {
  trainCount: number;
  testCount: number;
  /** Examples per digit 0..9. */
  trainHistogram: number[];
  testHistogram: number[];
  source: MnistSource;
  shardCount: number;
  /** Shards whose cached copy failed its check and was downloaded again. */
  repairedShards: string[];
  bytes: { total: number; downloaded: number; raw: number };
  /** Milliseconds from the start of the load, and from the page's navigation, to data ready. */
  readyMs: number;
  /** The load's phases, in milliseconds. */
  timings: MnistLoadResult['timings'];
  readySincePageMs: number;
  /** False when IndexedDB failed: the data is in memory for this visit only. */
  cached: boolean;
  warnings: string[];
}

/** Where loading MNIST stands. */
export type DatasetState =
  | { status: 'idle' }
  | { status: 'loading'; progress: MnistLoadProgress }
  | { status: 'ready'; summary: DatasetSummary }
  | { status: 'error'; message: string };

/** MNIST's splits as loaded: pixels 0..255 row-major, labels 0..9. */
export interface LoadedMnist {
  train: MnistSplit;
  test: MnistSplit;
}

/** Loading MNIST (network or IndexedDB) and the loaded data, for panels that show or use it. */
export interface DatasetSlice {
  dataset: DatasetState;
  /** The loaded splits, or null until the dataset is ready. */
  mnist: LoadedMnist | null;
  /** Loads MNIST unless a load is already running or done. */
  startDatasetLoad: () => Promise<void>;
  /** Deletes the cached shards, then downloads MNIST again. */
  clearDatasetCache: () => Promise<void>;
}

/** The manifest's URL for this page; a Worker receives it from the page, since it has no document. */
export function pageManifestUrl(): string {
  return mnistManifestUrl(document.baseURI);
}

const NO_PROGRESS: MnistLoadProgress = { phase: 'manifest', shardsReady: 0, shardsTotal: 0, bytesDownloaded: 0, bytesToDownload: 0 };

// Counts loads, so a load overtaken by "Clear cache" cannot overwrite the newer one's state.
let generation = 0;

export const createDatasetSlice: StateCreator<StudioState, [], [], DatasetSlice> = (set, get) => {
  const load = async (): Promise<void> => {
    const mine = ++generation;
    const current = () => mine === generation;
    set({ mnist: null, dataset: { status: 'loading', progress: { ...NO_PROGRESS } } });
    try {
      const result = await loadMnist({
        manifestUrl: pageManifestUrl(),
        onProgress: (progress) => {
          if (current()) set({ dataset: { status: 'loading', progress } });
        },
      });
      if (!current()) return;
      const summary: DatasetSummary = {
        trainCount: result.train.count,
        testCount: result.test.count,
        trainHistogram: labelHistogram(result.train.labels),
        testHistogram: labelHistogram(result.test.labels),
        source: result.source,
        shardCount: result.shards.length,
        repairedShards: result.shards.filter((shard) => shard.repaired !== undefined).map((shard) => shard.name),
        bytes: result.bytes,
        readyMs: result.timings.totalMs,
        timings: result.timings,
        readySincePageMs: performance.now(),
        cached: result.cached,
        warnings: result.warnings,
      };
      set({ mnist: { train: result.train, test: result.test }, dataset: { status: 'ready', summary } });
    } catch (error) {
      if (current()) set({ dataset: { status: 'error', message: messageOf(error) } });
    }
  };

  return {
    dataset: { status: 'idle' },
    mnist: null,
    startDatasetLoad: async () => {
      const { status } = get().dataset;
      if (status === 'loading' || status === 'ready') return;
      await load();
    },
    clearDatasetCache: async () => {
      generation += 1;
      set({ mnist: null, dataset: { status: 'loading', progress: { ...NO_PROGRESS } } });
      try {
        await clearMnistCache();
      } catch (error) {
        // The cache may be what is broken; loading again still works in memory.
        console.warn(`Clearing the MNIST cache failed: ${messageOf(error)}`);
      }
      await load();
    },
  };
};
