import { describe, expect, it } from 'vitest';
import { createExperiment, type TrialRecord } from '../../tune/experiment';
import { defaultSpace, DEFAULT_SETTINGS, DEFAULT_TRIAL_CONFIG } from '../../tune/space';
import { epochRows } from './chartData';
import { convertDomain } from './domainText';
import { formatDuration, searchProgress } from './searchProgress';
import { throttleDelay } from './throttle';
import { nextSortOrder, sortTrialRows, trialRow, type TrialRow } from './trialRows';

const trial = (id: string, status: TrialRecord['status'], accs: number[], lr = 1e-3): TrialRecord => {
  const history = accs.map((val_acc, i) => ({ epoch: i + 1, val_acc, val_loss: 1 - val_acc, samples_per_s: 100 * (i + 1), time_s: 2 }));
  const best = history.reduce<TrialRecord['best']>((b, m) => (b === null || m.val_acc > b.val_acc ? m : b), null);
  return { id, config: { ...DEFAULT_TRIAL_CONFIG, lr }, totalParams: 9994, status, history, best, failures: 0, error: null, stopReason: null };
};

describe('trial table sorting', () => {
  const rows: TrialRow[] = [
    trialRow(trial('t0001', 'TERMINATED', [0.5, 0.9]), undefined, 0),
    trialRow(trial('t0002', 'RUNNING', [0.95], 1e-2), { startedAt: 1000, endedAt: null }, 4000),
    trialRow(trial('t0003', 'PENDING', []), undefined, 0),
    trialRow(trial('t0010', 'TERMINATED', [0.9, 0.7]), undefined, 0),
  ];

  it('sorts by a metric, empty cells last, ties by trial id', () => {
    const ids = (order: Parameters<typeof sortTrialRows>[1]) => sortTrialRows(rows, order).map((r) => r.id);
    expect(ids({ column: 'bestValAcc', descending: true })).toEqual(['t0002', 't0001', 't0010', 't0003']);
    expect(ids({ column: 'bestValAcc', descending: false })).toEqual(['t0001', 't0010', 't0002', 't0003']);
    expect(ids({ column: 'id', descending: false })).toEqual(['t0001', 't0002', 't0003', 't0010']);
    expect(ids({ column: 'lr', descending: true })[0]).toBe('t0002');
    expect(ids({ column: 'status', descending: false })).toEqual(['t0003', 't0002', 't0001', 't0010']);
  });

  it('reads a row from a trial: best epoch, latest throughput, elapsed', () => {
    const row = rows[0];
    expect(row).toMatchObject({ epochs: 2, bestValAcc: 0.9, samplesPerS: 200, elapsedMs: 4000 });
    expect(rows[1]?.elapsedMs).toBe(3000);
  });

  it('flips the direction on the same column; metrics start descending', () => {
    expect(nextSortOrder({ column: 'id', descending: false }, 'id')).toEqual({ column: 'id', descending: true });
    expect(nextSortOrder({ column: 'id', descending: false }, 'bestValAcc')).toEqual({ column: 'bestValAcc', descending: true });
    expect(nextSortOrder({ column: 'bestValAcc', descending: true }, 'lr')).toEqual({ column: 'lr', descending: false });
  });
});

describe('throttle', () => {
  it('waits out the rest of the interval, never less than zero', () => {
    expect(throttleDelay(1000, 1100, 250)).toBe(150);
    expect(throttleDelay(1000, 1250, 250)).toBe(0);
    expect(throttleDelay(0, 5000, 250)).toBe(0);
  });
});

describe('search progress', () => {
  it('counts finished trials, fractional epochs, and estimates the time left from the pace', () => {
    const settings = { ...DEFAULT_SETTINGS, maxNumEpochs: 4 };
    const state = createExperiment(defaultSpace(), settings, []);
    state.trials = [trial('t0001', 'STOPPED', [0.5]), trial('t0002', 'RUNNING', [0.5]), trial('t0003', 'PENDING', [])];
    const p = searchProgress(state, { t0002: { epoch: 2, step: 5, steps_per_epoch: 10, loss: 1 } }, 5000);
    expect(p.trialsDone).toBe(1);
    expect(p.epochsDone).toBeCloseTo(2.5);
    expect(p.epochsTotal).toBe(9);
    expect(p.remainingMs).toBeCloseTo((5000 / 2.5) * 6.5);
    expect(searchProgress(createExperiment(defaultSpace(), settings, []), {}, 0).remainingMs).toBe(0);
    expect(formatDuration(65_000)).toBe('1:05');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });
});

describe('editor helpers', () => {
  it('converts between kinds keeping values or their span', () => {
    expect(convertDomain('lr', { kind: 'choice', values: [1e-3, 1e-2] }, 'interval')).toEqual({ kind: 'interval', lo: 1e-3, hi: 1e-2, log: true, integer: false });
    expect(convertDomain('f1', { kind: 'choice', values: [4, 8] }, 'interval')).toEqual({ kind: 'interval', lo: 4, hi: 8, log: false, integer: true });
    expect(convertDomain('f1', { kind: 'interval', lo: 4, hi: 8, log: false, integer: true }, 'choice')).toEqual({ kind: 'choice', values: [4, 5, 6, 7, 8] });
    expect(convertDomain('lr', { kind: 'choice', values: [1e-3, 1e-2] }, 'fixed')).toEqual({ kind: 'fixed', value: 1e-3 });
    expect(convertDomain('f2', { kind: 'fixed', value: 6 }, 'range')).toEqual({ kind: 'range', start: 6, stop: 7, step: 1 });
  });

  it('shapes histories into one chart row per epoch', () => {
    const rows = epochRows([trial('t0001', 'TERMINATED', [0.5, 0.9]), trial('t0002', 'RUNNING', [0.6])], ['val_acc']);
    expect(rows).toEqual([
      { epoch: 1, 't0001:val_acc': 0.5, 't0002:val_acc': 0.6 },
      { epoch: 2, 't0001:val_acc': 0.9 },
    ]);
  });
});
