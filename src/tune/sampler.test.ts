import { describe, expect, it } from 'vitest';
import { createRng } from './rng';
import { sampleDomain, sampleTrials, stratifiedQuantiles, trialId } from './sampler';
import { DEFAULT_SETTINGS, DEFAULT_TRIAL_CONFIG, defaultSpace, totalTrials, type Domain, type RunSettings, type SearchSpace } from './space';

const settings = (overrides: Partial<RunSettings> = {}): RunSettings => ({ ...DEFAULT_SETTINGS, ...overrides });
const draws = (domain: Domain, n: number, seed = 1): number[] => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => sampleDomain(domain, rng));
};

describe('createRng', () => {
  it('is deterministic per seed and uniform in [0, 1)', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const xs = Array.from({ length: 10_000 }, () => a.next());
    expect(Array.from({ length: 10_000 }, () => b.next())).toEqual(xs);
    expect(c.next()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeCloseTo(0.5, 1);
    const deciles = new Array<number>(10).fill(0);
    for (const x of xs) deciles[Math.floor(x * 10)] = (deciles[Math.floor(x * 10)] ?? 0) + 1;
    for (const count of deciles) expect(Math.abs(count - 1000)).toBeLessThan(120);
  });
});

describe('sampleDomain', () => {
  it('log-uniform is uniform in log space: half the draws below the geometric mean', () => {
    const lo = 1e-4;
    const hi = 1e-1;
    const xs = draws({ kind: 'interval', lo, hi, log: true, integer: false }, 20_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(lo);
    expect(Math.max(...xs)).toBeLessThan(hi);
    const geometricMean = Math.sqrt(lo * hi);
    const below = xs.filter((x) => x < geometricMean).length / xs.length;
    expect(below).toBeGreaterThan(0.48);
    expect(below).toBeLessThan(0.52);
    // Each decade gets a third of the draws.
    const firstDecade = xs.filter((x) => x < 1e-3).length / xs.length;
    expect(firstDecade).toBeGreaterThan(0.31);
    expect(firstDecade).toBeLessThan(0.36);
  });

  it('uniform interval: mean near the middle, within bounds', () => {
    const xs = draws({ kind: 'interval', lo: 0.8, hi: 0.95, log: false, integer: false }, 20_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...xs)).toBeLessThan(0.95);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.875, 2);
  });

  it('int(interval(lo, hi)) gives every integer lo..hi, hi included, evenly', () => {
    const xs = draws({ kind: 'interval', lo: 4, hi: 8, log: false, integer: true }, 10_000);
    const counts = new Map<number, number>();
    for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8]);
    for (const count of counts.values()) expect(Math.abs(count - 2000)).toBeLessThan(200);
  });

  it('log int interval stays integer and within bounds, favouring small values', () => {
    const xs = draws({ kind: 'interval', lo: 16, hi: 256, log: true, integer: true }, 10_000);
    expect(xs.every((x) => Number.isInteger(x) && x >= 16 && x <= 256)).toBe(true);
    expect(xs.filter((x) => x <= 64).length / xs.length).toBeCloseTo(0.5, 1);
  });

  it('choice and range pick each value evenly; range stops before stop', () => {
    const choice = draws({ kind: 'choice', values: [1e-3, 1e-2] }, 10_000);
    expect(choice.filter((x) => x === 1e-3).length / choice.length).toBeCloseTo(0.5, 1);
    const range = draws({ kind: 'range', start: 4, stop: 17, step: 4 }, 10_000);
    expect([...new Set(range)].sort((a, b) => a - b)).toEqual([4, 8, 12, 16]);
    const floats = draws({ kind: 'range', start: 0.1, stop: 0.5, step: 0.1 }, 1000);
    expect([...new Set(floats)].sort((a, b) => a - b)).toEqual([0.1, 0.2, 0.3, 0.4]);
  });
});

