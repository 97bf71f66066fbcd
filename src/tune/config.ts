/**
 * Reads configuration/config.yaml (a top-level `config:` mapping, as in the original project)
 * plus Hydra-style overrides into a search space and run settings. Every problem is reported at
 * its line and column; nothing is silently dropped except unknown keys, which warn.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Node, type Scalar } from 'yaml';
import { GrammarError, hydraNumber, looksLikeGrammar, parseExpr, type Expr } from './grammar';
import { interpretBetas, interpretHyperparameter, interpretSetting, type ValueProblem } from './interpret';
import { ConfigError, unknownKeyMessage, type ConfigIssue } from './issues';
import { parseOverrides, shiftExpr } from './overrides';
import {
  BETAS_KEY,
  DEFAULT_SETTINGS,
  DEFAULT_TRIAL_CONFIG,
  HYPERPARAMETERS,
  KNOWN_KEYS,
  MAX_CONFIG_CHARS,
  MAX_OVERRIDE_CHARS,
  MAX_OVERRIDES,
  MAX_TOTAL_TRIALS,
  SETTING_KEYS,
  architectureKeys,
  defaultSpace,
  isArchitectureKey,
  largestWidths,
  gridSize,
  type HyperparameterName,
  type RunSettings,
  type SearchSpace,
  type TrialConfig,
} from './space';

/** The top-level key that holds the configuration. */
export const CONFIG_ROOT = 'config';

/** Trainable-parameter budget of the studio's models. */
export const PARAM_BUDGET = 10_000;

export interface ParseOptions {
  /** Counts a config's trainable parameters (the model registry's); enables budget warnings. */
  countParams?: (config: TrialConfig, model: string) => number;
  /** Warn when a combination of architecture choices exceeds this many parameters. */
  paramBudget?: number;
  /** Architecture names the `model` key may take; unchecked when absent. */
  models?: readonly string[];
}

export interface TuneConfig {
  space: SearchSpace;
  settings: RunSettings;
}

export type ParsedConfig =
  | ({ ok: true; warnings: ConfigIssue[] } & TuneConfig)
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };

/** Where one configuration value came from, so that problems in it can be located. */
interface Entry {
  key: string;
  expr: Expr;
  fromOverride: boolean;
  /** Issue at an offset of the value's source (the YAML text, or the override's text). */
  at(offset: number, message: string): ConfigIssue;
  keyOffset: number;
}

const SETTING_FIELDS = new Map<string, keyof RunSettings>(
  (Object.entries(SETTING_KEYS) as [keyof RunSettings, string][]).map(([field, key]) => [key, field]),
);

function isHyperparameter(key: string): key is HyperparameterName {
  return (HYPERPARAMETERS as readonly string[]).includes(key);
}

