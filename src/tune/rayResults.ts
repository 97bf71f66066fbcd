/**
 * A search as the folder Ray Tune writes under `ray_results/<experiment>/`: at the top
 * `results.json` and `progress.csv` (the studio's own, see ./results), `experiment_state.json`
 * (a short summary), and one folder per trial named by its id (`t0001/`, ...) holding Ray's
 * `params.json` (the trial's config), `result.json` (one JSON line per epoch) and `progress.csv`
 * (the same rows as CSV, config keys as `config/<key>`). Ray's wall-clock `timestamp`/`date`
 * fields are left out: the studio records each epoch's duration, not when it ended.
 */
import { zipSync, strToU8 } from 'fflate';
import { TRIAL_STATUS, bestTrial, type ExperimentState, type TrialRecord } from './experiment';
import { SEARCH_METRIC, progressCsv, searchResults } from './results';
import { HYPERPARAMETERS, paramValue, trialKeys } from './space';

/** One line of a trial's result.json: Ray's bookkeeping fields plus the epoch's metrics. */
export interface RayResultRow {
  training_iteration: number;
  time_this_iter_s: number | null;
  time_total_s: number | null;
  val_acc: number;
  val_loss: number | null;
  train_loss: number | null;
  total_params: number | null;
  samples_per_s: number | null;
  /** True on a finished trial's last epoch, as Ray marks its final result. */
  done: boolean;
  trial_id: string;
  experiment_id: string;
  config: Record<string, number | string>;
}

/** Where one trial's files go inside the experiment folder. */
function trialDirName(trialId: string): string {
  return trialId.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** Ray's params.json content: the trial's config with the run's epoch budget, as results.json lists it. */
export function trialParams(trial: TrialRecord, state: ExperimentState): Record<string, number | string> {
  const params: Record<string, number | string> = {};
  for (const name of trialKeys(state.settings.model)) params[name] = paramValue(name, trial.config[name]);
  return { ...params, max_num_epochs: state.settings.maxNumEpochs };
}

const isFinished = (trial: TrialRecord) => trial.status !== TRIAL_STATUS.pending && trial.status !== TRIAL_STATUS.running;

/** One row per recorded epoch of a trial, in order; time_total_s sums the epochs' durations. */
function trialResultRows(trial: TrialRecord, state: ExperimentState, experimentId: string): RayResultRow[] {
  const config = trialParams(trial, state);
  let total: number | null = 0;
  return trial.history.map((epoch, index) => {
    total = total === null || epoch.time_s === undefined ? null : total + epoch.time_s;
    return {
      training_iteration: epoch.epoch,
      time_this_iter_s: epoch.time_s ?? null,
      time_total_s: total,
      val_acc: epoch.val_acc,
      val_loss: epoch.val_loss ?? null,
      train_loss: epoch.train_loss ?? null,
      total_params: epoch.total_params ?? trial.totalParams,
      samples_per_s: epoch.samples_per_s ?? null,
      done: isFinished(trial) && index === trial.history.length - 1,
      trial_id: trial.id,
      experiment_id: experimentId,
      config,
    };
  });
}

const ROW_FIELDS = [
  'training_iteration',
  'time_this_iter_s',
  'time_total_s',
  'val_acc',
  'val_loss',
  'train_loss',
  'total_params',
  'samples_per_s',
  'done',
  'trial_id',
  'experiment_id',
] as const;

function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A trial's progress.csv: its result.json rows, with config keys flattened to `config/<key>` as Ray does. */
function trialProgressCsv(rows: readonly RayResultRow[]): string {
  // The keys the trial's params.json has: the shared ones and its own model's widths.
  const first = rows[0]?.config;
  const configKeys = [...HYPERPARAMETERS.filter((key) => !first || key in first), 'max_num_epochs'];
  const header = [...ROW_FIELDS, ...configKeys.map((key) => `config/${key}`)];
  const lines = rows.map((row) => [...ROW_FIELDS.map((f) => row[f]), ...configKeys.map((key) => row.config[key])].map(csvCell).join(','));
  return [header.join(','), ...lines].join('\n') + '\n';
}

/** experiment_state.json: what a user looks at first: the metric, the best trial and where each trial lives. */
function experimentSummary(state: ExperimentState, experimentId: string) {
  const best = bestTrial(state);
  return {
    experiment_id: experimentId,
    ...SEARCH_METRIC,
    best_trial_id: best?.id ?? null,
    best_val_acc: best?.best?.val_acc ?? null,
    settings: state.settings,
    stopped: state.stopped,
    trials: state.trials.map((trial) => ({
      trial_id: trial.id,
      logdir: trialDirName(trial.id),
      status: trial.status,
      epochs: trial.history.length,
      best_val_acc: trial.best?.val_acc ?? null,
      error: trial.error,
    })),
  };
}

/** Every file of the layout, by path relative to the experiment folder, as text. */
export function rayResultFiles(
  state: ExperimentState,
  experimentId: string,
  backends: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const files: Record<string, string> = {
    'results.json': `${JSON.stringify(searchResults(state, backends), null, 2)}\n`,
    'progress.csv': progressCsv(state),
    'experiment_state.json': `${JSON.stringify(experimentSummary(state, experimentId), null, 2)}\n`,
  };
  for (const trial of state.trials) {
    const dir = trialDirName(trial.id);
    const rows = trialResultRows(trial, state, experimentId);
    files[`${dir}/params.json`] = `${JSON.stringify(trialParams(trial, state), null, 2)}\n`;
    files[`${dir}/result.json`] = rows.map((row) => `${JSON.stringify(row)}\n`).join('');
    files[`${dir}/progress.csv`] = trialProgressCsv(rows);
  }
  return files;
}

/** The layout as one zip, everything under a folder named after the experiment. */
export function rayResultsZip(files: Readonly<Record<string, string>>, experimentId: string): Uint8Array {
  const root = trialDirName(experimentId);
  return zipSync(Object.fromEntries(Object.entries(files).map(([path, text]) => [`${root}/${path}`, strToU8(text)])));
}