describe('sampleTrials', () => {
  const space: SearchSpace = {
    ...defaultSpace(),
    lr: { kind: 'interval', lo: 1e-4, hi: 1e-2, log: true, integer: false },
    f1: { kind: 'choice', values: [4, 8] },
  };

  it('gives the same trials for the same seed and different ones for another', () => {
    const a = sampleTrials(space, settings({ numTrials: 20, seed: 3 }));
    expect(sampleTrials(space, settings({ numTrials: 20, seed: 3 }))).toEqual(a);
    expect(sampleTrials(space, settings({ numTrials: 20, seed: 4 }))).not.toEqual(a);
    expect(a.map((t) => t.id).slice(0, 3)).toEqual(['t0001', 't0002', 't0003']);
    expect(a[0]?.config).toEqual({ ...DEFAULT_TRIAL_CONFIG, lr: a[0]?.config.lr, beta1: 0.9, beta2: 0.999, f1: a[0]?.config.f1, f2: 6, batch_size: 64 });
    expect(new Set(a.map((t) => t.config.f1))).toEqual(new Set([4, 8]));
    expect(trialId(1233)).toBe('t1234');
  });

  it('crosses grid axes and repeats the grid num_trials times, as Ray does', () => {
    const grid: SearchSpace = {
      ...space,
      f1: { kind: 'grid', values: [4, 8] },
      batch_size: { kind: 'grid', values: [32, 64, 128] },
    };
    const s = settings({ numTrials: 2 });
    const trials = sampleTrials(grid, s);
    expect(trials).toHaveLength(12);
    expect(totalTrials(grid, s)).toBe(12);
    const points = trials.map((t) => [t.config.f1, t.config.batch_size]);
    // First grid axis (f1) varies fastest; the whole grid repeats per sample.
    expect(points.slice(0, 6)).toEqual([
      [4, 32],
      [8, 32],
      [4, 64],
      [8, 64],
      [4, 128],
      [8, 128],
    ]);
    expect(points.slice(6)).toEqual(points.slice(0, 6));
    // Random axes are drawn afresh for every trial.
    expect(new Set(trials.map((t) => t.config.lr)).size).toBe(12);
  });

  it('counts parameters per trial with the injected counter', () => {
    const countParams = ({ f1, f2 }: { f1: number; f2: number }): number => f1 * 1000 + f2;
    const trials = sampleTrials(space, settings({ numTrials: 5 }), { countParams });
    for (const trial of trials) expect(trial.totalParams).toBe(trial.config.f1 * 1000 + 6);
    expect(sampleTrials(space, settings())[0]?.totalParams).toBeNull();
  });

describe('continuous intervals across the trials of one search', () => {
  it.each([
    ['log-uniform lr', { kind: 'interval', lo: 1e-4, hi: 1e-2, log: true, integer: false }],
    ['uniform beta1', { kind: 'interval', lo: 0.85, hi: 0.95, log: false, integer: false }],
  ] as const)('never gives two trials the same %s, and puts one draw in each of n equal strata', (_, domain) => {
    for (const seed of [0, 1, 2, 3, 4, 5, 6, 7]) {
      const trials = sampleTrials({ ...defaultSpace(), lr: domain, beta1: domain.lo < 1e-3 ? defaultSpace().beta1 : domain }, { ...DEFAULT_SETTINGS, numTrials: 12, seed });
      const name = domain.lo < 1e-3 ? 'lr' : 'beta1';
      const values = trials.map((t) => t.config[name]);
      // Four significant digits, as the trial table shows them: still all different.
      expect(new Set(values.map((v) => v.toPrecision(4))).size).toBe(12);
      const quantile = (v: number) => (domain.log ? Math.log(v / domain.lo) / Math.log(domain.hi / domain.lo) : (v - domain.lo) / (domain.hi - domain.lo));
      expect(new Set(values.map((v) => Math.floor(quantile(v) * 12))).size).toBe(12);
    }
  });

  it('stratified quantiles are a seeded permutation of one point per stratum', () => {
    const a = stratifiedQuantiles(10, createRng(5));
    expect(stratifiedQuantiles(10, createRng(5))).toEqual(a);
    expect(a.map((u) => Math.floor(u * 10)).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

});