/** The first line of a yaml error without its position suffix. */
function yamlMessage(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

class YamlSource {
  readonly lines = new LineCounter();

  issue(key: string | null, offset: number, message: string): ConfigIssue {
    const { line, col } = this.lines.linePos(offset);
    return { key, line, col, message };
  }

  /** A YAML value as the grammar's Expr, with offsets into the YAML text. */
  toExpr(node: Node | null, key: string, fallbackOffset: number, errors: ConfigIssue[], inList = false): Expr | null {
    if (node === null) return { kind: 'null', start: fallbackOffset, end: fallbackOffset };
    const [start, end] = node.range ?? [fallbackOffset, fallbackOffset];
    // Aliases are never expanded, so an alias bomb costs nothing; a value is written out instead.
    if (isAlias(node)) {
      errors.push(this.issue(key, start, `${key}: YAML aliases (*${node.source}) are not read in a configuration; write the value out`));
      return null;
    }
    if (isScalar(node)) return this.scalarExpr(node, key, start, end, errors);
    if (isSeq(node)) {
      if (inList) {
        errors.push(this.issue(key, start, `${key}: a list inside a list is not a value; write [a, b] or choice(a, b)`));
        return null;
      }
      const items: Expr[] = [];
      for (const item of node.items) {
        const expr = this.toExpr(isScalar(item) || isSeq(item) || isMap(item) || isAlias(item) ? item : null, key, start, errors, true);
        if (!expr) return null;
        items.push(expr);
      }
      return { kind: 'list', items, start, end };
    }
    errors.push(this.issue(key, start, `${key}: expected a value, a list or Hydra grammar such as choice(...), got a mapping`));
    return null;
  }

  private scalarExpr(node: Scalar, key: string, start: number, end: number, errors: ConfigIssue[]): Expr | null {
    const value = node.value;
    if (typeof value === 'number') {
      return { kind: 'number', value, text: typeof node.source === 'string' ? node.source : String(value), start, end };
    }
    if (typeof value === 'boolean') return { kind: 'bool', value, start, end };
    if (value === null || value === undefined) return { kind: 'null', start, end };
    // Other YAML scalars (dates, binary) do not occur in a configuration; read them as their text.
    const text = typeof value === 'string' ? value : String(node.source ?? '');
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    // A plain `f1: 4,8` is Hydra's comma sweep, as in a sweeper's params; `1_000` is Hydra's 1000.
    const sweep = !quoted && text.includes(',');
    const contentStart = start + (quoted ? 1 : 0);
    if (!quoted && !sweep && !looksLikeGrammar(text)) {
      try {
        const number = hydraNumber(text.trim());
        if (number !== null) return { kind: 'number', value: number, text, start, end };
      } catch (error) {
        if (!(error instanceof GrammarError)) throw error;
        errors.push(this.issue(key, start, `${key}: ${error.message}`));
        return null;
      }
    }
    if (!sweep && !looksLikeGrammar(text)) return { kind: 'string', value: text, quoted, start, end };
    try {
      return shiftExpr(parseExpr(text, sweep), contentStart);
    } catch (error) {
      if (!(error instanceof GrammarError)) throw error;
      errors.push(this.issue(key, contentStart + error.offset, `${key}: ${error.message}`));
      return null;
    }
  }
}

/** Deepest `[`/`{` nesting a configuration may have; the YAML parser recurses on it. */
const MAX_FLOW_DEPTH = 16;

/** Offset where brackets first nest past MAX_FLOW_DEPTH (quotes and comments aside), or null. */
function tooDeep(text: string): number | null {
  let depth = 0;
  let quote: string | null = null;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (comment) {
      if (c === '\n') comment = false;
    } else if (quote !== null) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') comment = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth > MAX_FLOW_DEPTH) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return null;
}

function readYaml(
  text: string,
  errors: ConfigIssue[],
  warnings: ConfigIssue[],
): { entries: Map<string, Entry>; rootOffset: number; source: YamlSource } | null {
  const source = new YamlSource();
  if (text.length > MAX_CONFIG_CHARS) {
    errors.push({ key: null, line: 1, col: 1, message: `the configuration is ${text.length.toLocaleString('en-US')} characters; at most ${MAX_CONFIG_CHARS.toLocaleString('en-US')}` });
    return null;
  }
  const deep = tooDeep(text);
  if (deep !== null) {
    source.lines.addNewLine(0);
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) source.lines.addNewLine(at + 1);
    errors.push(source.issue(null, deep, `YAML: lists or mappings nested more than ${MAX_FLOW_DEPTH} deep; a configuration needs 2`));
    return null;
  }
  const doc = parseDocument(text, { keepSourceTokens: true, lineCounter: source.lines, prettyErrors: false });
  for (const error of doc.errors) errors.push(source.issue(null, error.pos[0], `YAML syntax: ${yamlMessage(error.message)}`));
  for (const warning of doc.warnings) warnings.push(source.issue(null, warning.pos[0], `YAML: ${yamlMessage(warning.message)}`));
  if (errors.length > 0) return null;

  const missing = `missing the top-level '${CONFIG_ROOT}:' mapping; expected e.g.\n${CONFIG_ROOT}:\n  lr: [1e-3, 1e-2]\n  num_trials: 3`;
  const root = doc.contents;
  if (!isMap(root)) {
    errors.push(source.issue(null, root?.range?.[0] ?? 0, missing));
    return null;
  }
  let configNode: unknown = undefined;
  let rootOffset = 0;
  for (const pair of root.items) {
    const keyNode = pair.key;
    const name = isScalar(keyNode) ? String(keyNode.value) : '';
    const offset = isScalar(keyNode) ? (keyNode.range?.[0] ?? 0) : 0;
    if (name === CONFIG_ROOT) {
      configNode = pair.value;
      rootOffset = offset;
    } else {
      warnings.push(source.issue(name, offset, `unknown top-level key '${name}' is ignored; the configuration lives under '${CONFIG_ROOT}:'`));
    }
  }
  if (configNode === undefined) {
    errors.push(source.issue(null, root.range?.[0] ?? 0, missing));
    return null;
  }
  const entries = new Map<string, Entry>();
  if (configNode === null || (isScalar(configNode) && configNode.value === null)) return { entries, rootOffset, source };
  if (!isMap(configNode)) {
    const offset = (configNode as Node).range?.[0] ?? rootOffset;
    errors.push(source.issue(CONFIG_ROOT, offset, `'${CONFIG_ROOT}:' must be a mapping of keys such as lr, f1, num_trials`));
    return null;
  }
  for (const pair of configNode.items) {
    const keyNode = pair.key;
    const keyOffset = isScalar(keyNode) ? (keyNode.range?.[0] ?? rootOffset) : rootOffset;
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
      warnings.push(source.issue(null, keyOffset, `a key that is not a name is ignored; known keys: ${KNOWN_KEYS.join(', ')}`));
      continue;
    }
    const key = keyNode.value;
    if (!KNOWN_KEYS.includes(key)) {
      warnings.push(source.issue(key, keyOffset, unknownKeyMessage(key, KNOWN_KEYS)));
      continue;
    }
    const valueNode = pair.value as Node | null;
    const valueEnd = keyNode.range?.[1] ?? keyOffset;
    const expr = source.toExpr(valueNode, key, valueEnd, errors);
    if (!expr) continue;
    entries.set(key, {
      key,
      expr,
      fromOverride: false,
      keyOffset,
      at: (offset, message) => source.issue(key, offset, message),
    });
  }
  return { entries, rootOffset, source };
}

