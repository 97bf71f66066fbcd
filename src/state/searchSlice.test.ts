import { describe, expect, it } from 'vitest';
import type { TrialRecord } from '../tune/experiment';
import { trialRow } from '../ui/search/trialRows';
import { defaultConcurrency, searchElapsedMs, searchOutcome } from './searchSlice';

describe('default trials at once', () => {
  it('runs two trials on a GPU, one per core on single-threaded CPU backends, fewer when wasm is threaded', () => {
    expect(defaultConcurrency('webgpu', 2, false)).toBe(2);
    expect(defaultConcurrency('wasm', 2, false)).toBe(2);
    expect(defaultConcurrency('wasm', 16, false)).toBe(4);
    expect(defaultConcurrency('wasm', 8, true)).toBe(4);
    expect(defaultConcurrency('wasm', 2, true)).toBe(1);
    expect(defaultConcurrency('cpu', 1, false)).toBe(1);
  });
});

describe('a search’s status line', () => {
  const experiment = (stopped: boolean) => ({ stopped }) as Parameters<typeof searchOutcome>[0]['experiment'];

  it('reads "stopped" after Stop all, not as a search that finished normally', () => {
    expect(searchOutcome({ status: 'running', experiment: experiment(false) })).toBe('running');
    expect(searchOutcome({ status: 'finished', experiment: experiment(false) })).toBe('finished');
    expect(searchOutcome({ status: 'finished', experiment: experiment(true) })).toBe('stopped');
  });

  it('counts the time before a pause (a reload, then Resume) in the elapsed time', () => {
    // Ran 90 s, the tab closed; resumed at t = 1,000,000 ms and has run 30 s since.
    expect(searchElapsedMs({ startedAt: 1_000_000, finishedAt: null, elapsedBeforeMs: 90_000 }, 1_030_000)).toBe(120_000);
    expect(searchElapsedMs({ startedAt: 1_000_000, finishedAt: 1_045_000, elapsedBeforeMs: 90_000 }, 2_000_000)).toBe(135_000);
    // A clock read just before the start never gives a negative time.
    expect(searchElapsedMs({ startedAt: 1_000_000, finishedAt: null, elapsedBeforeMs: 0 }, 999_000)).toBe(0);
  });

  it('a resumed trial’s elapsed time includes the epochs it trained before', () => {
    const trial = { id: 't0001', status: 'RUNNING', config: {}, totalParams: null, history: [{ epoch: 1, val_acc: 0.9, time_s: 40 }], best: null } as unknown as TrialRecord;
    expect(trialRow(trial, { startedAt: 1_000, endedAt: null, priorMs: 40_000 }, 11_000).elapsedMs).toBe(50_000);
  });
});
