import type { StateCreator } from 'zustand';
import type { BackendChoice, BackendName } from '../backend/choice';
import type { StepProgress } from '../engine/trainer';
import { requestPersistentStorage } from '../data/storage';
import { createExperiment, experimentReducer, isSearchFinished, type ExperimentState } from '../tune/experiment';
import {
  CHECKPOINT_KINDS,
  findUnfinishedExperiment,
  loadCheckpoint,
  loadResumeCheckpoints,
  newExperimentId,
  saveExperiment,
  saveTrialCheckpoints,
  type StoredExperiment,
} from '../tune/persistence';
import { SearchRunner, type SearchListener } from '../tune/runner';
import { sampleTrials } from '../tune/sampler';
import { holdSearchLock, isSearchLockHeld, whenSearchLockFree } from '../tune/searchLock';
import type { TrialFault, TrialSnapshot, TrialStarted } from '../tune/trial';
import { createWorkerEngine } from '../workers/workerEngine';
import { countParams } from './configSlice';
import { pageManifestUrl } from './datasetSlice';
import type { StudioState } from './store';
import { messageOf } from '../studioError';

/** Data limits and backend for a search (the command line's --train-limit, --val-limit, --backend). */
export interface SearchOptions {
  trainLimit?: number;
  valLimit?: number;
  backend?: BackendChoice;
  concurrency?: number;
  /** How long a silent trial Worker may go before it is ended (the failure tests make it short). */
  workerSilenceTimeoutMs?: number;
}

/**
 * The backend "Resume on CPU" asks for after the GPU was lost: wasm runs on the CPU, and the fused
 * CPU step trains on it (tfjs falls back to its plain CPU backend where wasm cannot start).
 */
export const RESUME_ON_CPU_BACKEND: BackendChoice = 'wasm';

/** A search as the page shows it. */
export interface SearchView {
  experimentId: string;
  experiment: ExperimentState;
  status: 'running' | 'finished';
  /** When this page started (or resumed) the search, and when it ended here. */
  startedAt: number;
  finishedAt: number | null;
  /** How long the search ran before this page resumed it (0 for a new search). */
  elapsedBeforeMs: number;
  /** Latest step progress and start report per running trial. */
  progress: Record<string, StepProgress>;
  started: Record<string, TrialStarted>;
  /** Wall-clock start and end of each trial here, and the time it trained before a resume, milliseconds. */
  trialTimes: Record<string, TrialTimes>;
  concurrency: number;
  /** Problems that did not stop the search (saving to IndexedDB failed, ...). */
  warnings: string[];
}

/** When a trial ran on this page, and how long it had trained before (a resumed trial's saved epochs). */
export interface TrialTimes {
  startedAt: number;
  endedAt: number | null;
  priorMs?: number;
}

/** How long a search has run, across reloads: its time before a resume plus its time on this page. */
export function searchElapsedMs(view: Pick<SearchView, 'startedAt' | 'finishedAt' | 'elapsedBeforeMs'>, now: number): number {
  return view.elapsedBeforeMs + (view.finishedAt ?? Math.max(now, view.startedAt)) - view.startedAt;
}

/** What a search's status line says it is: running, finished, or stopped by the user. */
export function searchOutcome(view: Pick<SearchView, 'status' | 'experiment'>): 'running' | 'finished' | 'stopped' {
  if (view.status === 'running') return 'running';
  return view.experiment.stopped ? 'stopped' : 'finished';
}

/** Running the search: start, stop, resume, and what it has produced. */
export interface SearchSlice {
  search: SearchView | null;
  /** Best-epoch checkpoints held in memory, by trial id. */
  bestCheckpoints: Record<string, TrialSnapshot>;
  /** An unfinished experiment found in IndexedDB, offered for resume. */
  resumable: StoredExperiment | null;
  /** The resumable experiment's search is running in another tab: it is read-only here until that tab lets go. */
  resumableElsewhere: boolean;
  startSearch: (options?: SearchOptions) => Promise<ExperimentState>;
  resumeSearch: (options?: SearchOptions) => Promise<ExperimentState>;
  stopSearch: () => void;
  stopTrial: (trialId: string) => void;
  findResumable: () => Promise<void>;
  /** Breaks a running trial's Worker on purpose (the studio's failure tests); false when no such trial runs. */
  injectTrialFault: (trialId: string, fault: TrialFault) => boolean;
}

/**
 * Trials at once when the config leaves it to the studio. GPUs overlap two trials well. On CPU
 * backends each single-threaded trial takes a core (on 2 cores, 2 trials finished a 4-trial search
 * in 66 s against 90 s for 1), unless the page is cross-origin isolated and wasm runs threaded,
 * when each trial already spreads over the cores.
 */