function applyOverrides(
  entries: Map<string, Entry>,
  overrideTexts: readonly string[],
  errors: ConfigIssue[],
  warnings: ConfigIssue[],
): void {
  if (overrideTexts.length > MAX_OVERRIDES) {
    errors.push({ key: null, line: 1, col: 1, message: `${overrideTexts.length} overrides; at most ${MAX_OVERRIDES}`, override: `${overrideTexts[MAX_OVERRIDES]}` });
    return;
  }
  const tooLong = overrideTexts.find((text) => text.length > MAX_OVERRIDE_CHARS);
  if (tooLong !== undefined) {
    errors.push({ key: null, line: 1, col: 1, message: `an override of ${tooLong.length} characters; at most ${MAX_OVERRIDE_CHARS}`, override: `${tooLong.slice(0, 40)}…` });
    return;
  }
  const { overrides, errors: syntaxErrors } = parseOverrides(overrideTexts);
  errors.push(...syntaxErrors);
  for (const override of overrides) {
    const at = (offset: number, message: string): ConfigIssue => ({
      key: override.key,
      line: 1,
      col: offset + 1,
      message,
      override: override.text,
    });
    if (!KNOWN_KEYS.includes(override.key)) {
      warnings.push(at(override.keyOffset, unknownKeyMessage(override.key, KNOWN_KEYS)));
      continue;
    }
    // An override of one form of Adam's betas replaces the config file's other form.
    if (override.key === BETAS_KEY) {
      for (const name of ['beta1', 'beta2']) if (!entries.get(name)?.fromOverride) entries.delete(name);
    }
    if (override.expr === null) {
      entries.delete(override.key);
      continue;
    }
    entries.set(override.key, { key: override.key, expr: override.expr, fromOverride: true, keyOffset: override.keyOffset, at });
  }
}

function report(entry: Entry, problems: ValueProblem[], errors: ConfigIssue[]): void {
  for (const problem of problems) errors.push(entry.at(problem.offset, problem.message));
}

function interpretEntries(
  entries: Map<string, Entry>,
  errors: ConfigIssue[],
  options: ParseOptions,
): TuneConfig {
  const space = defaultSpace();
  const settings: RunSettings = { ...DEFAULT_SETTINGS };

  const betas = entries.get(BETAS_KEY);
  let pair: [number, number] | null = null;
  if (betas) {
    const result = interpretBetas(betas.expr);
    if (result.ok) pair = result.value;
    else report(betas, result.problems, errors);
    for (const name of ['beta1', 'beta2'] as const) {
      const single = entries.get(name);
      if (single && single.fromOverride === betas.fromOverride) {
        errors.push(
          single.at(
            single.keyOffset,
            `${name}: cannot be set together with betas; use betas: [b1, b2] for a fixed pair, or beta1 and beta2 to search them separately`,
          ),
        );
      }
    }
  }
  if (pair) {
    space.beta1 = { kind: 'fixed', value: pair[0] };
    space.beta2 = { kind: 'fixed', value: pair[1] };
  }

  for (const entry of entries.values()) {
    if (isHyperparameter(entry.key)) {
      const result = interpretHyperparameter(entry.key, entry.expr);
      if (result.ok) space[entry.key] = result.value;
      else report(entry, result.problems, errors);
      continue;
    }
    const field = SETTING_FIELDS.get(entry.key);
    if (!field) continue;
    const result = interpretSetting(field, entry.key, entry.expr);
    if (result.ok) Object.assign(settings, result.value);
    else report(entry, result.problems, errors);
  }

  const modelEntry = entries.get(SETTING_KEYS.model);
  if (options.models && modelEntry && !options.models.includes(settings.model)) {
    errors.push(modelEntry.at(modelEntry.expr.start, `model: unknown architecture '${settings.model}'; valid: ${options.models.join(', ')}`));
  }
  return { space, settings };
}

