/**
 * The search space and run settings a configuration describes, their defaults, and the rules
 * each key's values must follow. Names are the configuration's own (`lr`, `batch_size`), so a
 * trial's config reads as the original project's `config` dict did.
 */
import type { Architecture } from '../model/architecture';
import { ARCHITECTURE_HYPERPARAMETERS, ARCHITECTURES, type ArchitectureHyperparameterName } from '../model/registry';
import { LR_SCHEDULES, OPTIMIZERS, RECIPE_DEFAULTS } from '../train/recipe';

/** A searched or fixed value of one hyperparameter (all of ours are numbers). */
export type Domain =
  /** One value for every trial (a YAML scalar). */
  | { kind: 'fixed'; value: number }
  /** Uniform pick among values (a YAML list, `choice(...)`, or Hydra's comma sweep). */
  | { kind: 'choice'; values: number[] }
  /** Hydra's `range(start, stop, step)`: stop exclusive, sampled uniformly among its values. */
  | { kind: 'range'; start: number; stop: number; step: number }
  /** `interval(lo, hi)`; `integer` for `int(...)`, `log` for `tag(log, ...)`. */
  | { kind: 'interval'; lo: number; hi: number; log: boolean; integer: boolean }
  /** Ray's `tune.grid_search`: every value is run, crossed with the other grid axes. */
  | { kind: 'grid'; values: number[] };

export type DomainKind = Domain['kind'];

/** The optimiser's keys, drawn first. */
const OPTIMIZER_KEYS = ['lr', 'beta1', 'beta2'] as const;

/** Batch size and the training recipe (src/train/recipe.ts); every recipe default reproduces the seed's recipe exactly. */
const TRAINING_KEYS = [
  'batch_size',
  'optimizer',
  'weight_decay',
  'lr_schedule',
  'pct_start',
  'step_size',
  'gamma',
  'label_smoothing',
  'augment_translate',
  'augment_degrees',
  'augment_scale',
] as const;

export type HyperparameterName = (typeof OPTIMIZER_KEYS)[number] | ArchitectureHyperparameterName | (typeof TRAINING_KEYS)[number];

/**
 * The hyperparameters a trial receives, in the order trials draw them: the optimiser's, every
 * registered architecture's (f1, f2, then gapnet's c1..c4, from the model registry), then batch
 * size and the recipe. A fixed value draws nothing, so keys a search leaves at their defaults do
 * not change which values a seed gives the others.
 */
export const HYPERPARAMETERS: readonly HyperparameterName[] = [...OPTIMIZER_KEYS, ...ARCHITECTURE_HYPERPARAMETERS, ...TRAINING_KEYS];

/** Whether a key is an architecture's hyperparameter (a width such as f1 or c1) rather than a shared one. */
export function isArchitectureKey(name: string): name is ArchitectureHyperparameterName {
  return (ARCHITECTURE_HYPERPARAMETERS as readonly string[]).includes(name);
}

/**
 * The keys a trial of `model` has, in drawing order: the shared ones and that architecture's own
 * (a Classifier trial has f1 and f2, not gapnet's c1..c4). What is shown, saved and exported.
 */
export function trialKeys(model: string): HyperparameterName[] {
  const own = architectureKeys(model);
  return HYPERPARAMETERS.filter((name) => !isArchitectureKey(name) || own.includes(name));
}

/** A built-in architecture's own configuration keys (none for an unknown name, which the parser reports). */
export function architectureKeys(model: string): ArchitectureHyperparameterName[] {
  const arch = (ARCHITECTURES as Readonly<Record<string, Architecture | undefined>>)[model];
  return arch ? (Object.keys(arch.hyperparameters) as ArchitectureHyperparameterName[]) : [];
}

/**
 * Each of `model`'s architecture keys at the largest value its domain admits (an interval's upper
 * end). Every architecture grows with its widths, so this is a search's largest model.
 */
