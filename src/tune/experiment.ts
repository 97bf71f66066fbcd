/**
 * The state of one search: its trials, their status and metrics, and the scheduler's records,
 * changed only by `experimentReducer` (pure). The state is plain JSON, so a search can be saved
 * after every epoch and resumed after a reload, as Ray's Tuner.restore does.
 */
import type { TrialSpec } from './sampler';
import {
  DECISIONS,
  createSchedulerState,
  schedulerOnComplete,
  schedulerOnResult,
  type Decision,
  type SchedulerState,
} from './scheduler';
import type { RunSettings, SearchSpace, TrialConfig } from './space';

export const TRIAL_STATUS = {
  pending: 'PENDING',
  running: 'RUNNING',
  /** Ran all max_num_epochs epochs. */
  terminated: 'TERMINATED',
  /** Stopped early, by the scheduler or by the user. */
  stopped: 'STOPPED',
  /** Failed more than max_failures times. */
  error: 'ERROR',
} as const;
export type TrialStatus = (typeof TRIAL_STATUS)[keyof typeof TRIAL_STATUS];

/** What one epoch of a trial reports; names as in the original's `tune.report`. */
export interface EpochMetrics {
  /** 1-based epoch just finished (Ray's training_iteration). */
  epoch: number;
  val_acc: number;
  val_loss?: number;
  train_loss?: number;
  total_params?: number;
  time_s?: number;
  samples_per_s?: number;
}

export interface TrialRecord {
  id: string;
  config: TrialConfig;
  totalParams: number | null;
  status: TrialStatus;
  /** One entry per finished epoch, in order. */
  history: EpochMetrics[];
  /** The epoch with the highest val_acc (the earliest on ties); its checkpoint is the trial's. */
  best: EpochMetrics | null;
  /** Failures so far; the trial is retried from its last checkpoint while failures <= max_failures. */
  failures: number;
  /** The last failure's message (kept after a successful retry, for the log). */
  error: string | null;
  stopReason: 'scheduler' | 'user' | null;
}

export interface ExperimentState {
  version: typeof EXPERIMENT_VERSION;
  space: SearchSpace;
  settings: RunSettings;
  trials: TrialRecord[];
  scheduler: SchedulerState;
  /** The user stopped the whole search. */
  stopped: boolean;
  /**
   * Why the search's GPU was lost, while it is: no trial starts until the search resumes (on the
   * CPU, or on a fresh device after a reload). Absent in searches that never lost one.
   */
  deviceLost?: string | null;
}

export const EXPERIMENT_VERSION = 1;

export type ExperimentEvent =
  | { kind: 'trial-started'; trialId: string }
  | { kind: 'epoch-reported'; trialId: string; metrics: EpochMetrics }
  | { kind: 'trial-failed'; trialId: string; message: string }
  /** The trial's GPU was lost: it waits, with its finished epochs and last checkpoint, for the search to resume; max_failures does not apply. */
  | { kind: 'trial-device-lost'; trialId: string; message: string }
  /** The search resumes on a working device (the CPU, or a fresh GPU after a reload). */
  | { kind: 'device-restored' }
  | { kind: 'trial-stop-requested'; trialId: string }
  | { kind: 'search-stop-requested' }
  /** After a reload: trials that were running go back to pending, keeping their finished epochs. */
  | { kind: 'resumed' };

/** A pending or running trial, stopped by the user; a finished one stays as it ended. */
function stoppedByUser(trial: TrialRecord): TrialRecord {
  return trial.status === TRIAL_STATUS.pending || trial.status === TRIAL_STATUS.running
    ? { ...trial, status: TRIAL_STATUS.stopped, stopReason: 'user' }
    : trial;
}

/** A new search over these trials, all pending. */
export function createExperiment(space: SearchSpace, settings: RunSettings, trials: readonly TrialSpec[]): ExperimentState {
  return {
    version: EXPERIMENT_VERSION,
    space,
    settings,
    trials: trials.map((trial) => ({
      id: trial.id,
      config: trial.config,
      totalParams: trial.totalParams,
      status: TRIAL_STATUS.pending,
      history: [],
      best: null,
      failures: 0,
      error: null,
      stopReason: null,
    })),
    scheduler: createSchedulerState(settings),
    stopped: false,
  };
}

function isBetter(candidate: EpochMetrics, best: EpochMetrics | null): boolean {
  return !Number.isNaN(candidate.val_acc) && (best === null || candidate.val_acc > best.val_acc);
}

function bestOf(history: readonly EpochMetrics[]): EpochMetrics | null {
  let best: EpochMetrics | null = null;
  for (const metrics of history) if (isBetter(metrics, best)) best = metrics;
  return best;
}

function updateTrial(state: ExperimentState, trialId: string, change: (trial: TrialRecord) => TrialRecord): ExperimentState {
  let changed = false;
  const trials = state.trials.map((trial) => {
    if (trial.id !== trialId) return trial;
    const next = change(trial);
    changed ||= next !== trial;
    return next;
  });
  return changed ? { ...state, trials } : state;
}

/**
 * Records an epoch of a running trial and decides whether it goes on. A trial that reaches
 * max_num_epochs is TERMINATED; one the scheduler stops earlier is STOPPED. A repeated epoch
 * (a retry from a checkpoint) replaces the earlier report of that epoch and those after it.
 */
