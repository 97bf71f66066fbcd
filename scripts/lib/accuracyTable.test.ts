import { describe, expect, it } from 'vitest';
import { checkAccuracy, markdownTable, summarize, type AccuracyRow, type Runner } from './accuracyTable';

/** Rows for one runner: `curves[seed][epoch - 1]` is that seed's accuracy after the epoch. */
function rows(runner: Runner, curves: number[][]): AccuracyRow[] {
  return curves.flatMap((curve, seed) => curve.map((val_acc, i) => ({ runner, seed, epoch: i + 1, val_acc, time_s: 1 })));
}

const torch = rows('pytorch', [
  [0.96, 0.97, 0.975, 0.987],
  [0.962, 0.972, 0.977, 0.988],
  [0.958, 0.968, 0.973, 0.986],
]);

describe('the accuracy table', () => {
  it('gives each epoch the mean and min-max of every runner', () => {
    const summary = summarize(torch);
    expect(summary.map((s) => s.epoch)).toEqual([1, 2, 3, 4]);
    expect(summary[0]?.pytorch?.mean).toBeCloseTo(0.96, 12);
    expect(summary[0]?.pytorch).toMatchObject({ min: 0.958, max: 0.962, seeds: 3 });
    expect(summary[0]?.studio).toBeNull();
    expect(markdownTable(summary)).toContain('| 1 | - | 96.00 (95.80-96.20) | - |');
  });

  it('passes a studio run that matches PyTorch early and lands within 0.15 points at the end', () => {
    const studio = rows('studio', [
      [0.959, 0.969, 0.976, 0.986],
      [0.961, 0.971, 0.974, 0.987],
    ]);
    const checks = checkAccuracy(summarize([...torch, ...studio]));
    expect(checks.finalEpoch).toBe(4);
    expect(checks.finalGapPoints).toBeCloseTo(-0.05, 9);
    expect(checks.ok).toBe(true);
  });

  it('fails a final gap over 0.15 points, and an early epoch outside the spread', () => {
    const low = rows('studio', [[0.96, 0.97, 0.975, 0.984]]);
    expect(checkAccuracy(summarize([...torch, ...low]))).toMatchObject({ finalOk: false, ok: false });
    const slowStart = rows('studio', [[0.95, 0.97, 0.975, 0.987]]);
    const checks = checkAccuracy(summarize([...torch, ...slowStart]));
    expect(checks.finalOk).toBe(true);
    expect(checks.early).toEqual([
      { epoch: 1, inside: false },
      { epoch: 2, inside: true },
      { epoch: 3, inside: true },
    ]);
    expect(checks.ok).toBe(false);
  });

  it('fails when one runner is missing', () => {
    expect(checkAccuracy(summarize(torch))).toMatchObject({ finalEpoch: null, finalOk: false, ok: false });
  });
});