export function largestWidths(space: SearchSpace, model: string): Partial<TrialConfig> {
  const widths: Partial<TrialConfig> = {};
  for (const name of architectureKeys(model)) {
    const domain = space[name];
    const values = discreteValues(domain) ?? (domain.kind === 'interval' ? [domain.hi] : []);
    if (values.length > 0) widths[name] = Math.max(...values);
  }
  return widths;
}

/** A search space: one domain per hyperparameter (defaults filled in as fixed values). */
export type SearchSpace = Record<HyperparameterName, Domain>;

/**
 * One trial's hyperparameters, keyed as in the configuration. A type alias rather than an
 * interface so that it is assignable to `Record<string, number>` (the model registry's input).
 */
export type TrialConfig = { [K in HyperparameterName]: number };

/** What values a hyperparameter admits; the parser checks every value a domain can produce. */
export interface HyperparameterRule {
  integer: boolean;
  /** Smallest admitted value and whether it is itself admitted. */
  min: number;
  minInclusive: boolean;
  /** Largest admitted value (exclusive) or Infinity. */
  maxExclusive: number;
  /** How the rule reads in an error message. */
  valid: string;
  /**
   * A categorical key's value names: the configuration writes a name (`lr_schedule: cosine`),
   * the space holds its index here, so choice, grid_search and sampling work unchanged.
   */
  names?: readonly string[];
}

const namesRule = (names: readonly string[]): HyperparameterRule => ({
  integer: true,
  min: 0,
  minInclusive: true,
  maxExclusive: names.length,
  valid: `one of ${names.join(', ')}`,
  names,
});

/** Past 64 channels every architecture is far over the parameter budget. */
const MAX_CONFIG_WIDTH = 64;

/** Each architecture key's rule, from its registry range (the first architecture to name a key sets it). */
function architectureRules(): Record<ArchitectureHyperparameterName, HyperparameterRule> {
  const rules = {} as Record<ArchitectureHyperparameterName, HyperparameterRule>;
  for (const arch of Object.values(ARCHITECTURES) as Architecture[]) {
    for (const [name, spec] of Object.entries(arch.hyperparameters)) {
      if (!isArchitectureKey(name) || name in rules) continue;
      const max = Math.min(spec.max, MAX_CONFIG_WIDTH);
      rules[name] = { integer: true, min: spec.min, minInclusive: true, maxExclusive: max + 1, valid: `an integer from ${spec.min} to ${max}` };
    }
  }
  return rules;
}

export const HYPERPARAMETER_RULES: Readonly<Record<HyperparameterName, HyperparameterRule>> = {
  lr: { integer: false, min: 0, minInclusive: false, maxExclusive: Infinity, valid: 'a number > 0' },
  beta1: { integer: false, min: 0, minInclusive: true, maxExclusive: 1, valid: 'a number in [0, 1)' },
  beta2: { integer: false, min: 0, minInclusive: true, maxExclusive: 1, valid: 'a number in [0, 1)' },
  ...architectureRules(),
  // Past batch 4096 the engines' buffers are untested.
  batch_size: { integer: true, min: 1, minInclusive: true, maxExclusive: 4097, valid: 'an integer from 1 to 4096' },
  optimizer: namesRule(OPTIMIZERS),
  weight_decay: { integer: false, min: 0, minInclusive: true, maxExclusive: 1, valid: 'a number in [0, 1)' },
  lr_schedule: namesRule(LR_SCHEDULES),
  pct_start: { integer: false, min: 0, minInclusive: false, maxExclusive: 1, valid: 'a number in (0, 1)' },
  step_size: { integer: true, min: 1, minInclusive: true, maxExclusive: 1e9, valid: 'a positive integer (optimizer steps)' },
  gamma: { integer: false, min: 0, minInclusive: false, maxExclusive: 1.000001, valid: 'a number in (0, 1]' },
  label_smoothing: { integer: false, min: 0, minInclusive: true, maxExclusive: 1, valid: 'a number in [0, 1)' },
  augment_translate: { integer: true, min: 0, minInclusive: true, maxExclusive: 8, valid: 'an integer from 0 to 7 (pixels)' },
  augment_degrees: { integer: false, min: 0, minInclusive: true, maxExclusive: 46, valid: 'a number of degrees from 0 to 45' },
  augment_scale: { integer: false, min: 0, minInclusive: true, maxExclusive: 0.5, valid: 'a number in [0, 0.5)' },
};