export function reportEpoch(
  state: ExperimentState,
  trialId: string,
  metrics: EpochMetrics,
): { state: ExperimentState; decision: Decision } {
  const trial = state.trials.find((t) => t.id === trialId);
  if (!trial || trial.status !== TRIAL_STATUS.running) return { state, decision: DECISIONS.stop };
  const history = [...trial.history.filter((m) => m.epoch < metrics.epoch), metrics];
  let { scheduler } = state;
  const result = schedulerOnResult(scheduler, trialId, metrics.epoch, metrics.val_acc);
  scheduler = result.state;
  let status: TrialStatus = TRIAL_STATUS.running;
  let stopReason: TrialRecord['stopReason'] = null;
  if (metrics.epoch >= state.settings.maxNumEpochs) {
    status = TRIAL_STATUS.terminated;
    scheduler = schedulerOnComplete(scheduler, trialId, metrics.epoch, metrics.val_acc);
  } else if (result.decision === DECISIONS.stop) {
    status = TRIAL_STATUS.stopped;
    stopReason = 'scheduler';
  }
  const next = updateTrial({ ...state, scheduler }, trialId, (t) => ({ ...t, history, best: bestOf(history), status, stopReason }));
  return { state: next, decision: status === TRIAL_STATUS.running ? DECISIONS.continue : DECISIONS.stop };
}

/** Applies one event; pure. */
export function experimentReducer(state: ExperimentState, event: ExperimentEvent): ExperimentState {
  switch (event.kind) {
    case 'trial-started':
      return updateTrial(state, event.trialId, (t) =>
        t.status === TRIAL_STATUS.pending && !state.stopped ? { ...t, status: TRIAL_STATUS.running } : t,
      );
    case 'epoch-reported':
      return reportEpoch(state, event.trialId, event.metrics).state;
    case 'trial-failed':
      return updateTrial(state, event.trialId, (t) => {
        if (t.status !== TRIAL_STATUS.running) return t;
        const failures = t.failures + 1;
        const retry = failures <= state.settings.maxFailures && !state.stopped;
        return { ...t, failures, error: event.message, status: retry ? TRIAL_STATUS.pending : TRIAL_STATUS.error };
      });
    case 'trial-device-lost': {
      const next = updateTrial(state, event.trialId, (t) =>
        t.status === TRIAL_STATUS.running ? { ...t, error: event.message, status: TRIAL_STATUS.pending } : t,
      );
      return next === state ? state : { ...next, deviceLost: event.message };
    }
    case 'device-restored':
      return state.deviceLost ? { ...state, deviceLost: null } : state;
    case 'trial-stop-requested':
      return updateTrial(state, event.trialId, stoppedByUser);
    case 'search-stop-requested':
      return {
        ...state,
        stopped: true,
        trials: state.trials.map(stoppedByUser),
      };
    case 'resumed':
      return {
        ...state,
        trials: state.trials.map((t) => (t.status === TRIAL_STATUS.running ? { ...t, status: TRIAL_STATUS.pending } : t)),
      };
  }
}

/** The trial with the highest best-epoch val_acc (the earlier id on ties), or null before any result. */
export function bestTrial(state: ExperimentState): TrialRecord | null {
  let best: TrialRecord | null = null;
  for (const trial of state.trials) {
    if (trial.best && (best === null || isBetter(trial.best, best.best))) best = trial;
  }
  return best;
}

/** The next trial to start, in id order; null when none waits, the search was stopped or its GPU was lost. */
export function nextPendingTrial(state: ExperimentState): TrialRecord | null {
  if (state.stopped || state.deviceLost) return null;
  return state.trials.find((t) => t.status === TRIAL_STATUS.pending) ?? null;
}

/** The epoch a trial resumes after (0 for a fresh start): its last reported epoch. */
export function resumeEpoch(trial: TrialRecord): number {
  return trial.history[trial.history.length - 1]?.epoch ?? 0;
}

/** Trials per status. */
export function countByStatus(state: ExperimentState): Record<TrialStatus, number> {
  const counts: Record<TrialStatus, number> = { PENDING: 0, RUNNING: 0, TERMINATED: 0, STOPPED: 0, ERROR: 0 };
  for (const trial of state.trials) counts[trial.status] += 1;
  return counts;
}

/** True when no trial is pending or running. */
export function isSearchFinished(state: ExperimentState): boolean {
  const counts = countByStatus(state);
  return counts.PENDING === 0 && counts.RUNNING === 0;
}

/** The state as JSON text for storage. */
export function serializeExperiment(state: ExperimentState): string {
  return JSON.stringify(state);
}

/**
 * Reads a saved search back, ready to resume: trials that were running are pending again and
 * continue after their last saved epoch; finished trials stay finished. Throws on foreign JSON.
 */
export function restoreExperiment(json: string): ExperimentState {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null) throw new Error('saved search is not an object');
  const candidate = parsed as Partial<ExperimentState>;
  if (candidate.version !== EXPERIMENT_VERSION) {
    throw new Error(`saved search has version ${String(candidate.version)}; this studio reads version ${EXPERIMENT_VERSION}`);
  }
  if (!Array.isArray(candidate.trials) || !candidate.settings || !candidate.space || !candidate.scheduler) {
    throw new Error('saved search lacks trials, settings, space or scheduler');
  }
  return experimentReducer(candidate as ExperimentState, { kind: 'resumed' });
}
