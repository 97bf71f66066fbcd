import { useState, type InputHTMLAttributes } from 'react';
import type { ConfigIssue } from '../../tune/issues';

type CommitInputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> & {
  value: string;
  /** Called on Enter or blur when the text differs from `value`. */
  onCommit: (text: string) => void;
};

/**
 * The text to commit when the user presses Enter or leaves the field, or null for none. It is
 * compared with what this field last committed, not with the shown value: after a rejected typo
 * ("3a") the form still shows the last valid value ("3"), and typing that value back must commit
 * it, or the typo would stay in config.yaml with its error.
 */
export function textToCommit(draft: string, lastCommitted: string): string | null {
  const text = draft.trim();
  return text === lastCommitted ? null : text;
}

/**
 * A text field that keeps what the user types until Enter or blur, then commits it once; it
 * follows `value` again whenever `value` changes from outside.
 */
export function CommitInput({ value, onCommit, ...rest }: CommitInputProps) {
  const [draft, setDraft] = useState(value);
  const [source, setSource] = useState(value);
  const [committed, setCommitted] = useState(value);
  if (source !== value) {
    setSource(value);
    setDraft(value);
    setCommitted(value);
  }
  const commit = () => {
    const text = textToCommit(draft, committed);
    if (text === null) return;
    setCommitted(text);
    onCommit(text);
  };
  return (
    <input
      {...rest}
      value={draft}
      onChange={(event) => setDraft(event.target.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') commit();
      }}
    />
  );
}

/** The parser's errors and warnings for one key, under its control. */
export function FieldIssues({ name, errors, warnings }: { name: string; errors?: ConfigIssue[]; warnings?: ConfigIssue[] }) {
  if (!errors?.length && !warnings?.length) return null;
  const where = (issue: ConfigIssue) => (issue.override !== undefined ? 'link' : `line ${issue.line}:${issue.col}`);
  return (
    <>
      {errors?.map((issue) => (
        <p key={`e${issue.message}`} className="error field-issue" role="alert" data-testid={`field-error-${name}`}>
          {issue.message} <span className="muted">({where(issue)})</span>
        </p>
      ))}
      {warnings?.map((issue) => (
        <p key={`w${issue.message}`} className="warn field-issue" data-testid={`field-warning-${name}`}>
          {issue.message}
        </p>
      ))}
    </>
  );
}
