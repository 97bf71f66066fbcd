/**
 * A studio search space written in Ray Tune's search-space API, as Python source for main.py's
 * `param_space`. Each domain keeps its meaning: a Hydra `range` (stop exclusive) becomes
 * `tune.choice` over exactly its values, `int(interval(lo, hi))` (hi inclusive in the studio)
 * becomes `tune.randint(lo, hi + 1)` (Ray's upper bound is exclusive).
 */
import { HYPERPARAMETER_RULES, rangeValues, trialKeys, type Domain, type RunSettings, type SearchSpace } from '../../tune/space';

/** A number as a Python literal: integers without a point, others in the shortest exact form. */
export function pyNumber(value: number): string {
  if (Number.isNaN(value)) return 'float("nan")';
  if (!Number.isFinite(value)) return value > 0 ? 'float("inf")' : 'float("-inf")';
  return String(value);
}

const pyList = (values: readonly number[]): string => `[${values.map(pyNumber).join(', ')}]`;

/** One domain as a Ray Tune search-space expression (or a plain literal for a fixed value). */
export function rayDomain(domain: Domain, names?: readonly string[]): string {
  const py = (value: number): string => (names?.[value] !== undefined ? JSON.stringify(names[value]) : pyNumber(value));
  const list = (values: readonly number[]): string => `[${values.map(py).join(', ')}]`;
  switch (domain.kind) {
    case 'fixed':
      return py(domain.value);
    case 'choice':
      return `tune.choice(${list(domain.values)})`;
    case 'grid':
      return `tune.grid_search(${list(domain.values)})`;
    case 'range': {
      const integral = [domain.start, domain.stop, domain.step].every(Number.isInteger);
      return integral
        ? `tune.choice(list(range(${domain.start}, ${domain.stop}, ${domain.step})))`
        : `tune.choice(${pyList(rangeValues(domain.start, domain.stop, domain.step))})`;
    }
    case 'interval':
      if (domain.integer) {
        const fn = domain.log ? 'tune.lograndint' : 'tune.randint';
        return `${fn}(${pyNumber(domain.lo)}, ${pyNumber(domain.hi + 1)})`;
      }
      return `${domain.log ? 'tune.loguniform' : 'tune.uniform'}(${pyNumber(domain.lo)}, ${pyNumber(domain.hi)})`;
  }
}

/**
 * main.py's `param_space` dict literal: every hyperparameter, then what each trial needs to know
 * about the run (its epoch budget, the model name and the initialisation seed).
 */
export function rayParamSpace(space: SearchSpace, settings: RunSettings): string {
  const lines = trialKeys(settings.model).map((name) => `    "${name}": ${rayDomain(space[name], HYPERPARAMETER_RULES[name].names)},`);
  lines.push(
    `    "max_num_epochs": ${settings.maxNumEpochs},`,
    `    "model": ${JSON.stringify(settings.model)},`,
    `    "seed": ${settings.seed},`,
  );
  return `{\n${lines.join('\n')}\n}`;
}
