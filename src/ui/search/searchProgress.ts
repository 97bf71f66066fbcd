/** How far a search and its trials have got, as the progress bars show it. */
import type { StepProgress } from '../../engine/trainer';
import { TRIAL_STATUS, type ExperimentState, type TrialRecord } from '../../tune/experiment';

const FINISHED: readonly string[] = [TRIAL_STATUS.terminated, TRIAL_STATUS.stopped, TRIAL_STATUS.error];

/** True once a trial will train no more. */
const isTrialFinished = (trial: TrialRecord): boolean => FINISHED.includes(trial.status);

/** A running trial's position: epochs finished plus the fraction of the current epoch, in epochs. */
function trialEpochsDone(trial: TrialRecord, progress: StepProgress | undefined): number {
  const finished = trial.history[trial.history.length - 1]?.epoch ?? 0;
  if (trial.status !== TRIAL_STATUS.running || !progress || progress.epoch <= finished) return finished;
  return finished + Math.min(1, progress.step / Math.max(1, progress.steps_per_epoch));
}

export interface SearchProgress {
  trialsDone: number;
  trialsTotal: number;
  /** Epochs trained (fractions included) and epochs the search will train at most. */
  epochsDone: number;
  epochsTotal: number;
  elapsedMs: number;
  /** Estimated from the pace so far; null until an epoch has made progress. */
  remainingMs: number | null;
}

/**
 * Progress of a whole search. A finished trial counts only the epochs it trained, so trials that
 * stop early shorten the estimate; the pace is epochs per millisecond since the search started.
 */
export function searchProgress(
  state: ExperimentState,
  progress: Readonly<Record<string, StepProgress>>,
  elapsedMs: number,
): SearchProgress {
  const max = state.settings.maxNumEpochs;
  let epochsDone = 0;
  let epochsTotal = 0;
  let trialsDone = 0;
  for (const trial of state.trials) {
    const done = trialEpochsDone(trial, progress[trial.id]);
    epochsDone += done;
    if (isTrialFinished(trial)) {
      trialsDone += 1;
      epochsTotal += done;
    } else {
      epochsTotal += max;
    }
  }
  const remaining = Math.max(0, epochsTotal - epochsDone);
  const remainingMs = epochsDone > 0 ? (elapsedMs / epochsDone) * remaining : trialsDone === state.trials.length ? 0 : null;
  return { trialsDone, trialsTotal: state.trials.length, epochsDone, epochsTotal, elapsedMs, remainingMs };
}

/** `1:05`, `12:00`, `1:02:03`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
