import { describe, expect, it } from 'vitest';
import { TrialScheduler, ashaMilestones, createSchedulerState, percentile, rungCutoff, schedulerOnResult } from './scheduler';
import { DEFAULT_SETTINGS, type RunSettings } from './space';

const asha = (overrides: Partial<RunSettings> = {}): TrialScheduler =>
  new TrialScheduler({ ...DEFAULT_SETTINGS, scheduler: 'asha', ...overrides });

describe('percentile', () => {
  it('interpolates linearly as numpy does and skips NaN', () => {
    expect(percentile([2, 4], 50)).toBe(3);
    expect(percentile([2, 4, 1], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 75)).toBe(3.25);
    expect(percentile([0.5, 0.9, 0.7], 100 * (1 - 1 / 3))).toBeCloseTo(0.7667, 4);
    expect(percentile([NaN, 1, 3], 50)).toBe(2);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('ASHA rungs', () => {
  it('sit at grace_period * rf^k within max_t (Ray: int(log(max_t/grace)/log(rf) + 1) rungs)', () => {
    expect(ashaMilestones(1, 2, 20)).toEqual([1, 2, 4, 8, 16]);
    expect(ashaMilestones(1, 2, 16)).toEqual([1, 2, 4, 8, 16]);
    expect(ashaMilestones(1, 4, 20)).toEqual([1, 4, 16]);
    expect(ashaMilestones(2, 3, 20)).toEqual([2, 6, 18]);
    expect(ashaMilestones(1, 3, 9)).toEqual([1, 3, 9]);
    const state = createSchedulerState({ ...DEFAULT_SETTINGS, scheduler: 'asha', maxNumEpochs: 10 });
    expect(state.kind === 'asha' ? state.rungs.map((r) => r.milestone) : []).toEqual([8, 4, 2, 1]);
  });
});

describe('ASHA decisions', () => {
  it("match Ray's _Bracket docstring example (grace 1, max_t 10, rf 2)", () => {
    const scheduler = asha({ maxNumEpochs: 10 });
    expect(scheduler.onResult('trial1', 1, 2)).toBe('CONTINUE'); // first at the rung: no cutoff yet
    expect(scheduler.onResult('trial2', 1, 4)).toBe('CONTINUE'); // cutoff = median{2} = 2; 4 >= 2
    const state = scheduler.toJSON();
    expect(state.kind === 'asha' ? rungCutoff(state.rungs[3] ?? { milestone: 1, recorded: {} }, 2) : null).toBe(3);
    expect(scheduler.onResult('trial3', 1, 1)).toBe('STOP'); // cutoff = median{2, 4} = 3; 1 < 3
    const after = scheduler.toJSON();
    expect(after.kind === 'asha' ? rungCutoff(after.rungs[3] ?? { milestone: 1, recorded: {} }, 2) : null).toBe(2);
  });

  it('a hand-worked search: 4 trials, grace 1, rf 2, max 4 epochs', () => {
    // Rungs at epochs 1, 2 and 4 (= max_t); a result at max_t ends the trial.
    const s = asha({ maxNumEpochs: 4 });
    // Epoch 1 (rung 1). Recorded before each: {}, {a:.90}, {a:.90,b:.80}, {a,b,c:.95}.
    expect(s.onResult('a', 1, 0.9)).toBe('CONTINUE'); // no cutoff
    expect(s.onResult('b', 1, 0.8)).toBe('STOP'); // median{.90} = .90; .80 < .90
    expect(s.onResult('c', 1, 0.95)).toBe('CONTINUE'); // median{.90,.80} = .85
    expect(s.onResult('d', 1, 0.88)).toBe('STOP'); // median{.90,.80,.95} = .90; .88 < .90
    // Epoch 2 (rung 2): only a and c got here.
    expect(s.onResult('c', 2, 0.96)).toBe('CONTINUE'); // no cutoff yet
    expect(s.onResult('a', 2, 0.91)).toBe('STOP'); // median{.96}; .91 < .96
    // Epoch 3 is between rungs: c is recorded at every rung it passed, so it continues.
    expect(s.onResult('c', 3, 0.5)).toBe('CONTINUE');
    // Epoch 4 = max_t: the trial is done.
    expect(s.onResult('c', 4, 0.97)).toBe('STOP');
  });

  it('keeps the top 1/rf: with rf 4 a trial must beat the 75th percentile', () => {
    const s = asha({ reductionFactor: 4, maxNumEpochs: 16 });
    for (const [id, acc] of [['a', 0.1], ['b', 0.2], ['c', 0.3], ['d', 0.4]] as const) s.onResult(id, 1, acc);
    // 75th percentile of {.1,.2,.3,.4} = .325
    expect(s.onResult('e', 1, 0.32)).toBe('STOP');
    expect(s.onResult('f', 1, 0.33)).toBe('CONTINUE');
  });

  it('is pure: the functional form leaves the old state untouched', () => {
    const state = createSchedulerState({ ...DEFAULT_SETTINGS, scheduler: 'asha' });
    const { state: next } = schedulerOnResult(state, 'a', 1, 0.5);
    expect(JSON.stringify(state)).not.toBe(JSON.stringify(next));
    expect(state.kind === 'asha' && state.rungs.every((r) => Object.keys(r.recorded).length === 0)).toBe(true);
  });

  it('resumes from its JSON with the same decisions', () => {
    const s = asha();
    s.onResult('a', 1, 0.9);
    const restored = new TrialScheduler(JSON.parse(JSON.stringify(s.toJSON())) as ReturnType<TrialScheduler['toJSON']>);
    expect(restored.onResult('b', 1, 0.8)).toBe('STOP');
  });
});

describe('FIFO', () => {
  it('never stops a trial early', () => {
    const s = new TrialScheduler({ ...DEFAULT_SETTINGS, scheduler: 'fifo', maxNumEpochs: 3 });
    for (let trial = 0; trial < 20; trial += 1) {
      for (let epoch = 1; epoch <= 3; epoch += 1) expect(s.onResult(`t${trial}`, epoch, trial === 0 ? 0.99 : 0.01 * trial)).toBe('CONTINUE');
    }
  });
});