function crossChecks(config: TuneConfig, entries: Map<string, Entry>, errors: ConfigIssue[], rootIssue: (m: string) => ConfigIssue): void {
  const { space, settings } = config;
  const atKey = (keys: string[], message: string): ConfigIssue => {
    for (const key of keys) {
      const entry = entries.get(key);
      if (entry) return entry.at(entry.expr.start, message);
    }
    return rootIssue(message);
  };
  if (settings.scheduler === 'asha' && settings.gracePeriod > settings.maxNumEpochs) {
    errors.push(
      atKey(
        [SETTING_KEYS.gracePeriod, SETTING_KEYS.maxNumEpochs],
        `grace_period must be at most max_num_epochs (${settings.maxNumEpochs}), got ${settings.gracePeriod}`,
      ),
    );
  }
  const total = settings.numTrials * gridSize(space);
  if (total > MAX_TOTAL_TRIALS) {
    const gridKeys = HYPERPARAMETERS.filter((name) => space[name].kind === 'grid');
    errors.push(
      atKey(
        [SETTING_KEYS.numTrials, ...gridKeys],
        `num_trials (${settings.numTrials}) x grid points (${gridSize(space)}) = ${total} trials; at most ${MAX_TOTAL_TRIALS}`,
      ),
    );
  }
}

/**
 * Warns where the search's largest model (every width of the configuration's `model` at its
 * largest value) goes past the parameter budget.
 */
function budgetWarnings(config: TuneConfig, entries: Map<string, Entry>, options: ParseOptions, rootIssue: (m: string) => ConfigIssue): ConfigIssue[] {
  const { countParams } = options;
  if (!countParams) return [];
  const budget = options.paramBudget ?? PARAM_BUDGET;
  const { model } = config.settings;
  const widths = largestWidths(config.space, model);
  const params = countParams({ ...DEFAULT_TRIAL_CONFIG, ...widths }, model);
  if (params <= budget) return [];
  const keys = architectureKeys(model);
  const shape = keys.map((name) => `${name}=${widths[name] ?? DEFAULT_TRIAL_CONFIG[name]}`).join(', ');
  const message = `${shape} gives ${params.toLocaleString('en-US')} parameters, over the ${budget.toLocaleString('en-US')} budget`;
  const entry = keys.map((name) => entries.get(name)).find((e) => e !== undefined);
  return [entry ? { ...entry.at(entry.expr.start, message), key: entry.key } : rootIssue(message)];
}

/** Warns at each width key that belongs to another architecture than the configuration's `model` (it changes nothing). */
function otherModelWarnings(config: TuneConfig, entries: Map<string, Entry>): ConfigIssue[] {
  const { model } = config.settings;
  const own: readonly string[] = architectureKeys(model);
  return [...entries.values()]
    .filter((entry) => isArchitectureKey(entry.key) && !own.includes(entry.key))
    .map((entry) => ({
      ...entry.at(entry.expr.start, `${entry.key} is not a hyperparameter of model ${model}${own.length > 0 ? ` (its are ${own.join(', ')})` : ''}; it is ignored`),
      key: entry.key,
    }));
}

/** Issues in config.yaml by line and column, then those of overrides in the order given. */
function inReadingOrder(issues: ConfigIssue[]): ConfigIssue[] {
  const inFile = issues.filter((issue) => issue.override === undefined).sort((a, b) => a.line - b.line || a.col - b.col);
  return [...inFile, ...issues.filter((issue) => issue.override !== undefined)];
}

/**
 * Parses config.yaml text and applies `key=value` overrides on top. Returns the search space and
 * run settings, or every error found; unknown keys and budget overruns are warnings.
 */
export function parseConfig(yamlText: string, overrides: readonly string[] = [], options: ParseOptions = {}): ParsedConfig {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const yaml = readYaml(yamlText, errors, warnings);
  if (!yaml) {
    // Overrides are still checked so that all their problems show at once.
    errors.push(...parseOverrides(overrides).errors);
    return { ok: false, errors, warnings };
  }
  const { entries, rootOffset, source } = yaml;
  applyOverrides(entries, overrides, errors, warnings);
  const config = interpretEntries(entries, errors, options);
  const rootIssue = (message: string): ConfigIssue => source.issue(CONFIG_ROOT, rootOffset, message);
  crossChecks(config, entries, errors, rootIssue);
  if (errors.length > 0) return { ok: false, errors: inReadingOrder(errors), warnings: inReadingOrder(warnings) };
  warnings.push(...budgetWarnings(config, entries, options, rootIssue), ...otherModelWarnings(config, entries));
  return { ok: true, ...config, warnings: inReadingOrder(warnings) };
}

/** `parseConfig` for scripts: returns the configuration or throws a `ConfigError` listing every error. */
export function parseConfigOrThrow(yamlText: string, overrides: readonly string[] = [], options: ParseOptions = {}): TuneConfig & { warnings: ConfigIssue[] } {
  const result = parseConfig(yamlText, overrides, options);
  if (!result.ok) throw new ConfigError(result.errors);
  return { space: result.space, settings: result.settings, warnings: result.warnings };
}
