/**
 * Turns parsed values (from YAML or from an override) into domains and settings, checking each
 * against what its key admits. Problems come back as messages at offsets of the value's source.
 */
import type { CallArg, Expr } from './grammar';
import {
  DEFAULT_SETTINGS,
  HYPERPARAMETER_RULES,
  MAX_NAME_LENGTH,
  MAX_NUM_TRIALS,
  MAX_VALUES_PER_KEY,
  SCHEDULERS,
  rangeCount,
  rangeValues,
  type Domain,
  type HyperparameterName,
  type RunSettings,
} from './space';

/** A problem found in a value, at an offset of the text it was parsed from. */
export interface ValueProblem {
  offset: number;
  message: string;
}

export type Interpreted<T> = { ok: true; value: T } | { ok: false; problems: ValueProblem[] };

const FUNCTIONS = ['choice', 'range', 'interval', 'int', 'tag', 'grid_search'] as const;
const FUNCTION_LIST = FUNCTIONS.map((name) => `${name}(...)`).join(', ');

class Problems {
  readonly list: ValueProblem[] = [];
  add(offset: number, message: string): void {
    this.list.push({ offset, message });
  }
}

function show(expr: Expr): string {
  switch (expr.kind) {
    case 'number':
      return expr.text;
    case 'string':
      return expr.quoted ? `'${expr.value}'` : expr.value;
    case 'bool':
      return String(expr.value);
    case 'null':
      return 'null';
    case 'list':
      return '[...]';
    case 'call':
      return `${expr.name}(...)`;
    case 'sweep':
      return 'a comma list';
  }
}

function numberOf(expr: Expr, key: string, problems: Problems, what = 'a number'): number | null {
  if (expr.kind === 'number') return expr.value;
  const hint =
    expr.kind === 'string' && expr.quoted && !Number.isNaN(Number(expr.value)) ? ' (remove the quotes)' : '';
  problems.add(expr.start, `${key}: expected ${what}, got ${show(expr)}${hint}`);
  return null;
}

function checkValue(key: HyperparameterName, value: number, offset: number, problems: Problems): boolean {
  const rule = HYPERPARAMETER_RULES[key];
  const ok =
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.minInclusive ? value >= rule.min : value > rule.min) &&
    value < rule.maxExclusive;
  if (!ok) problems.add(offset, `${key} must be ${rule.valid}, got ${value}`);
  return ok;
}

/** A hyperparameter's value: a number, or a categorical key's name read as its index. */
function valueOf(expr: Expr, key: HyperparameterName, problems: Problems, what?: string): number | null {
  const names = HYPERPARAMETER_RULES[key].names;
  if (names && expr.kind === 'string') {
    const index = names.indexOf(expr.value);
    if (index >= 0) return index;
    problems.add(expr.start, `${key}: expected one of ${names.join(', ')}, got ${show(expr)}`);
    return null;
  }
  return numberOf(expr, key, problems, what);
}

function primitives(items: Expr[], key: HyperparameterName, problems: Problems): number[] {
  const values: number[] = [];
  for (const item of items) {
    const value = valueOf(item, key, problems);
    if (value !== null && checkValue(key, value, item.start, problems)) values.push(value);
  }
  return values;
}

function positionalArgs(call: Extract<Expr, { kind: 'call' }>, key: string, problems: Problems): Expr[] {
  for (const arg of call.args) {
    if (arg.name !== null) problems.add(arg.start, `${key}: ${call.name}(...) takes no named argument '${arg.name}'`);
  }
  return call.args.map((arg) => arg.value);
}

/** Binds positional and named arguments to parameter names as Python does. */
function bindArgs(
  call: Extract<Expr, { kind: 'call' }>,
  params: readonly string[],
  required: number,
  key: string,
  problems: Problems,
): Map<string, Expr> | null {
  const bound = new Map<string, Expr>();
  const usage = `${call.name}(${params.map((p, i) => (i < required ? p : `${p}=...`)).join(', ')})`;
  let ok = true;
  let keywordSeen = false;
  call.args.forEach((arg: CallArg, i) => {
    // Hydra refuses this as Python does, rather than binding the positional to the next free name.
    if (arg.name === null && keywordSeen) {
      if (ok) problems.add(arg.start, `${key}: ${call.name}(...): positional argument follows keyword argument; write ${usage}`);
      ok = false;
      return;
    }
    if (arg.name !== null) keywordSeen = true;
    const name = arg.name ?? params[i];
    if (name === undefined || !params.includes(name)) {
      problems.add(arg.start, `${key}: ${call.name} takes ${usage}; unexpected argument ${arg.name ?? i + 1}`);
      ok = false;
    } else if (bound.has(name)) {
      problems.add(arg.start, `${key}: ${call.name} got '${name}' twice`);
      ok = false;
    } else {
      bound.set(name, arg.value);
    }
  });
  for (const param of params.slice(0, required)) {
    if (ok && !bound.has(param)) {
      problems.add(call.start, `${key}: ${call.name} is missing '${param}'; write ${usage}`);
      ok = false;
    }
  }
  return ok ? bound : null;
}

