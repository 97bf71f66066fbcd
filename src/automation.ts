/**
 * The page's command-line door: `npm run tune` (and other headless tools) open the studio in
 * Chromium and call `window.digitStudio`, so the command line runs exactly the page and Worker code
 * that users run. Events stream back through `window.digitStudioReport`, which the tool provides.
 */
import type { BackendChoice } from './backend/choice';
import type { useStudio } from './state/store';
import type { EpochReport } from './engine/trainer';
import type { Hyperparameters } from './model/architecture';
import type { ExperimentState } from './tune/experiment';
import { rayResultFiles } from './tune/rayResults';
import { progressCsv, searchResults, type SearchResults } from './tune/results';
import type { TrialFault } from './tune/trial';

/** What a headless search asks for: the config (the bundled one when absent) and run options. */
export interface AutomationRequest {
  configText?: string;
  overrides?: string[];
  trainLimit?: number;
  valLimit?: number;
  backend?: BackendChoice;
  concurrency?: number;
  /** For the studio's failure tests: how long a silent trial Worker may go before it is ended (a minute unless set). */
  workerSilenceTimeoutMs?: number;
}

/** What the page streams while a headless search runs. */
export type AutomationEvent =
  | {
      kind: 'trial-started';
      trial_id: string;
      backend: string;
      engine: string;
      adapter: string | null;
      total_params: number;
      /** The search's id and the trial's config with its epoch budget (what params.json holds), for loggers outside the page. */
      experiment_id: string;
      config: Record<string, number>;
    }
  | ({ kind: 'epoch'; trial_id: string } & EpochReport)
  | { kind: 'trial-ended'; trial_id: string; status: string; error: string | null };

/** A finished headless search: results, progress and the best trial's files (base64, by path). */
export interface AutomationResult {
  results: SearchResults;
  progressCsv: string;
  bestFiles: Record<string, string> | null;
  /** The Ray-style layout (experiment_state.json, one folder per trial), text by path. */
  rayFiles: Record<string, string>;
  warnings: string[];
}

/** A checkpoint to evaluate headlessly: its files (a .pt, or model.json and its weights) as base64. */
export interface EvaluationRequestFiles {
  files: { name: string; base64: string }[];
  valLimit?: number;
  backend?: BackendChoice;
}

/** What `npm run evaluate` prints: the metrics of the studio's validation, on the first n test images. */
export interface EvaluationSummary {
  val_acc: number;
  val_loss: number;
  n: number;
  /** The registered architecture the checkpoint was recognised as, and its hyperparameters. */
  model: string;
  hyperparameters: Hyperparameters;
  total_params: number;
  backend: string;
  warnings: string[];
}

export interface AutomationApi {
  /** Imports a checkpoint as the studio's import control does and evaluates it on the test split. */
  evaluateCheckpoint(request: EvaluationRequestFiles): Promise<EvaluationSummary>;
  runSearch(request: AutomationRequest): Promise<AutomationResult>;
  /** Resumes the newest unfinished search saved in IndexedDB (after a reload or a closed tab). */
  resumeSearch(request?: Pick<AutomationRequest, 'backend' | 'concurrency' | 'workerSilenceTimeoutMs'>): Promise<AutomationResult>;
  /**
   * For the studio's failure tests: breaks a running trial's Worker (`crash`, `hang`, `exit`, or
   * `lose-device`, a lost GPU). False when no such trial is running.
   */
  injectTrialFault(trialId: string, fault: TrialFault): boolean;
}

