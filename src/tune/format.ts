/** Writes domains and settings back as Hydra grammar text that the parser reads to the same values (a categorical key's `names` by name). */
import type { Domain, RunSettings } from './space';

/** Shortest text that reads back to exactly this number (JavaScript's round-trip form). */
export function formatNumber(value: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Number.isNaN(value)) return 'nan';
  return String(value);
}

/**
 * A domain in Hydra's grammar: `0.001`, `choice(4,8)`, `range(4,17,4)`, `tag(log,interval(0.0001,0.01))`,
 * `grid_search(16,32)`. `separator` is put between arguments (', ' in YAML, ',' in URLs).
 */
export function formatDomain(domain: Domain, separator = ',', names?: readonly string[]): string {
  const name = (value: number): string => names?.[value] ?? formatNumber(value);
  const list = (values: number[]): string => values.map(formatNumber).join(separator);
  switch (domain.kind) {
    case 'fixed':
      return name(domain.value);
    case 'choice':
      return `choice(${domain.values.map(name).join(separator)})`;
    case 'grid':
      return `grid_search(${domain.values.map(name).join(separator)})`;
    case 'range':
      return `range(${list([domain.start, domain.stop, domain.step])})`;
    case 'interval': {
      let text = `interval(${list([domain.lo, domain.hi])})`;
      if (domain.integer) text = `int(${text})`;
      if (domain.log) text = `tag(log${separator}${text})`;
      return text;
    }
  }
}

/** A run setting's value as configuration text (`null` for an automatic concurrency). */
export function formatSetting(value: RunSettings[keyof RunSettings]): string {
  if (value === null) return 'null';
  return typeof value === 'number' ? formatNumber(value) : value;
}
