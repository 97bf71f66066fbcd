/** Converting a hyperparameter's domain between the editor's kinds, and writing typed parts as grammar. */
import { formatNumber } from '../../tune/format';
import { domainToYamlValue } from '../../tune/serialize';
import { discreteValues, HYPERPARAMETER_RULES, type Domain, type DomainKind, type HyperparameterName } from '../../tune/space';

/** What each kind is called in the editor. */
export const DOMAIN_KIND_LABELS: Record<DomainKind, string> = {
  fixed: 'fixed',
  choice: 'choice',
  grid: 'grid search',
  range: 'range',
  interval: 'interval',
};

/** The nearest domain of another kind: the same values where it can, their span otherwise. */
export function convertDomain(name: HyperparameterName, domain: Domain, kind: DomainKind): Domain {
  const values = discreteValues(domain) ?? (domain.kind === 'interval' ? [domain.lo, domain.hi] : []);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const integer = HYPERPARAMETER_RULES[name].integer;
  switch (kind) {
    case 'fixed':
      return { kind, value: values[0] ?? lo };
    case 'choice':
    case 'grid':
      return { kind, values: values.slice(0, 10) };
    case 'interval': {
      const top = hi > lo ? hi : integer ? lo + 4 : lo * 10;
      return { kind, lo, hi: top, log: !integer && lo > 0 && top / lo >= 10, integer };
    }
    case 'range': {
      const step = integer ? Math.max(1, Math.round((hi - lo) / 4) || 1) : hi > lo ? (hi - lo) / 4 : lo || 1;
      return { kind, start: lo, stop: Number((Math.max(hi, lo) + step).toPrecision(12)), step };
    }
  }
}

/** A domain as the value text the editor writes into config.yaml. */
export const domainText = (domain: Domain, names?: readonly string[]): string => domainToYamlValue(domain, names);

/** Grammar for an interval typed as text parts (kept as typed, so the parser locates mistakes). */
export function intervalText(lo: string, hi: string, log: boolean, integer: boolean): string {
  let text = `interval(${lo || '?'}, ${hi || '?'})`;
  if (integer) text = `int(${text})`;
  return log ? `tag(log, ${text})` : text;
}

/** Grammar for a range typed as text parts. */
export const rangeText = (start: string, stop: string, step: string): string => `range(${start || '?'}, ${stop || '?'}, ${step || '1'})`;

/** A list of typed values as YAML's list shorthand (a choice) or a grid search. */
export const valuesText = (values: readonly string[], grid: boolean): string =>
  grid ? `grid_search(${values.join(', ')})` : `[${values.join(', ')}]`;

export const numberText = formatNumber;
