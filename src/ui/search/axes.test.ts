import { describe, expect, it } from 'vitest';
import { epochAxis, linearAxis, logAxis, type Axis } from './axes';

const wellFormed = (axis: Axis) => {
  expect(new Set(axis.ticks).size).toBe(axis.ticks.length);
  expect(axis.domain[1]).toBeGreaterThan(axis.domain[0]);
  for (const tick of axis.ticks) {
    expect(tick).toBeGreaterThanOrEqual(axis.domain[0]);
    expect(tick).toBeLessThanOrEqual(axis.domain[1]);
  }
};

describe('chart axes (recharts keys ticks by value, so repeated values are duplicate React keys)', () => {
  it('gives distinct ticks and a real domain for one point, as after the first epoch of one trial', () => {
    for (const axis of [linearAxis([0.9712]), linearAxis([0.97, 0.97]), linearAxis([]), logAxis([0.003]), logAxis([0.002, 0.002]), epochAxis(1)]) {
      wellFormed(axis);
    }
    expect(linearAxis([0.9712]).domain[0]).toBeLessThan(0.9712);
    expect(epochAxis(1).ticks).toEqual([1, 2]);
  });

  it('spreads ticks over ordinary data', () => {
    for (const axis of [linearAxis([0.1, 0.95, 0.97]), linearAxis([0.97001, 0.97002]), logAxis([1e-4, 3e-3, 1e-2]), logAxis([0.002, 0.004]), epochAxis(20), epochAxis(37)]) {
      wellFormed(axis);
    }
    expect(logAxis([1e-4, 3e-3, 1e-2]).ticks).toEqual([1e-4, 1e-3, 1e-2]);
    expect(epochAxis(5).ticks).toEqual([1, 2, 3, 4, 5]);
  });
});