function choiceValues(items: Expr[], where: Expr, what: string, key: HyperparameterName, problems: Problems): number[] | null {
  if (items.length === 0) {
    problems.add(where.start, `${key}: ${what} is empty; give at least one value, e.g. [a, b] or choice(a, b)`);
    return null;
  }
  if (items.length > MAX_VALUES_PER_KEY) {
    problems.add(where.start, `${key}: ${what} has ${items.length} values; at most ${MAX_VALUES_PER_KEY}`);
    return null;
  }
  const before = problems.list.length;
  const values = primitives(items, key, problems);
  return problems.list.length === before ? values : null;
}

interface IntervalFlags {
  log: boolean;
  integer: boolean;
}

function intervalDomain(expr: Expr, key: HyperparameterName, flags: IntervalFlags, problems: Problems): Domain | null {
  if (expr.kind !== 'call') {
    problems.add(expr.start, `${key}: int(...) and tag(log, ...) wrap interval(lo, hi), got ${show(expr)}`);
    return null;
  }
  if (expr.name === 'int') {
    const args = positionalArgs(expr, key, problems);
    if (args.length !== 1 || !args[0]) {
      problems.add(expr.start, `${key}: int(...) takes one interval(lo, hi)`);
      return null;
    }
    return intervalDomain(args[0], key, { ...flags, integer: true }, problems);
  }
  if (expr.name === 'tag') {
    const args = positionalArgs(expr, key, problems);
    const inner = args[args.length - 1];
    if (args.length < 2 || !inner) {
      problems.add(expr.start, `${key}: tag takes tags then a value, e.g. tag(log, interval(1e-4, 1e-2))`);
      return null;
    }
    let log = flags.log;
    for (const tag of args.slice(0, -1)) {
      if (tag.kind === 'string' && tag.value === 'log') log = true;
      else problems.add(tag.start, `${key}: unknown tag ${show(tag)}; the valid tag is log`);
    }
    return intervalDomain(inner, key, { ...flags, log }, problems);
  }
  if (expr.name !== 'interval') {
    problems.add(expr.start, `${key}: int(...) and tag(log, ...) wrap interval(lo, hi), got ${expr.name}(...)`);
    return null;
  }
  const args = bindArgs(expr, ['start', 'end'], 2, key, problems);
  if (!args) return null;
  const lo = numberOf(args.get('start') as Expr, key, problems);
  const hi = numberOf(args.get('end') as Expr, key, problems);
  if (lo === null || hi === null) return null;
  const rule = HYPERPARAMETER_RULES[key];
  const text = `interval(${lo}, ${hi})`;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    problems.add(expr.start, `${key}: ${text} needs finite bounds`);
    return null;
  }
  if (lo >= hi) {
    problems.add(expr.start, `${key}: ${text} needs lo < hi`);
    return null;
  }
  if (flags.log && lo <= 0) {
    problems.add(expr.start, `${key}: a log interval needs lo > 0, got ${text}`);
    return null;
  }
  if (rule.integer && !flags.integer) {
    problems.add(expr.start, `${key} must be ${rule.valid}: write int(${text}) or choice(...)`);
    return null;
  }
  if (flags.integer && (!Number.isInteger(lo) || !Number.isInteger(hi))) {
    problems.add(expr.start, `${key}: int(${text}) needs integer bounds`);
    return null;
  }
  if (flags.integer && !rule.integer) {
    problems.add(expr.start, `${key} is real-valued: write ${text} without int(...)`);
    return null;
  }
  const before = problems.list.length;
  checkValue(key, lo, expr.start, problems);
  // interval never returns hi itself; for an int interval hi is included, so it must be valid.
  if (flags.integer ? hi >= rule.maxExclusive : hi > rule.maxExclusive) {
    problems.add(expr.start, `${key} must be ${rule.valid}, got ${text}`);
  }
  if (problems.list.length !== before) return null;
  return { kind: 'interval', lo, hi, log: flags.log, integer: flags.integer };
}

