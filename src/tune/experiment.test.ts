import { describe, expect, it } from 'vitest';
import {
  TRIAL_STATUS,
  bestTrial,
  countByStatus,
  createExperiment,
  experimentReducer,
  isSearchFinished,
  nextPendingTrial,
  reportEpoch,
  restoreExperiment,
  resumeEpoch,
  serializeExperiment,
  type ExperimentState,
} from './experiment';
import { sampleTrials } from './sampler';
import { DEFAULT_SETTINGS, defaultSpace, type RunSettings } from './space';

function experiment(overrides: Partial<RunSettings> = {}, numTrials = 4): ExperimentState {
  const settings: RunSettings = { ...DEFAULT_SETTINGS, numTrials, maxNumEpochs: 4, ...overrides };
  const space = { ...defaultSpace(), f1: { kind: 'choice' as const, values: [4, 8] } };
  return createExperiment(space, settings, sampleTrials(space, settings));
}

const start = (state: ExperimentState, trialId: string): ExperimentState => experimentReducer(state, { kind: 'trial-started', trialId });
const report = (state: ExperimentState, trialId: string, epoch: number, val_acc: number) =>
  reportEpoch(state, trialId, { epoch, val_acc, val_loss: 1 - val_acc });
const status = (state: ExperimentState, trialId: string): string | undefined => state.trials.find((t) => t.id === trialId)?.status;

describe('a FIFO search', () => {
  it('runs every trial to max_num_epochs and picks the best', () => {
    let state = experiment();
    expect(countByStatus(state)).toEqual({ PENDING: 4, RUNNING: 0, TERMINATED: 0, STOPPED: 0, ERROR: 0 });
    const accs: Record<string, number> = { t0001: 0.9, t0002: 0.95, t0003: 0.95, t0004: 0.7 };
    for (const trial of state.trials) {
      expect(nextPendingTrial(state)?.id).toBe(trial.id);
      state = start(state, trial.id);
      for (let epoch = 1; epoch <= 4; epoch += 1) {
        const result = report(state, trial.id, epoch, (accs[trial.id] ?? 0) - 0.01 * Math.abs(2 - epoch));
        state = result.state;
        expect(result.decision).toBe(epoch < 4 ? 'CONTINUE' : 'STOP');
      }
      expect(status(state, trial.id)).toBe(TRIAL_STATUS.terminated);
    }
    expect(isSearchFinished(state)).toBe(true);
    // t0002 and t0003 tie at 0.95 (their epoch 2): the earlier id wins.
    expect(bestTrial(state)?.id).toBe('t0002');
    expect(bestTrial(state)?.best).toEqual({ epoch: 2, val_acc: 0.95, val_loss: expect.closeTo(0.05) as number });
  });
});

describe('an ASHA search', () => {
  it('stops trials below the rung cutoff and terminates the others at max_t', () => {
    let state = experiment({ scheduler: 'asha' });
    for (const id of ['t0001', 't0002', 't0003', 't0004']) state = start(state, id);
    const step = (id: string, epoch: number, acc: number): string => {
      const result = report(state, id, epoch, acc);
      state = result.state;
      return result.decision;
    };
    expect(step('t0001', 1, 0.9)).toBe('CONTINUE');
    expect(step('t0002', 1, 0.8)).toBe('STOP');
    expect(step('t0003', 1, 0.95)).toBe('CONTINUE');
    expect(step('t0004', 1, 0.88)).toBe('STOP');
    expect(step('t0003', 2, 0.96)).toBe('CONTINUE');
    expect(step('t0001', 2, 0.91)).toBe('STOP');
    expect(step('t0003', 3, 0.97)).toBe('CONTINUE');
    expect(step('t0003', 4, 0.98)).toBe('STOP');
    expect(state.trials.map((t) => [t.id, t.status, t.stopReason])).toEqual([
      ['t0001', 'STOPPED', 'scheduler'],
      ['t0002', 'STOPPED', 'scheduler'],
      ['t0003', 'TERMINATED', null],
      ['t0004', 'STOPPED', 'scheduler'],
    ]);
    expect(bestTrial(state)?.id).toBe('t0003');
    // A late result for a stopped trial changes nothing.
    expect(report(state, 't0002', 2, 0.99)).toEqual({ state, decision: 'STOP' });
  });
});

describe('failures, stops and resume', () => {
  it('retries a failed trial up to max_failures, then marks it ERROR with its message', () => {
    let state = start(experiment({ maxFailures: 1 }), 't0001');
    state = report(state, 't0001', 1, 0.5).state;
    state = experimentReducer(state, { kind: 'trial-failed', trialId: 't0001', message: 'GPU device lost' });
    expect(status(state, 't0001')).toBe('PENDING');
    expect(state.trials[0] && resumeEpoch(state.trials[0])).toBe(1);
    state = start(state, 't0001');
    // The retry repeats epoch 1 from the checkpoint before it: the new report replaces the old.
    state = report(state, 't0001', 1, 0.6).state;
    expect(state.trials[0]?.history.map((m) => m.val_acc)).toEqual([0.6]);
    state = experimentReducer(state, { kind: 'trial-failed', trialId: 't0001', message: 'out of memory' });
    expect(state.trials[0]).toMatchObject({ status: 'ERROR', failures: 2, error: 'out of memory' });
    expect(nextPendingTrial(state)?.id).toBe('t0002');
  });

  it('stops one trial, or the whole search', () => {
    let state = start(experiment(), 't0001');
    state = experimentReducer(state, { kind: 'trial-stop-requested', trialId: 't0001' });
    expect(state.trials[0]).toMatchObject({ status: 'STOPPED', stopReason: 'user' });
    state = start(state, 't0002');
    state = experimentReducer(state, { kind: 'search-stop-requested' });
    expect(countByStatus(state)).toEqual({ PENDING: 0, RUNNING: 0, TERMINATED: 0, STOPPED: 4, ERROR: 0 });
    expect(nextPendingTrial(state)).toBeNull();
    expect(isSearchFinished(state)).toBe(true);
  });

  it('saves to JSON and resumes: running trials continue after their last epoch, finished ones stay', () => {
    let state = experiment({ scheduler: 'asha' }, 3);
    state = start(state, 't0001');
    for (let epoch = 1; epoch <= 4; epoch += 1) state = report(state, 't0001', epoch, 0.9).state;
    state = start(state, 't0002');
    state = report(state, 't0002', 1, 0.95).state;
    state = report(state, 't0002', 2, 0.96).state;

    const restored = restoreExperiment(serializeExperiment(state));
    expect(restored.trials.map((t) => [t.id, t.status, resumeEpoch(t)])).toEqual([
      ['t0001', 'TERMINATED', 4],
      ['t0002', 'PENDING', 2],
      ['t0003', 'PENDING', 0],
    ]);
    expect(restored.scheduler).toEqual(state.scheduler);
    // The scheduler's rung records survive: a weak trial is still compared with them.
    let next = start(restored, 't0003');
    expect(report(next, 't0003', 1, 0.5).decision).toBe('STOP');
    next = start(next, 't0002');
    expect(report(next, 't0002', 3, 0.97).decision).toBe('CONTINUE');
  });

  it('refuses a foreign or newer saved search', () => {
    expect(() => restoreExperiment('{"version": 2}')).toThrow('saved search has version 2; this studio reads version 1');
    expect(() => restoreExperiment('[]')).toThrow(/version/);
    expect(() => restoreExperiment('{"version": 1}')).toThrow('saved search lacks trials, settings, space or scheduler');
  });
});
