/**
 * A finished (or stopped) search as files a Ray Tune user recognises: results.json with every
 * trial's config, status and per-epoch history, and progress.csv with one row per trial epoch.
 */
import { paramValue, trialKeys } from './space';
import { bestTrial, type EpochMetrics, type ExperimentState } from './experiment';

/** The metric the search maximises, as the original's `tune.report` named it. */
export const SEARCH_METRIC = { metric: 'val_acc', mode: 'max' } as const;

/** One trial in results.json. */
export interface TrialResult {
  trial_id: string;
  config: Record<string, number | string>;
  status: string;
  backend: string | null;
  total_params: number | null;
  best_epoch: number | null;
  best_val_acc: number | null;
  error: string | null;
  history: EpochMetrics[];
}

/** results.json: the metric, the best trial and every trial. */
export interface SearchResults {
  metric: typeof SEARCH_METRIC.metric;
  mode: typeof SEARCH_METRIC.mode;
  best_trial_id: string | null;
  trials: TrialResult[];
}

/** Builds results.json's content; `backends` names the backend each trial's Worker ran on. */
export function searchResults(state: ExperimentState, backends: Readonly<Record<string, string>> = {}): SearchResults {
  return {
    ...SEARCH_METRIC,
    best_trial_id: bestTrial(state)?.id ?? null,
    trials: state.trials.map((trial) => ({
      trial_id: trial.id,
      config: { ...Object.fromEntries(trialKeys(state.settings.model).map((key) => [key, paramValue(key, trial.config[key])])), max_num_epochs: state.settings.maxNumEpochs },
      status: trial.status,
      backend: backends[trial.id] ?? null,
      total_params: trial.totalParams,
      best_epoch: trial.best?.epoch ?? null,
      best_val_acc: trial.best?.val_acc ?? null,
      error: trial.error,
      history: trial.history,
    })),
  };
}

const PROGRESS_METRICS = ['epoch', 'train_loss', 'val_loss', 'val_acc', 'total_params', 'time_s', 'samples_per_s'] as const;

function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** progress.csv: one row per trial epoch, with the trial's hyperparameters beside its metrics. */
export function progressCsv(state: ExperimentState): string {
  const keys = trialKeys(state.settings.model);
  const header = ['trial_id', 'status', ...keys, ...PROGRESS_METRICS];
  const rows = state.trials.flatMap((trial) =>
    trial.history.map((epoch) =>
      [trial.id, trial.status, ...keys.map((key) => paramValue(key, trial.config[key])), ...PROGRESS_METRICS.map((key) => epoch[key])]
        .map(csvCell)
        .join(','),
    ),
  );
  return [header.join(','), ...rows].join('\n') + '\n';
}
