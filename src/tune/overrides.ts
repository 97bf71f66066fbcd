/**
 * Hydra-style `key=value` overrides, as typed on the command line or carried in a page URL
 * (`?lr=tag(log,interval(1e-4,1e-2))&num_trials=8`), and the reverse: a space written as overrides.
 */
import { formatDomain, formatSetting } from './format';
import { GrammarError, parseExpr, type Expr } from './grammar';
import type { ConfigIssue } from './issues';
import {
  HYPERPARAMETERS,
  SETTING_KEYS,
  sameDomain,
  type RunSettings,
  type SearchSpace,
  HYPERPARAMETER_RULES,
} from './space';

/** One parsed override: set `key` to `expr`, or (`~key`) drop it so that its default applies. */
export interface Override {
  text: string;
  key: string;
  remove: boolean;
  /** The value, with offsets into `text`; null when removing. */
  expr: Expr | null;
  /** Offset of the key in `text`. */
  keyOffset: number;
}

const OVERRIDE = /^\s*(~|\+{0,2})([A-Za-z_][\w.]*)\s*(?:=(.*))?$/s;

function shift(expr: Expr, delta: number): Expr {
  const moved: Expr = { ...expr, start: expr.start + delta, end: expr.end + delta };
  if (moved.kind === 'list' || moved.kind === 'sweep') moved.items = moved.items.map((item) => shift(item, delta));
  if (moved.kind === 'call') {
    moved.args = moved.args.map((arg) => ({ ...arg, start: arg.start + delta, value: shift(arg.value, delta) }));
  }
  return moved;
}

/** Moves every offset of a parsed value by `delta` (to place a value parsed alone inside its source). */
export const shiftExpr = shift;

/** Parses one override; `config.lr=...` and `lr=...` name the same key. */
export function parseOverride(text: string): { ok: true; override: Override } | { ok: false; issue: ConfigIssue } {
  const fail = (offset: number, message: string, key: string | null = null) => ({
    ok: false as const,
    issue: { key, line: 1, col: offset + 1, message, override: text },
  });
  const match = OVERRIDE.exec(text);
  if (!match) return fail(0, "expected key=value, e.g. lr=choice(1e-3,1e-2) or num_trials=8");
  const [, prefix = '', rawKey = '', value] = match;
  const keyOffset = text.indexOf(rawKey);
  const key = rawKey.startsWith('config.') ? rawKey.slice('config.'.length) : rawKey;
  if (prefix === '~') return { ok: true, override: { text, key, remove: true, expr: null, keyOffset } };
  if (value === undefined) return fail(keyOffset, `${key}: missing '=value'; write ${key}=value (or ~${key} to drop it)`, key);
  const valueOffset = text.length - value.length;
  if (value.trim() === '') return fail(valueOffset, `${key}: missing value after '='`, key);
  try {
    const expr = shift(parseExpr(value, true), valueOffset);
    return { ok: true, override: { text, key, remove: false, expr, keyOffset } };
  } catch (error) {
    if (error instanceof GrammarError) return fail(valueOffset + error.offset, `${key}: ${error.message}`, key);
    throw error;
  }
}

/** Parses a list of overrides; each error names the override it comes from. */
export function parseOverrides(texts: readonly string[]): { overrides: Override[]; errors: ConfigIssue[] } {
  const overrides: Override[] = [];
  const errors: ConfigIssue[] = [];
  for (const text of texts) {
    const result = parseOverride(text);
    if (result.ok) overrides.push(result.override);
    else errors.push(result.issue);
  }
  return { overrides, errors };
}

/**
 * The space and settings as overrides, hyperparameters first. With `base`, only what differs
 * from it; without, everything, so that the list reproduces the space over any config.yaml.
 */
export function toOverrides(
  space: SearchSpace,
  settings: RunSettings,
  base?: { space: SearchSpace; settings: RunSettings },
): string[] {
  const out: string[] = [];
  for (const name of HYPERPARAMETERS) {
    if (!base || !sameDomain(space[name], base.space[name])) out.push(`${name}=${formatDomain(space[name], ',', HYPERPARAMETER_RULES[name].names)}`);
  }
  for (const field of Object.keys(SETTING_KEYS) as (keyof RunSettings)[]) {
    if (!base || settings[field] !== base.settings[field]) out.push(`${SETTING_KEYS[field]}=${formatSetting(settings[field])}`);
  }
  return out;
}

/** `text` with its %-escapes decoded, or null where an escape is malformed. */
export function decodeQueryText(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * Overrides from a URL query (`?lr=...&num_trials=8`), in order; a bare `~key` is kept as is.
 * A literal '+' stays a plus (Hydra's `+key=...`, `1e+3`): links from `overridesToQuery` write spaces as %20.
 * A malformed escape stays as typed (the link reader refuses such a link before this is used).
 */
export function overridesFromQuery(search: string): string[] {
  const query = search.startsWith('?') ? search.slice(1) : search;
  if (query === '') return [];
  return query.split('&').filter((part) => part !== '').map((part) => {
    const decode = (text: string): string => decodeQueryText(text) ?? text;
    const eq = part.indexOf('=');
    return eq < 0 ? decode(part) : `${decode(part.slice(0, eq))}=${decode(part.slice(eq + 1))}`;
  });
}

/** A URL query carrying overrides, keeping Hydra's parentheses and commas readable (both are legal in a query). */
export function overridesToQuery(overrides: readonly string[]): string {
  const encode = (text: string): string =>
    encodeURIComponent(text).replace(/%2C/g, ',');
  const parts = overrides.map((text) => {
    const eq = text.indexOf('=');
    return eq < 0 ? encode(text) : `${encode(text.slice(0, eq))}=${encode(text.slice(eq + 1))}`;
  });
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}