function rangeDomain(call: Extract<Expr, { kind: 'call' }>, key: HyperparameterName, problems: Problems): Domain | null {
  const args = bindArgs(call, ['start', 'stop', 'step'], 2, key, problems);
  if (!args) return null;
  const start = numberOf(args.get('start') as Expr, key, problems);
  const stop = numberOf(args.get('stop') as Expr, key, problems);
  const stepExpr = args.get('step');
  const step = stepExpr ? numberOf(stepExpr, key, problems) : 1;
  if (start === null || stop === null || step === null) return null;
  const text = `range(${start}, ${stop}, ${step})`;
  if (![start, stop, step].every(Number.isFinite) || step === 0) {
    problems.add(call.start, `${key}: ${text} needs finite numbers and a non-zero step`);
    return null;
  }
  const count = rangeCount(start, stop, step);
  if (count > MAX_VALUES_PER_KEY) {
    problems.add(call.start, `${key}: ${text} has ${count} values; at most ${MAX_VALUES_PER_KEY} (use a larger step, or interval(...) for a continuous search)`);
    return null;
  }
  const values = rangeValues(start, stop, step);
  if (values.length === 0) {
    problems.add(call.start, `${key}: ${text} is empty (stop is exclusive, as in Hydra and Python)`);
    return null;
  }
  const before = problems.list.length;
  for (const value of values) {
    if (!checkValue(key, value, call.start, problems)) break;
  }
  return problems.list.length === before ? { kind: 'range', start, stop, step } : null;
}

function gridDomain(call: Extract<Expr, { kind: 'call' }>, key: HyperparameterName, problems: Problems): Domain | null {
  const args = positionalArgs(call, key, problems);
  const only = args.length === 1 ? args[0] : undefined;
  if (only?.kind === 'list') {
    const values = choiceValues(only.items, call, 'grid_search', key, problems);
    return values && { kind: 'grid', values };
  }
  if (only?.kind === 'call' && only.name === 'range') {
    const range = rangeDomain(only, key, problems);
    return range?.kind === 'range' ? { kind: 'grid', values: rangeValues(range.start, range.stop, range.step) } : null;
  }
  const values = choiceValues(args, call, 'grid_search', key, problems);
  return values && { kind: 'grid', values };
}

function callDomain(call: Extract<Expr, { kind: 'call' }>, key: HyperparameterName, problems: Problems): Domain | null {
  switch (call.name) {
    case 'choice': {
      const args = positionalArgs(call, key, problems);
      const values = choiceValues(args, call, 'choice', key, problems);
      return values && { kind: 'choice', values };
    }
    case 'range':
      return rangeDomain(call, key, problems);
    case 'interval':
    case 'int':
    case 'tag':
      return intervalDomain(call, key, { log: false, integer: false }, problems);
    case 'grid_search':
      return gridDomain(call, key, problems);
    default:
      problems.add(call.start, `${key}: unknown function '${call.name}'; valid: ${FUNCTION_LIST}`);
      return null;
  }
}

/** A hyperparameter's domain: a scalar is fixed, a list or comma sweep is a choice, a call is Hydra's grammar. */
export function interpretHyperparameter(key: HyperparameterName, expr: Expr): Interpreted<Domain> {
  const problems = new Problems();
  let domain: Domain | null = null;
  switch (expr.kind) {
    case 'number':
      if (checkValue(key, expr.value, expr.start, problems)) domain = { kind: 'fixed', value: expr.value };
      break;
    case 'list':
    case 'sweep': {
      const values = choiceValues(expr.items, expr, expr.kind === 'list' ? 'the list' : 'the sweep', key, problems);
      domain = values && { kind: 'choice', values };
      break;
    }
    case 'call':
      domain = callDomain(expr, key, problems);
      break;
    case 'null':
      problems.add(expr.start, `${key}: missing value; expected ${HYPERPARAMETER_RULES[key].valid}, a list or choice(...)`);
      break;
    case 'string': {
      const value = HYPERPARAMETER_RULES[key].names ? valueOf(expr, key, problems) : null;
      if (value !== null) domain = { kind: 'fixed', value };
      else if (!HYPERPARAMETER_RULES[key].names) numberOf(expr, key, problems, `${HYPERPARAMETER_RULES[key].valid}, a list, or one of ${FUNCTION_LIST}`);
      break;
    }
    default:
      numberOf(expr, key, problems, `${HYPERPARAMETER_RULES[key].valid}, a list, or one of ${FUNCTION_LIST}`);
  }
  return domain && problems.list.length === 0 ? { ok: true, value: domain } : { ok: false, problems: problems.list };
}

