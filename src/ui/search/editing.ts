/**
 * How the editor changes the search space: every edit rewrites one key of the config.yaml text
 * (comments kept), so the text stays the source of truth; an override from a link for the same
 * key is dropped, or it would hide the edit.
 */
import { parseStudioConfig } from '../../state/configSlice';
import { useStudio } from '../../state/store';
import type { ParsedConfig, TuneConfig } from '../../tune/config';
import type { ConfigIssue } from '../../tune/issues';
import { parseOverride } from '../../tune/overrides';
import { removeConfigKey, updateConfigText, writeSpaceIntoText } from '../../tune/serialize';
import { BETAS_KEY, defaultSpace, DEFAULT_SETTINGS, HYPERPARAMETERS, SETTING_KEYS } from '../../tune/space';

/** Keys that stand for the same values: Adam's pair and its halves. */
function relatedKeys(key: string): string[] {
  if (key === BETAS_KEY || key === 'beta1' || key === 'beta2') return [BETAS_KEY, 'beta1', 'beta2'];
  return [key];
}

/** The configuration key an override sets, or null when it does not parse. */
function overrideKey(text: string): string | null {
  const result = parseOverride(text);
  return result.ok ? result.override.key : null;
}

/** Sets `config.<key>` to a value in override syntax, or removes it (null) so its default applies. */
export function editConfigKey(key: string, valueText: string | null): void {
  const { configText, overrides, setConfigText, setOverrides } = useStudio.getState();
  const next = valueText === null ? removeConfigKey(configText, key) : updateConfigText(configText, key, valueText);
  const related = relatedKeys(key);
  const kept = overrides.filter((text) => !related.includes(overrideKey(text) ?? ''));
  if (kept.length !== overrides.length) setOverrides(kept);
  setConfigText(next);
}

/** Writes the overrides from a link into the config.yaml text, so that they become ordinary edits. */
export function foldOverridesIntoText(): void {
  const { configText, parsed, setConfigText, setOverrides } = useStudio.getState();
  if (!parsed.ok) return;
  setConfigText(writeSpaceIntoText(configText, parsed.space, parsed.settings));
  setOverrides([]);
}

/** Issues grouped by configuration key; document-level ones under ''. */
export function issuesByKey(issues: readonly ConfigIssue[]): Map<string, ConfigIssue[]> {
  const byKey = new Map<string, ConfigIssue[]>();
  for (const issue of issues) {
    const key = issue.key ?? '';
    byKey.set(key, [...(byKey.get(key) ?? []), issue]);
  }
  return byKey;
}

const DEFAULT_CONFIG: TuneConfig = { space: defaultSpace(), settings: { ...DEFAULT_SETTINGS } };

/**
 * What the form shows while the text has errors: every key without an error as the text says,
 * and each key with one at its last valid value, so the rest of the form keeps up with edits.
 */
export function displayedConfig(text: string, overrides: readonly string[], parsed: ParsedConfig, lastGood: TuneConfig | null): TuneConfig {
  if (parsed.ok) return { space: parsed.space, settings: parsed.settings };
  const fallback = lastGood ?? DEFAULT_CONFIG;
  const broken = new Set(parsed.errors.flatMap((issue) => (issue.key ? relatedKeys(issue.key) : [])));
  if (parsed.errors.some((issue) => issue.key === null)) return fallback;
  let rest = text;
  try {
    for (const key of broken) rest = removeConfigKey(rest, key);
  } catch {
    return fallback;
  }
  const others = parseStudioConfig(rest, overrides.filter((o) => !broken.has(overrideKey(o) ?? '')));
  if (!others.ok) return fallback;
  const space = { ...others.space };
  for (const name of HYPERPARAMETERS) if (broken.has(name)) space[name] = fallback.space[name];
  const settings = { ...others.settings };
  for (const [field, key] of Object.entries(SETTING_KEYS) as [keyof typeof SETTING_KEYS, string][]) {
    if (broken.has(key)) Object.assign(settings, { [field]: fallback.settings[field] });
  }
  return { space, settings };
}