/** Each architecture key's registry default (the first architecture to name a key sets it). */
function architectureDefaults(): Record<ArchitectureHyperparameterName, number> {
  const defaults = {} as Record<ArchitectureHyperparameterName, number>;
  for (const arch of Object.values(ARCHITECTURES) as Architecture[]) {
    for (const [name, spec] of Object.entries(arch.hyperparameters)) if (isArchitectureKey(name) && !(name in defaults)) defaults[name] = spec.default;
  }
  return defaults;
}

/**
 * Defaults: PyTorch's Adam (lr 1e-3, betas 0.9/0.999), the original's Classifier(8, 6), gapnet's
 * registry widths and batch 64.
 */
export const DEFAULT_TRIAL_CONFIG: TrialConfig = {
  lr: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  ...architectureDefaults(),
  batch_size: 64,
  ...RECIPE_DEFAULTS,
};

/** The recipe's keys: absent from an older run's config, they mean the seed's recipe. */
export const RECIPE_KEYS: readonly HyperparameterName[] = HYPERPARAMETERS.slice(HYPERPARAMETERS.indexOf('optimizer'));

/** A trial's value as Ray's params.json and objective.py read it: a categorical key's name, else the number. */
export function paramValue(key: HyperparameterName, value: number): number | string {
  return valueName(key, value) ?? value;
}

/** A params.json value back to the space's number (a categorical key's name to its index); undefined if neither. */
export function paramNumber(key: HyperparameterName, value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const index = typeof value === 'string' ? (HYPERPARAMETER_RULES[key].names?.indexOf(value) ?? -1) : -1;
  return index >= 0 ? index : undefined;
}

/** A key's value as the configuration writes it: a categorical key's name, else the number. */
export function valueName(key: HyperparameterName, value: number): string | null {
  return HYPERPARAMETER_RULES[key].names?.[value] ?? null;
}

export const SCHEDULERS = { fifo: 'fifo', asha: 'asha' } as const;
export type SchedulerName = (typeof SCHEDULERS)[keyof typeof SCHEDULERS];

/** How a search runs; none of these is part of a trial's config. */
export interface RunSettings {
  /** Ray's `num_samples`: random draws, each crossed with every grid point. */
  numTrials: number;
  /** Epochs per trial; ASHA's `max_t`. */
  maxNumEpochs: number;
  /** Trials training at once; null lets the runner choose for the backend. */
  maxConcurrentTrials: number | null;
  scheduler: SchedulerName;
  /** ASHA: epochs before a trial can be stopped (first rung). */
  gracePeriod: number;
  /** ASHA: keep the top 1/reductionFactor at each rung; rungs at gracePeriod * rf^k. */
  reductionFactor: number;
  /** Seed of the sampler (and of each trial's initialisation, derived from it). */
  seed: number;
  /** Retries of a failed trial from its last checkpoint before it is marked ERROR (Ray's max_failures). */
  maxFailures: number;
  /** The architecture registry's name for the model. */
  model: string;
}

/**
 * The seed trial `index` (0-based) of a run trains with: the run's seed plus the index. A trial's
 * config.yaml writes this seed as its run's seed, and its one trial (index 0) trains with it again,
 * so a rerun repeats the trial's initialisation, shuffles and augmentation.
 */
export function trialSeed(runSeed: number, index: number): number {
  return runSeed + index;
}

/** The configuration key of each run setting. */
export const SETTING_KEYS = {
  numTrials: 'num_trials',
  maxNumEpochs: 'max_num_epochs',
  maxConcurrentTrials: 'max_concurrent_trials',
  scheduler: 'scheduler',
  gracePeriod: 'grace_period',
  reductionFactor: 'reduction_factor',
  seed: 'seed',
  maxFailures: 'max_failures',
  model: 'model',
} as const satisfies Record<keyof RunSettings, string>;

