import { useState } from 'react';
import { HYPERPARAMETER_RULES, type Domain, type DomainKind, type HyperparameterName } from '../../tune/space';
import { DOMAIN_KIND_LABELS, convertDomain, domainText, intervalText, numberText, rangeText, valuesText } from './domainText';
import { CommitInput } from './fields';

interface ControlProps {
  name: HyperparameterName;
  domain: Domain;
  onCommit: (valueText: string) => void;
  /** Parameter count note for a value (architecture keys only). */
  describeValue?: (value: number) => { text: string; overBudget: boolean } | null;
}

/** A value as the user reads it: a categorical key's name (`cosine`), else the number. */
const valueText = (name: HyperparameterName, value: number): string => HYPERPARAMETER_RULES[name].names?.[value] ?? numberText(value);

/** Keeps typed parts across an edit the parser rejects, and follows the domain when it changes. */
function useTyped<T>(fromDomain: T): [T, (next: T) => void] {
  const key = JSON.stringify(fromDomain);
  const [state, setState] = useState({ key, typed: fromDomain });
  if (state.key !== key) {
    setState({ key, typed: fromDomain });
    return [fromDomain, (typed) => setState({ key, typed })];
  }
  return [state.typed, (typed) => setState({ key, typed })];
}

function Chips({ name, domain, onCommit, describeValue }: ControlProps & { domain: Extract<Domain, { values: number[] }> }) {
  const [values, setValues] = useTyped(domain.values.map((value) => valueText(name, value)));
  const [adding, setAdding] = useState('');
  const commit = (next: string[]) => {
    setValues(next);
    onCommit(valuesText(next, domain.kind === 'grid'));
  };
  const add = () => {
    const text = adding.trim();
    if (text === '') return;
    setAdding('');
    commit([...values, ...text.split(/[\s,]+/).filter(Boolean)]);
  };
  return (
    <div className="chips" data-testid={`chips-${name}`}>
      {values.map((value, index) => {
        const note = describeValue?.(Number(value));
        return (
          <span key={`${value}-${index}`} className={`chip${note?.overBudget ? ' over-budget' : ''}`} data-testid={`chip-${name}`}>
            {value}
            {note && (
              <small className={note.overBudget ? 'warn' : 'muted'} data-testid={`params-${name}-${value}`}>
                {note.text}
              </small>
            )}
            <button type="button" className="chip-remove" aria-label={`Remove ${value} from ${name}`} onClick={() => commit(values.filter((_, i) => i !== index))}>
              ×
            </button>
          </span>
        );
      })}
      <input
        className="chip-add"
        aria-label={`Add a value to ${name}`}
        placeholder="add…"
        inputMode="decimal"
        value={adding}
        onChange={(event) => setAdding(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') add();
        }}
        onBlur={add}
      />
    </div>
  );
}

function IntervalControl({ name, domain, onCommit }: ControlProps & { domain: Extract<Domain, { kind: 'interval' }> }) {
  const [typed, setTyped] = useTyped({ lo: numberText(domain.lo), hi: numberText(domain.hi), log: domain.log, integer: domain.integer });
  const commit = (next: typeof typed) => {
    setTyped(next);
    onCommit(intervalText(next.lo, next.hi, next.log, next.integer));
  };
  return (
    <div className="interval">
      <CommitInput aria-label={`${name} low`} inputMode="decimal" value={typed.lo} onCommit={(lo) => commit({ ...typed, lo })} />
      <span aria-hidden="true">to</span>
      <CommitInput aria-label={`${name} high`} inputMode="decimal" value={typed.hi} onCommit={(hi) => commit({ ...typed, hi })} />
      <label>
        <input type="checkbox" checked={typed.log} onChange={(event) => commit({ ...typed, log: event.target.checked })} /> log
      </label>
      <label>
        <input type="checkbox" checked={typed.integer} onChange={(event) => commit({ ...typed, integer: event.target.checked })} /> integer
      </label>
    </div>
  );
}

function RangeControl({ name, domain, onCommit }: ControlProps & { domain: Extract<Domain, { kind: 'range' }> }) {
  const [typed, setTyped] = useTyped({ start: numberText(domain.start), stop: numberText(domain.stop), step: numberText(domain.step) });
  const commit = (next: typeof typed) => {
    setTyped(next);
    onCommit(rangeText(next.start, next.stop, next.step));
  };
  return (
    <div className="range">
      {(['start', 'stop', 'step'] as const).map((part) => (
        <label key={part}>
          {part}
          <CommitInput aria-label={`${name} ${part}`} inputMode="decimal" value={typed[part]} onCommit={(text) => commit({ ...typed, [part]: text })} />
        </label>
      ))}
    </div>
  );
}

/** One hyperparameter: its kind (fixed, choice, grid, range, interval) and a control typed for it. */
export function DomainControl(props: ControlProps) {
  const { name, domain, onCommit, describeValue } = props;
  const note = domain.kind === 'fixed' ? describeValue?.(domain.value) : null;
  return (
    <div className="domain-control">
      <select
        aria-label={`${name} kind`}
        value={domain.kind}
        onChange={(event) => onCommit(domainText(convertDomain(name, domain, event.target.value as DomainKind), HYPERPARAMETER_RULES[name].names))}
      >
        {(Object.keys(DOMAIN_KIND_LABELS) as DomainKind[]).map((kind) => (
          <option key={kind} value={kind}>
            {DOMAIN_KIND_LABELS[kind]}
          </option>
        ))}
      </select>
      {domain.kind === 'fixed' && (
        <span className="fixed">
          <CommitInput aria-label={name} inputMode={HYPERPARAMETER_RULES[name].names ? 'text' : 'decimal'} value={valueText(name, domain.value)} onCommit={onCommit} />
          {note && <small className={note.overBudget ? 'warn' : 'muted'}>{note.text}</small>}
        </span>
      )}
      {(domain.kind === 'choice' || domain.kind === 'grid') && <Chips {...props} domain={domain} />}
      {domain.kind === 'interval' && <IntervalControl {...props} domain={domain} />}
      {domain.kind === 'range' && <RangeControl {...props} domain={domain} />}
    </div>
  );
}