declare global {
  interface Window {
    digitStudio?: AutomationApi;
    digitStudioReport?: (event: AutomationEvent) => void;
  }
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Installs `window.digitStudio` over the studio's store. */
export function installAutomation(store: typeof useStudio): void {
  const report = (event: AutomationEvent) => window.digitStudioReport?.(event);

  /** Streams a search's events while `work` runs it, then gathers its results and the best trial's files. */
  const follow = async (work: () => Promise<ExperimentState>): Promise<AutomationResult> => {
    // Epoch records already reported (or saved before a resume); a retrained epoch is a new record.
    const reported = new WeakSet<object>();
    const known = new Set<string>();
    const seenStatus = new Map<string, string>();
    const announced = new Set<string>();
    const unsubscribe = store.subscribe((state) => {
      const search = state.search;
      if (!search) return;
      for (const [trialId, started] of Object.entries(search.started)) {
        if (announced.has(trialId)) continue;
        announced.add(trialId);
        const adapter = started.backend.adapter;
        report({
          kind: 'trial-started',
          trial_id: trialId,
          backend: started.backend.chosen,
          engine: started.engine.name,
          adapter: adapter ? `${adapter.vendor} ${adapter.architecture}${adapter.isFallback ? ' (software)' : ''}` : null,
          total_params: started.totalParams,
          experiment_id: search.experimentId,
          config: { ...(search.experiment.trials.find((t) => t.id === trialId)?.config ?? {}), max_num_epochs: search.experiment.settings.maxNumEpochs },
        });
      }
      for (const trial of search.experiment.trials) {
        // A resumed search reports only the epochs it trains now, not those saved before.
        if (!known.has(trial.id)) {
          known.add(trial.id);
          for (const epoch of trial.history) reported.add(epoch);
        }
        for (const epoch of trial.history) {
          if (reported.has(epoch)) continue;
          reported.add(epoch);
          report({ kind: 'epoch', trial_id: trial.id, ...(epoch as EpochReport) });
        }
        const finished = trial.status !== 'PENDING' && trial.status !== 'RUNNING';
        if (finished && seenStatus.has(trial.id) && seenStatus.get(trial.id) !== trial.status) {
          report({ kind: 'trial-ended', trial_id: trial.id, status: trial.status, error: trial.error });
        }
        seenStatus.set(trial.id, trial.status);
      }
    });
    try {
      const final = await work();
      const after = store.getState();
      const backends = Object.fromEntries(Object.entries(after.search?.started ?? {}).map(([id, s]) => [id, s.backend.chosen]));
      const results = searchResults(final, backends);
      const best = results.best_trial_id ? after.bestCheckpoints[results.best_trial_id] : undefined;
      let bestFiles: Record<string, string> | null = null;
      if (best && results.best_trial_id) {
        const { exportFileMap, trialExport } = await import('./export/bundle');
        const files = exportFileMap(await trialExport(best, JSON.stringify(results, null, 2), results.best_trial_id));
        bestFiles = Object.fromEntries(Object.entries(files).map(([path, bytes]) => [path, base64(bytes)]));
      }
      const rayFiles = rayResultFiles(final, after.search?.experimentId ?? 'experiment', backends);
      return { results, progressCsv: progressCsv(final), bestFiles, rayFiles, warnings: after.search?.warnings ?? [] };
    } finally {
      unsubscribe();
    }
  };

  window.digitStudio = {
    async evaluateCheckpoint(request) {
      const [{ importModelInWorker }, { createInferenceWorkerEngine }, { pageManifestUrl }] = await Promise.all([
        import('./workers/importWorker'),
        import('./workers/inferenceWorkerEngine'),
        import('./state/datasetSlice'),
      ]);
      const files = request.files.map((f) => ({ name: f.name, bytes: Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0)) }));
      const model = await importModelInWorker(files);
      const engine = createInferenceWorkerEngine();
      try {
        const modelKey = `evaluate:${model.name}`;
        const loaded = await engine.load(
          { modelKey, model: model.model, hyperparameters: model.hyperparameters, stateDict: model.stateDict },
           request.backend ?? 'auto');
        const evaluation = await engine.evaluate({ modelKey, manifestUrl: pageManifestUrl(), limit: request.valLimit, maxExamples: 0 });
        return {
          val_acc: evaluation.accuracy,
          val_loss: evaluation.loss,
          n: evaluation.count,
          model: model.model,
          hyperparameters: model.hyperparameters,
          total_params: loaded.totalParams,
          backend: loaded.backend.chosen,
          warnings: model.warnings,
        };
      } finally {
        await engine.dispose();
      }
    },
    runSearch(request) {
      const studio = store.getState();
      if (request.configText !== undefined) studio.setConfigText(request.configText, 'config.yaml');
      studio.setOverrides(request.overrides ?? []);
      const parsed = store.getState().parsed;
      if (!parsed.ok) {
        const problems = parsed.errors.map((e) => `${e.key ?? 'config'} (line ${e.line}, col ${e.col}): ${e.message}`);
        return Promise.reject(new Error(problems.join('\n')));
      }
      const { trainLimit, valLimit, backend, concurrency, workerSilenceTimeoutMs } = request;
      return follow(() => studio.startSearch({ trainLimit, valLimit, backend, concurrency, workerSilenceTimeoutMs }));
    },
    async resumeSearch(request = {}) {
      await store.getState().findResumable();
      if (!store.getState().resumable) throw new Error('No unfinished search is saved in this browser');
      return follow(() => store.getState().resumeSearch(request));
    },
    injectTrialFault(trialId, fault) {
      return store.getState().injectTrialFault(trialId, fault);
    },
  };
}
