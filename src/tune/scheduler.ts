/**
 * Trial schedulers, as pure state and functions so that a search can be saved and resumed:
 * FIFO (every trial runs all its epochs) and ASHA with the semantics of Ray Tune's
 * AsyncHyperBandScheduler with one bracket: time_attr = epoch, max_t = max_num_epochs,
 * metric val_acc, mode max.
 */
import type { RunSettings } from './space';

export const DECISIONS = { continue: 'CONTINUE', stop: 'STOP' } as const;
/** What a trial does after reporting an epoch. */
export type Decision = (typeof DECISIONS)[keyof typeof DECISIONS];

/** One ASHA rung: its epoch milestone and the val_acc each trial had when it reached it. */
export interface Rung {
  milestone: number;
  recorded: Record<string, number>;
}

export type SchedulerState =
  | { kind: 'fifo'; maxT: number }
  | {
      kind: 'asha';
      maxT: number;
      gracePeriod: number;
      reductionFactor: number;
      /** Highest milestone first, as Ray keeps them. */
      rungs: Rung[];
    };

/**
 * ASHA's rung milestones, lowest first: gracePeriod * rf^k for k = 0, 1, ... while within maxT
 * (Ray: MAX_RUNGS = int(log(max_t / grace_period) / log(rf) + 1)). A small tolerance keeps
 * exact powers (max_t = 8, rf = 2) from being lost to floating-point logs.
 */
export function ashaMilestones(gracePeriod: number, reductionFactor: number, maxT: number): number[] {
  const count = Math.floor(Math.log(maxT / gracePeriod) / Math.log(reductionFactor) + 1 + 1e-9);
  return Array.from({ length: Math.max(0, count) }, (_, k) => gracePeriod * reductionFactor ** k);
}

/** numpy.nanpercentile with linear interpolation, q in [0, 100]; null when no value is a number. */
export function percentile(values: readonly number[], q: number): number | null {
  // A NaN saved to JSON comes back as null; both are skipped.
  const sorted = values.filter((value) => typeof value === 'number' && !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * (q / 100);
  const below = Math.floor(position);
  const low = sorted[below] as number;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return low + (position - below) * (high - low);
}

/** The cutoff at a rung: the (1 - 1/rf) quantile of what it has recorded, or null if it is empty. */
export function rungCutoff(rung: Rung, reductionFactor: number): number | null {
  return percentile(Object.values(rung.recorded), (1 - 1 / reductionFactor) * 100);
}

/** A fresh scheduler for a search's settings. */
export function createSchedulerState(settings: RunSettings): SchedulerState {
  if (settings.scheduler === 'fifo') return { kind: 'fifo', maxT: settings.maxNumEpochs };
  const milestones = ashaMilestones(settings.gracePeriod, settings.reductionFactor, settings.maxNumEpochs);
  return {
    kind: 'asha',
    maxT: settings.maxNumEpochs,
    gracePeriod: settings.gracePeriod,
    reductionFactor: settings.reductionFactor,
    rungs: milestones.reverse().map((milestone) => ({ milestone, recorded: {} })),
  };
}

/**
 * Ray's _Bracket.on_result (with stop_last_trials, its default): take the highest rung the trial
 * has reached and not yet been recorded at; compare it with the cutoff of what that rung recorded
 * so far (before adding itself), stop it if below, and record it. With no such rung it continues.
 */
function bracketOnResult(
  state: Extract<SchedulerState, { kind: 'asha' }>,
  trialId: string,
  epoch: number,
  valAcc: number,
): { state: SchedulerState; decision: Decision } {
  for (const [index, rung] of state.rungs.entries()) {
    if (epoch < rung.milestone || trialId in rung.recorded) continue;
    const cutoff = rungCutoff(rung, state.reductionFactor);
    const below = cutoff !== null && (Number.isNaN(valAcc) || valAcc < cutoff);
    const rungs = state.rungs.map((r, i) => (i === index ? { ...r, recorded: { ...r.recorded, [trialId]: valAcc } } : r));
    return { state: { ...state, rungs }, decision: below ? DECISIONS.stop : DECISIONS.continue };
  }
  return { state, decision: DECISIONS.continue };
}

/**
 * A trial reported `valAcc` after `epoch` (1-based): should it go on? FIFO always continues
 * (the trial ends by itself at max_num_epochs, as Ray's FIFOScheduler). ASHA stops a trial at
 * max_t (Ray's stop_last_trials) and otherwise applies the rung rule.
 */
export function schedulerOnResult(
  state: SchedulerState,
  trialId: string,
  epoch: number,
  valAcc: number,
): { state: SchedulerState; decision: Decision } {
  if (state.kind === 'fifo') return { state, decision: DECISIONS.continue };
  if (epoch >= state.maxT) return { state, decision: DECISIONS.stop };
  return bracketOnResult(state, trialId, epoch, valAcc);
}

/** A trial finished all its epochs: as Ray's on_trial_complete, its last result is recorded at the rungs it reached. */
export function schedulerOnComplete(state: SchedulerState, trialId: string, epoch: number, valAcc: number): SchedulerState {
  if (state.kind === 'fifo') return state;
  return bracketOnResult(state, trialId, epoch, valAcc).state;
}

/** A mutable wrapper over the pure scheduler state, for callers that keep one object. */
export class TrialScheduler {
  private state: SchedulerState;

  constructor(stateOrSettings: SchedulerState | RunSettings) {
    this.state = 'kind' in stateOrSettings ? stateOrSettings : createSchedulerState(stateOrSettings);
  }

  /** Records a result and says whether the trial continues. */
  onResult(trialId: string, epoch: number, valAcc: number): Decision {
    const { state, decision } = schedulerOnResult(this.state, trialId, epoch, valAcc);
    this.state = state;
    return decision;
  }

  /** Records the final result of a trial that ran to the end. */
  onComplete(trialId: string, epoch: number, valAcc: number): void {
    this.state = schedulerOnComplete(this.state, trialId, epoch, valAcc);
  }

  /** The scheduler's state as plain JSON, for saving a search. */
  toJSON(): SchedulerState {
    return this.state;
  }
}