export function defaultConcurrency(backend: BackendName | undefined, cores: number, isolated: boolean): number {
  if (backend === 'webgpu' || backend === 'webgl') return 2;
  return Math.max(1, Math.min(4, isolated && backend === 'wasm' ? Math.floor(cores / 2) : cores));
}

/** The backend the page was asked for (`?backend=`), which each trial Worker asks for too. */
function requestedBackend(state: StudioState): BackendChoice {
  const backend = state.backend;
  if (backend.status === 'ready') return backend.report.requested;
  if (backend.status === 'idle') return 'auto';
  return backend.requested;
}

let runner: SearchRunner | null = null;

/**
 * Something else that follows every search (experiment tracking): given the experiment id when a
 * search starts, it returns listeners (or null to sit this one out). They are called synchronously
 * and never awaited; one that throws is ignored.
 */
export type SearchObserver = (experimentId: string) => Pick<SearchListener, 'onState'> | null;
const searchObservers = new Set<SearchObserver>();

/** Adds an observer for the searches started from now on; returns its removal. */
export function observeSearches(observer: SearchObserver): () => void {
  searchObservers.add(observer);
  return () => searchObservers.delete(observer);
}

export const createSearchSlice: StateCreator<StudioState, [], [], SearchSlice> = (set, get) => {
  const warn = (message: string) => {
    const search = get().search;
    if (search && !search.warnings.includes(message)) set({ search: { ...search, warnings: [...search.warnings, message] } });
  };
  const patch = (change: (view: SearchView) => Partial<SearchView>) => {
    const search = get().search;
    if (search) set({ search: { ...search, ...change(search) } });
  };

  // The dataset panel may already be loading MNIST: start a load only if none runs, then wait for it.
  const datasetReady = async (): Promise<void> => {
    if (get().dataset.status === 'idle' || get().dataset.status === 'error') void get().startDatasetLoad();
    while (get().dataset.status === 'loading' || get().dataset.status === 'idle') {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const dataset = get().dataset;
    if (dataset.status === 'error') throw new Error(`MNIST is not loaded, so the search cannot start: ${dataset.message}`);
  };

  const run = async (stored: StoredExperiment, resumeFrom: Map<string, TrialSnapshot>, options: SearchOptions): Promise<ExperimentState> => {
    if (runner) throw new Error('A search is already running');
    // A new backend (Resume on CPU) is the experiment's from now on; any run starts on a working device.
    const record: StoredExperiment = {
      ...stored,
      backend: options.backend ?? stored.backend,
      state: experimentReducer(stored.state, { kind: 'device-restored' }),
    };
    const lock = await holdSearchLock(record.id);
    if (!lock) {
      set({ resumableElsewhere: true });
      throw new Error('This search is running in another tab; it can resume here once that tab closes');
    }
    try {
      return await runHolding(record, resumeFrom, options);
    } finally {
      lock.release();
    }
  };

  const runHolding = async (record: StoredExperiment, resumeFrom: Map<string, TrialSnapshot>, options: SearchOptions): Promise<ExperimentState> => {
    await datasetReady();
    const backendState = get().backend;
    const chosen = backendState.status === 'ready' ? backendState.report.chosen : undefined;
    const concurrency =
      options.concurrency ?? record.state.settings.maxConcurrentTrials ?? defaultConcurrency(chosen, navigator.hardwareConcurrency || 2, globalThis.crossOriginIsolated === true);
    const startedAt = Date.now();
    const elapsedBeforeMs = record.elapsedMs ?? 0;
    set({
      search: {
        experimentId: record.id,
        experiment: record.state,
        status: 'running',
        startedAt,
        finishedAt: null,
        elapsedBeforeMs,
        progress: {},
        started: {},
        trialTimes: {},
        concurrency,
        warnings: [],
      },
    });
    // A search can run for hours: ask the browser not to evict its saves under storage pressure.
    void requestPersistentStorage();
    let saving: Promise<void> = Promise.resolve();
    const persist = (state: ExperimentState) => {
      saving = saving
        .then(() => {
          const now = Date.now();
          return saveExperiment({ ...record, state, updatedAt: now, elapsedMs: elapsedBeforeMs + now - startedAt });
        })
        .catch((error: unknown) => warn(`The search is not being saved: ${messageOf(error)}`));
    };
    persist(record.state);
    const observers = [...searchObservers].flatMap((observe) => observe(record.id) ?? []);
    const tellObservers = (state: ExperimentState) => {
      for (const observer of observers) {
        try {
          observer.onState?.(state);
        } catch {
          // An observer's problem is its own to report; the search goes on.
        }
      }
    };
    tellObservers(record.state);
    runner = new SearchRunner({
      experiment: record.state,
      createEngine: () => createWorkerEngine(),
      silenceTimeoutMs: options.workerSilenceTimeoutMs,
      runBase: {
        backend: record.backend as BackendChoice,
        manifestUrl: pageManifestUrl(),
        trainLimit: record.trainLimit,
        valLimit: record.valLimit,
      },
      concurrency,
      resumeFrom,
      listener: {
        onState: (state) => {
          patch(() => ({ experiment: state }));
          persist(state);
          tellObservers(state);
        },
        onTrialStarted: (trialId, started) =>
          patch((view) => {
            // A resumed trial has trained its saved epochs before: their time counts towards its elapsed time.
            const history = view.experiment.trials.find((t) => t.id === trialId)?.history ?? [];
            const priorMs = history.reduce((sum, epoch) => sum + (epoch.time_s ?? 0), 0) * 1000;
            return {
              started: { ...view.started, [trialId]: started },
              trialTimes: { ...view.trialTimes, [trialId]: { startedAt: Date.now(), endedAt: null, priorMs } },
            };
          }),
        onProgress: (trialId, progress) => patch((view) => ({ progress: { ...view.progress, [trialId]: progress } })),
        onCheckpoint: async (trialId, snapshot, best) => {
          if (best) set({ bestCheckpoints: { ...get().bestCheckpoints, [trialId]: snapshot } });
          try {
            await saveTrialCheckpoints(record.id, trialId, snapshot, best);
          } catch (error) {
            warn(`Checkpoints are not being saved: ${messageOf(error)}`);
          }
        },
      },
    });
    try {
      const final = await runner.done;
      await saving;
      const now = Date.now();
      patch((view) => ({
        status: 'finished',
        finishedAt: now,
        trialTimes: Object.fromEntries(
          Object.entries(view.trialTimes).map(([id, t]) => [id, { ...t, endedAt: t.endedAt ?? now }]),
        ),
      }));
      // A lost GPU leaves trials waiting: the search is offered again (on the CPU) rather than forgotten.
      set({ resumable: isSearchFinished(final) ? null : { ...record, state: final }, resumableElsewhere: false });
      void get().refreshStoredModels();
      return final;
    } finally {
      runner = null;
    }
  };

  return {
    search: null,
    bestCheckpoints: {},
    resumable: null,
    resumableElsewhere: false,
    startSearch: async (options = {}) => {
      const parsed = get().parsed;
      if (!parsed.ok) throw new Error(`config.yaml has ${parsed.errors.length} error(s); fix them before starting`);
      const trials = sampleTrials(parsed.space, parsed.settings, { countParams });
      const now = Date.now();
      const record: StoredExperiment = {
        id: newExperimentId(now),
        configText: get().configText,
        overrides: get().overrides,
        createdAt: now,
        updatedAt: now,
        backend: options.backend ?? requestedBackend(get()),
        trainLimit: options.trainLimit,
        valLimit: options.valLimit,
        state: createExperiment(parsed.space, parsed.settings, trials),
      };
      set({ bestCheckpoints: {} });
      return run(record, new Map(), options);
    },
    resumeSearch: async (options = {}) => {
      const record = get().resumable;
      if (!record) throw new Error('There is no unfinished search to resume');
      const resumeFrom = await loadResumeCheckpoints(record);
      const best = await Promise.all(
        record.state.trials
          .filter((t) => t.best)
          .map(async (t) => [t.id, await loadCheckpoint(record.id, t.id, CHECKPOINT_KINDS.best).catch(() => null)] as const),
      );
      set({
        bestCheckpoints: Object.fromEntries(best.filter((entry): entry is readonly [string, TrialSnapshot] => entry[1] !== null)),
        overrides: record.overrides,
      });
      get().setConfigText(record.configText);
      return run(record, resumeFrom, options);
    },
    stopSearch: () => runner?.stopAll(),
    stopTrial: (trialId) => runner?.stopTrial(trialId),
    findResumable: async () => {
      let found: StoredExperiment | null;
      try {
        found = await findUnfinishedExperiment();
      } catch {
        found = null;
      }
      const elsewhere = found !== null && !runner && (await isSearchLockHeld(found.id).catch(() => false));
      set({ resumable: found, resumableElsewhere: elsewhere });
      if (!found || !elsewhere) return;
      // Read-only until the other tab lets go (it finished, or closed); then it can resume here.
      const id = found.id;
      void whenSearchLockFree(id)
        .then(async () => {
          if (get().resumable?.id !== id || runner) return;
          // The other tab saved to the end: read what it left.
          const latest = await findUnfinishedExperiment().catch(() => null);
          set({ resumable: latest, resumableElsewhere: false });
        })
        .catch(() => undefined);
    },
    injectTrialFault: (trialId, fault) => runner?.injectFault(trialId, fault) ?? false,
  };
};
