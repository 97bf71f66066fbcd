/**
 * Draws the trials of a search as Ray Tune's BasicVariantGenerator does: grid axes are crossed
 * (the first grid hyperparameter varies fastest), the whole grid is repeated num_trials times,
 * and every other hyperparameter is drawn afresh for each trial from a seeded generator.
 */
import { createRng, type Rng } from './rng';
import { HYPERPARAMETERS, rangeValues, type Domain, type RunSettings, type SearchSpace, type TrialConfig } from './space';

/** One trial to run: its id (`t0001`...), its hyperparameters and its model's size. */
export interface TrialSpec {
  id: string;
  config: TrialConfig;
  /** Trainable parameters of the model this config builds; null when no counter was given. */
  totalParams: number | null;
}

export interface SampleOptions {
  /** Counts a config's trainable parameters (the model registry's count). */
  countParams?: (config: TrialConfig, model: string) => number;
}

/** The id of the trial at a 0-based position: `t0001` for 0. */
export function trialId(index: number): string {
  return `t${String(index + 1).padStart(4, '0')}`;
}

function pick(values: readonly number[], rng: Rng): number {
  return values[Math.min(values.length - 1, Math.floor(rng.next() * values.length))] as number;
}

/**
 * One draw from a domain. interval: uniform in [lo, hi). tag(log, ...): uniform in log space.
 * int(interval(lo, hi)): uniform over the integers lo..hi, hi included, as Hydra's Optuna sweeper
 * does (Ray's randint excludes hi). A log int interval samples log-uniformly over [lo - 0.5, hi + 0.5]
 * and rounds, as Optuna does.
 */
export function sampleDomain(domain: Domain, rng: Rng): number {
  return domain.kind === 'interval' ? intervalValue(domain, rng.next()) : discreteDraw(domain, rng);
}

/** An interval's value at quantile `u` in [0, 1) of its distribution (uniform, log-uniform, integer). */
function intervalValue(domain: Extract<Domain, { kind: 'interval' }>, u: number): number {
  const { lo, hi, log, integer } = domain;
  if (integer && log) {
    const a = Math.log(lo - 0.5);
    const b = Math.log(hi + 0.5);
    return Math.min(hi, Math.max(lo, Math.round(Math.exp(a + u * (b - a)))));
  }
  if (integer) return Math.min(hi, lo + Math.floor(u * (hi - lo + 1)));
  if (log) return Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo)));
  return lo + u * (hi - lo);
}

function discreteDraw(domain: Exclude<Domain, { kind: 'interval' }>, rng: Rng): number {
  switch (domain.kind) {
    case 'fixed':
      return domain.value;
    case 'choice':
    case 'grid':
      return pick(domain.values, rng);
    case 'range':
      return pick(rangeValues(domain.start, domain.stop, domain.step), rng);
  }
}

/**
 * `count` quantiles in [0, 1), one in each of `count` equal strata, in a seeded random order
 * (Latin hypercube sampling of one axis). Independent draws can land on the same value, or as
 * good as the same; one draw per stratum never does, and it covers the range evenly.
 */
export function stratifiedQuantiles(count: number, rng: Rng): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order.map((stratum) => (stratum + rng.next()) / count);
}

/** Every point of the grid, the first grid axis varying fastest; one empty point without grid axes. */
function gridPoints(space: SearchSpace): Partial<TrialConfig>[] {
  let points: Partial<TrialConfig>[] = [{}];
  const axes = HYPERPARAMETERS.filter((name) => space[name].kind === 'grid');
  for (const name of [...axes].reverse()) {
    const domain = space[name];
    if (domain.kind !== 'grid') continue;
    points = points.flatMap((point) => domain.values.map((value) => ({ ...point, [name]: value })));
  }
  return points;
}

/**
 * The trials of a search: num_trials x grid points, ids in order, the same list for the same
 * space, settings and seed. Hyperparameters are drawn in a fixed order (lr, beta1, beta2, f1, f2,
 * batch_size), one generator for the whole search. A continuous interval (not int(...)) is
 * sampled by strata, one per trial, so no two trials of a search share its value.
 */
export function sampleTrials(space: SearchSpace, settings: RunSettings, options: SampleOptions = {}): TrialSpec[] {
  const rng = createRng(settings.seed);
  const points = gridPoints(space);
  const count = settings.numTrials * points.length;
  const strata = new Map<string, number[]>();
  for (const name of HYPERPARAMETERS) {
    const domain = space[name];
    if (domain.kind === 'interval' && !domain.integer) strata.set(name, stratifiedQuantiles(count, rng));
  }
  const trials: TrialSpec[] = [];
  for (let sample = 0; sample < settings.numTrials; sample += 1) {
    for (const point of points) {
      const config = {} as TrialConfig;
      for (const name of HYPERPARAMETERS) {
        const fromGrid: number | undefined = point[name];
        const domain = space[name];
        const quantile = strata.get(name)?.[trials.length];
        config[name] = fromGrid ?? (domain.kind === 'interval' && quantile !== undefined ? intervalValue(domain, quantile) : sampleDomain(domain, rng));
      }
      const totalParams = options.countParams ? options.countParams(config, settings.model) : null;
      trials.push({ id: trialId(trials.length), config, totalParams });
    }
  }
  return trials;
}
