/** The trial engine that actually trains: used inside each Worker, and directly by tests. */
import { initBackend, type BackendReport } from '../backend/init';
import type { BackendChoice } from '../backend/choice';
import { loadMnist, type MnistLoadResult } from '../data/loadMnist';
import { createTrainer, precompileTraining, type Trainer } from '../engine/trainer';
import type { TrialEngine, TrialEvents, TrialRun, TrialSnapshot } from '../tune/trial';

/** What a local engine needs from its surroundings; tests replace the data source and backend start. */
export interface LocalEngineDeps {
  startBackend: (choice: BackendChoice) => Promise<BackendReport>;
  loadData: (manifestUrl: string) => Promise<Pick<MnistLoadResult, 'train' | 'test' | 'source'>>;
}

const browserDeps: LocalEngineDeps = {
  startBackend: (choice) => initBackend(choice),
  loadData: (manifestUrl) => loadMnist({ manifestUrl }),
};

async function snapshotOf(trainer: Trainer, config: TrialRun['config']): Promise<TrialSnapshot> {
  const state = await trainer.readState();
  return { config, state, stateDict: trainer.torchStateDictOf(state.network) };
}

/** Creates an engine that trains on this thread's tfjs instance; the backend starts once per engine. */
export function createLocalEngine(deps: LocalEngineDeps = browserDeps): TrialEngine {
  let backend: Promise<BackendReport> | null = null;
  let trainer: Trainer | null = null;
  let trainerConfig: TrialRun['config'] | null = null;
  let abort: AbortController | null = null;

  const requireTrainer = (): Trainer => {
    if (!trainer) throw new Error('No model yet: start a trial first');
    return trainer;
  };

  return {
    async train(run: TrialRun, events: TrialEvents = {}) {
      if (abort) throw new Error(`Trial ${run.trialId}: this engine is already training`);
      abort = new AbortController();
      try {
        backend ??= deps.startBackend(run.backend);
        const report = await backend;
        precompileTraining(run.config);
        const data = await deps.loadData(run.manifestUrl);
        trainer?.dispose();
        trainer = null;
        const created = await createTrainer({
          config: run.config,
          data,
          trainLimit: run.trainLimit,
          valLimit: run.valLimit,
          progressEvery: run.progressEvery,
          signal: abort.signal,
          onProgress: events.onProgress,
          onEpoch: async (report) => {
            if (!events.onEpoch || !trainer) return;
            events.onEpoch(report, await snapshotOf(trainer, run.config));
          },
        });
        trainer = created;
        trainerConfig = run.config;
        if (run.resume) created.restoreState(run.resume);
        events.onStarted?.({
          trialId: run.trialId,
          backend: report,
          engine: created.engine,
          dataSource: data.source,
          trainCount: Math.min(run.trainLimit ?? data.train.count, data.train.count),
          valCount: Math.min(run.valLimit ?? data.test.count, data.test.count),
          totalParams: created.totalParams,
        });
        return await created.run();
      } finally {
        abort = null;
      }
    },
    stop() {
      abort?.abort();
      return Promise.resolve();
    },
    snapshot(): Promise<TrialSnapshot> {
      const current = requireTrainer();
      if (!trainerConfig) throw new Error('No model yet: start a trial first');
      return snapshotOf(current, trainerConfig);
    },
    predict(pixels) {
      return requireTrainer().predict(pixels);
    },
    dispose() {
      abort?.abort();
      trainer?.dispose();
      trainer = null;
      return Promise.resolve();
    },
  };
}