/** Adam's pair `betas: [b1, b2]`: two fixed numbers in [0, 1). */
export function interpretBetas(expr: Expr): Interpreted<[number, number]> {
  const problems = new Problems();
  const usage = 'betas is the fixed pair [beta1, beta2] with both in [0, 1), e.g. [0.9, 0.999]; search beta1 and beta2 separately';
  if (expr.kind !== 'list' || expr.items.length !== 2) {
    problems.add(expr.start, `${usage}`);
    return { ok: false, problems: problems.list };
  }
  const [first, second] = expr.items as [Expr, Expr];
  const b1 = numberOf(first, 'betas', problems);
  const b2 = numberOf(second, 'betas', problems);
  if (b1 !== null) checkValue('beta1', b1, first.start, problems);
  if (b2 !== null) checkValue('beta2', b2, second.start, problems);
  return b1 !== null && b2 !== null && problems.list.length === 0
    ? { ok: true, value: [b1, b2] }
    : { ok: false, problems: problems.list.map((p) => ({ ...p, message: p.message.replace(/^beta[12]/, 'betas') })) };
}

function integerSetting(key: string, expr: Expr, min: number, max: number, problems: Problems): number | null {
  const valid = max === Infinity ? `an integer >= ${min}` : `an integer in ${min}..${max}`;
  const value = numberOf(expr, key, problems, valid);
  if (value === null) return null;
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.add(expr.start, `${key} must be ${valid}, got ${value}`);
    return null;
  }
  return value;
}

/** The settings a configuration sets, by field, each checked on its own. */
export type PartialSettings = Partial<RunSettings>;

/** One run setting; a list or a sweep is refused, since settings are not searched. */
export function interpretSetting(field: keyof RunSettings, key: string, expr: Expr): Interpreted<PartialSettings> {
  const problems = new Problems();
  if (expr.kind === 'list' || expr.kind === 'sweep' || expr.kind === 'call') {
    problems.add(expr.start, `${key} is a run setting and takes one value, not a search space`);
    return { ok: false, problems: problems.list };
  }
  let value: RunSettings[keyof RunSettings] | null = null;
  switch (field) {
    case 'numTrials':
      value = integerSetting(key, expr, 1, MAX_NUM_TRIALS, problems);
      break;
    case 'maxNumEpochs':
      value = integerSetting(key, expr, 1, 100_000, problems);
      break;
    case 'gracePeriod':
      value = integerSetting(key, expr, 1, 100_000, problems);
      break;
    case 'maxFailures':
      value = integerSetting(key, expr, 0, 1000, problems);
      break;
    case 'seed':
      value = integerSetting(key, expr, 0, 2 ** 32 - 1, problems);
      break;
    case 'maxConcurrentTrials':
      if (expr.kind === 'null' || (expr.kind === 'string' && expr.value === 'auto')) {
        return { ok: true, value: { maxConcurrentTrials: null } };
      }
      value = integerSetting(key, expr, 1, 256, problems);
      break;
    case 'reductionFactor': {
      const rf = numberOf(expr, key, problems, 'a number > 1');
      if (rf !== null && !(rf > 1 && Number.isFinite(rf))) problems.add(expr.start, `${key} must be a number > 1, got ${rf}`);
      else value = rf;
      break;
    }
    case 'scheduler': {
      const name = expr.kind === 'string' ? expr.value.toLowerCase() : null;
      const valid = Object.values(SCHEDULERS);
      const known = valid.find((scheduler) => scheduler === name);
      if (known) value = known;
      else problems.add(expr.start, `${key}: unknown scheduler ${show(expr)}; valid: ${valid.join(', ')}`);
      break;
    }
    case 'model':
      if (expr.kind === 'string' && expr.value.length > MAX_NAME_LENGTH) problems.add(expr.start, `${key}: the name is ${expr.value.length} characters; at most ${MAX_NAME_LENGTH}`);
      else if (expr.kind === 'string' && expr.value !== '') value = expr.value;
      else problems.add(expr.start, `${key}: expected an architecture name such as ${DEFAULT_SETTINGS.model}, got ${show(expr)}`);
      break;
  }
  return value !== null && problems.list.length === 0
    ? { ok: true, value: { [field]: value } }
    : { ok: false, problems: problems.list };
}
