/** Errors and warnings about a configuration, located where the user can fix them. */
import { StudioError } from '../studioError';

/**
 * A problem at a place in config.yaml (`line`, `col`, 1-based) or in a `key=value` override
 * (`override` holds its text; `line` is then 1 and `col` a 1-based column within the override).
 */
export interface ConfigIssue {
  /** The configuration key concerned, or null for the document as a whole. */
  key: string | null;
  line: number;
  col: number;
  /** What is wrong and what would be valid; starts with the key when there is one. */
  message: string;
  override?: string;
}

/** One line for a terminal or a tooltip: `config.yaml:3:7: lr: ...` or `override 'lr=...' col 4: ...`. */
export function formatIssue(issue: ConfigIssue, fileName = 'config.yaml'): string {
  return issue.override === undefined
    ? `${fileName}:${issue.line}:${issue.col}: ${issue.message}`
    : `override '${issue.override}' col ${issue.col}: ${issue.message}`;
}

/** Thrown by `parseConfigOrThrow` with every error found. */
export class ConfigError extends StudioError {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.map((issue) => formatIssue(issue)).join('\n'));
  }
  override name = 'ConfigError';
}

/** Levenshtein distance, for "did you mean" suggestions on unknown keys. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The message for a key the configuration does not know. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const close = known
    .map((name) => ({ name, distance: editDistance(key.toLowerCase(), name) }))
    .filter(({ distance }) => distance <= 2)
    .sort((a, b) => a.distance - b.distance)[0];
  const hint = close ? `did you mean '${close.name}'? ` : '';
  return `unknown key '${key}' is ignored; ${hint}known keys: ${known.join(', ')}`;
}
