/** How a past experiment reads in one line: its searched axes, changed defaults and run settings. */
import { formatDomain } from '../../tune/format';
import { DEFAULT_TRIAL_CONFIG, HYPERPARAMETER_RULES, HYPERPARAMETERS, type RunSettings, type SearchSpace } from '../../tune/space';

/** `lr=choice(0.001,0.01) · f2=4 · 3 trials × 20 epochs · fifo · seed 0`: searched axes, then fixed values that differ from the defaults. */
export function spaceSummary(space: SearchSpace, settings: RunSettings): string {
  const searched = HYPERPARAMETERS.filter((name) => space[name].kind !== 'fixed').map((name) => `${name}=${formatDomain(space[name], ',', HYPERPARAMETER_RULES[name].names)}`);
  const changed = HYPERPARAMETERS.filter((name) => {
    const domain = space[name];
    return domain.kind === 'fixed' && domain.value !== DEFAULT_TRIAL_CONFIG[name];
  }).map((name) => `${name}=${formatDomain(space[name], ',', HYPERPARAMETER_RULES[name].names)}`);
  const run = [`${settings.numTrials} trial${settings.numTrials === 1 ? '' : 's'} × ${settings.maxNumEpochs} epoch${settings.maxNumEpochs === 1 ? '' : 's'}`, settings.scheduler, `seed ${settings.seed}`];
  return [...searched, ...changed, ...run].join(' · ');
}

/** Every axis and setting as a label and its text, for the side-by-side table. */
export function spaceRows(space: SearchSpace, settings: RunSettings): [string, string][] {
  return [
    ...HYPERPARAMETERS.map((name): [string, string] => [name, formatDomain(space[name], ', ', HYPERPARAMETER_RULES[name].names)]),
    ['num_trials', String(settings.numTrials)],
    ['max_num_epochs', String(settings.maxNumEpochs)],
    ['scheduler', settings.scheduler],
    ['seed', String(settings.seed)],
  ];
}

/** A wall-clock span as `42 s`, `3 min 5 s` or `1 h 2 min`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
