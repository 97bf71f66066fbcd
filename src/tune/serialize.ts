/**
 * Writes a search space back as config.yaml: from scratch (`serializeSpace`), or into the user's
 * own text so that its comments and layout survive (`updateConfigText`, `writeSpaceIntoText`).
 * What is written reads back through `parseConfig` to the same space and settings.
 */
import { Document, Scalar, YAMLMap, YAMLSeq, isMap, isScalar, parseDocument, type Node } from 'yaml';
import { CONFIG_ROOT, parseConfig } from './config';
import { formatDomain, formatNumber, formatSetting } from './format';
import { parseExpr, type Expr } from './grammar';
import {
  BETAS_KEY,
  HYPERPARAMETERS,
  trialKeys,
  SETTING_KEYS,
  sameDomain,
  type Domain,
  type RunSettings,
  type SearchSpace,
  HYPERPARAMETER_RULES,
} from './space';

/** A domain as YAML value text: a number, the `[a, b]` shorthand for a choice, or Hydra grammar. */
export function domainToYamlValue(domain: Domain, names?: readonly string[]): string {
  if (domain.kind === 'choice') return `[${domain.values.map((v) => names?.[v] ?? formatNumber(v)).join(', ')}]`;
  return formatDomain(domain, ', ', names);
}

function numberNode(value: number, text?: string): Scalar {
  const node = new Scalar(value);
  if (text !== undefined && /e/i.test(text) && Number.isFinite(value)) node.format = 'EXP';
  return node;
}

/** The YAML node for a value written in override syntax (`0.001`, `[4, 8]`, `4,8`, `choice(4, 8)`). */
function valueNode(valueText: string): Node {
  const trimmed = valueText.trim();
  const expr: Expr = parseExpr(trimmed, true);
  const primitiveNode = (item: Expr): Node => {
    switch (item.kind) {
      case 'number':
        return numberNode(item.value, item.text);
      case 'bool':
        return new Scalar(item.value);
      case 'null':
        return new Scalar(null);
      case 'string':
        return new Scalar(item.value);
      default:
        return new Scalar(trimmed.slice(item.start, item.end));
    }
  };
  if (expr.kind === 'list' || expr.kind === 'sweep') {
    const seq = new YAMLSeq();
    seq.flow = true;
    for (const item of expr.items) seq.items.push(primitiveNode(item));
    return seq;
  }
  return primitiveNode(expr);
}

function configMap(doc: Document): YAMLMap {
  if (doc.errors.length > 0) throw new Error(`config.yaml does not parse: ${doc.errors[0]?.message ?? ''}`);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) doc.contents = new YAMLMap();
  const root = doc.contents;
  if (!isMap(root)) throw new Error(`config.yaml must be a mapping with a top-level '${CONFIG_ROOT}:' key`);
  const config: unknown = root.get(CONFIG_ROOT, true);
  if (isMap(config)) return config;
  const created = new YAMLMap();
  root.set(CONFIG_ROOT, created);
  return created;
}

/** Sets one key, keeping the comments attached to the value it replaces. */
function setValue(config: YAMLMap, key: string, node: Node): void {
  const previous: unknown = config.get(key, true);
  if (previous && typeof previous === 'object' && 'comment' in previous) {
    const old = previous as Node;
    node.comment = old.comment;
    node.commentBefore = old.commentBefore;
    node.spaceBefore = old.spaceBefore;
  }
  config.set(key, node);
}

function setInDocument(config: YAMLMap, key: string, valueText: string): void {
  if (key === 'beta1' || key === 'beta2') {
    // One half of Adam's pair is changing: split `betas: [b1, b2]` into beta1 and beta2.
    const betas: unknown = config.get(BETAS_KEY, true);
    if (betas instanceof YAMLSeq && betas.items.length === 2) {
      const [b1, b2] = betas.items.map((item) => (isScalar(item) ? item.value : null));
      config.delete(BETAS_KEY);
      if (typeof b1 === 'number') config.set('beta1', numberNode(b1, formatNumber(b1)));
      if (typeof b2 === 'number') config.set('beta2', numberNode(b2, formatNumber(b2)));
    } else {
      config.delete(BETAS_KEY);
    }
  }
  if (key === BETAS_KEY) {
    config.delete('beta1');
    config.delete('beta2');
  }
  setValue(config, key, valueNode(valueText));
}

/**
 * Sets `config.<key>` to a value in override syntax (`0.001`, `[4, 8]`, `tag(log, interval(1e-4, 1e-2))`)
 * and returns the new text; other keys and comments stay. Setting beta1 or beta2 splits a
 * `betas` pair, and setting `betas` drops beta1 and beta2. Throws if the text is not valid YAML.
 */
export function updateConfigText(text: string, key: string, valueText: string): string {
  const doc = parseDocument(text);
  setInDocument(configMap(doc), key, valueText);
  return String(doc);
}

/** Removes `config.<key>` so that its default applies; returns the new text. */
export function removeConfigKey(text: string, key: string): string {
  const doc = parseDocument(text);
  configMap(doc).delete(key);
  return String(doc);
}

/**
 * Writes a space and settings into existing config.yaml text, touching only keys whose value
 * changes, so comments and formatting elsewhere survive.
 */
export function writeSpaceIntoText(text: string, space: SearchSpace, settings: RunSettings): string {
  const current = parseConfig(text);
  const doc = parseDocument(text);
  const config = configMap(doc);
  const same = <T>(pick: (c: { space: SearchSpace; settings: RunSettings }) => T, equal: (a: T, b: T) => boolean): boolean =>
    current.ok && equal(pick(current), pick({ space, settings }));

  // A fixed pair stays in the file's `betas: [b1, b2]` form; a searched beta splits it.
  const { beta1, beta2 } = space;
  const keepPair = config.has(BETAS_KEY) && beta1.kind === 'fixed' && beta2.kind === 'fixed';
  if (keepPair && !(same((c) => c.space.beta1, sameDomain) && same((c) => c.space.beta2, sameDomain))) {
    setInDocument(config, BETAS_KEY, `[${formatNumber(beta1.value)}, ${formatNumber(beta2.value)}]`);
  }
  for (const name of HYPERPARAMETERS) {
    if (keepPair && (name === 'beta1' || name === 'beta2')) continue;
    if (!same((c) => c.space[name], sameDomain)) setInDocument(config, name, domainToYamlValue(space[name], HYPERPARAMETER_RULES[name].names));
  }
  for (const field of Object.keys(SETTING_KEYS) as (keyof RunSettings)[]) {
    if (!same((c) => c.settings[field], (a, b) => a === b)) {
      setInDocument(config, SETTING_KEYS[field], formatSetting(settings[field]));
    }
  }
  return String(doc);
}

/** A fresh config.yaml for a space and settings; `parseConfig` reads it back to the same values. */
export function serializeSpace(space: SearchSpace, settings: RunSettings): string {
  const doc = new Document(new YAMLMap());
  const config = configMap(doc);
  config.commentBefore = ' Search space (lists are choices) and run settings.';
  for (const name of trialKeys(settings.model)) setValue(config, name, valueNode(domainToYamlValue(space[name], HYPERPARAMETER_RULES[name].names)));
  for (const field of Object.keys(SETTING_KEYS) as (keyof RunSettings)[]) {
    const value = settings[field];
    if (value !== null) setValue(config, SETTING_KEYS[field], valueNode(formatSetting(value)));
  }
  return String(doc);
}
