import { describe, expect, it } from 'vitest';
import { plannedSteps } from './plan';

const plan = { budgetSeconds: 5, minSteps: 3, maxSteps: 200 };

describe('plannedSteps', () => {
  it('fills the time budget from one step estimate', () => {
    expect(plannedSteps(100, plan)).toBe(50);
    expect(plannedSteps(30, plan)).toBe(167);
  });

  it('keeps within the fewest and most steps', () => {
    expect(plannedSteps(4000, plan)).toBe(3);
    expect(plannedSteps(0.5, plan)).toBe(200);
    expect(plannedSteps(0, plan)).toBe(200);
  });

  it('times no more steps when one step already filled the budget', () => {
    expect(plannedSteps(5000, plan)).toBe(0);
    expect(plannedSteps(24_000, plan)).toBe(0);
  });

  it('takes a fixed step count as given', () => {
    expect(plannedSteps(24_000, { ...plan, steps: 7 })).toBe(7);
  });
});