/**
 * Defaults. num_trials 1 is Ray's num_samples default (the bundled config.yaml asks for 3).
 * reduction_factor 2 rather than Ray's 4: with a handful of trials, halving at each rung still
 * leaves ASHA something to compare. grace_period 1 is Ray's. max_failures 0 is Ray's.
 */
export const DEFAULT_SETTINGS: RunSettings = {
  numTrials: 1,
  maxNumEpochs: 20,
  maxConcurrentTrials: null,
  scheduler: 'fifo',
  gracePeriod: 1,
  reductionFactor: 2,
  seed: 0,
  maxFailures: 0,
  model: 'Classifier',
};

/** Upper bound on num_trials, and on num_trials x grid points. */
export const MAX_NUM_TRIALS = 1000;
export const MAX_TOTAL_TRIALS = 10_000;

/** Most values one key may list (a list, choice, grid_search or range). */
export const MAX_VALUES_PER_KEY = 256;

/** Longest architecture name, and most characters of a configuration's text. */
export const MAX_NAME_LENGTH = 64;
export const MAX_CONFIG_CHARS = 64 * 1024;

/** Most overrides (in a link or on the command line) and the longest one. */
export const MAX_OVERRIDES = 64;
export const MAX_OVERRIDE_CHARS = 1024;

/** The configuration key for Adam's fixed pair, read into beta1 and beta2. */
export const BETAS_KEY = 'betas';

/** Every key a configuration may hold. */
export const KNOWN_KEYS: readonly string[] = [...HYPERPARAMETERS, BETAS_KEY, ...Object.values(SETTING_KEYS)];

/** A space with every hyperparameter fixed at its default. */
export function defaultSpace(): SearchSpace {
  const space = {} as SearchSpace;
  for (const name of HYPERPARAMETERS) space[name] = { kind: 'fixed', value: DEFAULT_TRIAL_CONFIG[name] };
  return space;
}

/** How many values Hydra's range(start, stop, step) has (0 when empty or not finite). */
export function rangeCount(start: number, stop: number, step: number): number {
  if (step === 0 || !Number.isFinite(start) || !Number.isFinite(stop) || !Number.isFinite(step)) return 0;
  return Math.max(0, Math.ceil((stop - start) / step - 1e-9));
}

/**
 * Values of Hydra's range(start, stop, step): stop exclusive, computed as start + i*step. The
 * parser refuses ranges past MAX_VALUES_PER_KEY; the bound here only guards other callers.
 */
export function rangeValues(start: number, stop: number, step: number): number[] {
  const values: number[] = [];
  const count = rangeCount(start, stop, step);
  for (let i = 0; i < count && i <= MAX_TOTAL_TRIALS; i += 1) {
    // Rounding to 12 significant digits removes float noise (range(0, 1, 0.1) gives 0.3, not 0.30000000000000004).
    values.push(Number((start + i * step).toPrecision(12)));
  }
  return values;
}

/** The finite values a domain can take, or null for a continuous interval. */
export function discreteValues(domain: Domain): number[] | null {
  switch (domain.kind) {
    case 'fixed':
      return [domain.value];
    case 'choice':
    case 'grid':
      return domain.values;
    case 'range':
      return rangeValues(domain.start, domain.stop, domain.step);
    case 'interval':
      if (!domain.integer) return null;
      return domain.hi - domain.lo < MAX_TOTAL_TRIALS
        ? Array.from({ length: domain.hi - domain.lo + 1 }, (_, i) => domain.lo + i)
        : null;
  }
}

/** Number of points in the grid (product of grid axis sizes; 1 without grid axes). */
export function gridSize(space: SearchSpace): number {
  let size = 1;
  for (const name of HYPERPARAMETERS) {
    const domain = space[name];
    if (domain.kind === 'grid') size *= domain.values.length;
  }
  return size;
}

/** Trials a search runs: num_trials times the grid size, as Ray does. */
export function totalTrials(space: SearchSpace, settings: RunSettings): number {
  return settings.numTrials * gridSize(space);
}

/** Deep equality of two domains. */
export function sameDomain(a: Domain, b: Domain): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
