import { useMemo, useState } from 'react';
import { countParams } from '../../state/configSlice';
import { useStudio } from '../../state/store';
import { PARAM_BUDGET, type TuneConfig } from '../../tune/config';
import type { ConfigIssue } from '../../tune/issues';
import type { HyperparameterSpec } from '../../model/architecture';
import { getArchitecture, type ArchitectureHyperparameterName } from '../../model/registry';
import {
  architectureKeys,
  DEFAULT_TRIAL_CONFIG,
  discreteValues,
  isArchitectureKey,
  largestWidths,
  trialKeys,
  type HyperparameterName,
  type SearchSpace,
} from '../../tune/space';
import { DomainControl } from './DomainControl';
import { displayedConfig, editConfigKey, issuesByKey } from './editing';
import { FieldIssues } from './fields';
import { SettingsForm } from './SettingsForm';

/** Labels of the shared keys; an architecture's own keys read their registry description. */
const LABELS: Record<Exclude<HyperparameterName, ArchitectureHyperparameterName>, string> = {
  lr: 'learning rate',
  beta1: 'Adam beta1',
  beta2: 'Adam beta2',
  batch_size: 'batch size',
  optimizer: 'optimizer (adam, adamw)',
  weight_decay: 'weight decay',
  lr_schedule: 'lr schedule (constant, cosine, onecycle, step)',
  pct_start: 'onecycle warm-up fraction',
  step_size: 'step schedule: steps per decay',
  gamma: 'step schedule: decay factor',
  label_smoothing: 'label smoothing',
  augment_translate: 'augment: max shift (pixels)',
  augment_degrees: 'augment: max rotation (degrees)',
  augment_scale: 'augment: max scale change',
};

/** A key's label: the shared table, or the model's registry description of its own width. */
function labelOf(name: HyperparameterName, model: string): string {
  if (!isArchitectureKey(name)) return LABELS[name];
  return (getArchitecture(model).hyperparameters as Readonly<Record<string, HyperparameterSpec | undefined>>)[name]?.description ?? '';
}

/** The largest parameter count of the model with `name` = `value`, over the other widths' values. */
function paramNote(space: SearchSpace, model: string, name: ArchitectureHyperparameterName, value: number): { text: string; overBudget: boolean } | null {
  if (!Number.isInteger(value) || value < 1 || value > 512) return null;
  const others = architectureKeys(model).filter((key) => key !== name);
  const searched = others.some((key) => (discreteValues(space[key])?.length ?? 2) > 1);
  const most = countParams({ ...DEFAULT_TRIAL_CONFIG, ...largestWidths(space, model), [name]: value }, model);
  const text = `${searched ? 'up to ' : ''}${most.toLocaleString('en-US')} params`;
  return { text, overBudget: most > PARAM_BUDGET };
}

/** Errors or warnings for a hyperparameter; Adam's `betas` pair speaks for both halves. */
function forKey(byKey: Map<string, ConfigIssue[]>, name: string): ConfigIssue[] | undefined {
  const own = byKey.get(name) ?? [];
  const pair = name === 'beta1' || name === 'beta2' ? (byKey.get('betas') ?? []) : [];
  const all = [...own, ...pair];
  return all.length > 0 ? all : undefined;
}

/** The search space as a form: one typed control per hyperparameter, then the run settings. */
export function SpaceEditor() {
  const configText = useStudio((s) => s.configText);
  const overrides = useStudio((s) => s.overrides);
  const parsed = useStudio((s) => s.parsed);
  // The last error-free parse: what a key with an error shows until it is fixed.
  const [lastGood, setLastGood] = useState<TuneConfig | null>(null);
  if (parsed.ok && lastGood?.space !== parsed.space) setLastGood({ space: parsed.space, settings: parsed.settings });
  const shown = useMemo(() => displayedConfig(configText, overrides, parsed, lastGood), [configText, overrides, parsed, lastGood]);
  const errors = issuesByKey(parsed.ok ? [] : parsed.errors);
  const warnings = issuesByKey(parsed.warnings);
  const syntaxBroken = errors.has('');

  const commit = (key: string) => (valueText: string | null) => {
    try {
      editConfigKey(key, valueText);
    } catch {
      // The YAML text itself does not parse; its error shows at the raw text.
    }
  };

  return (
    <fieldset className="space-editor" disabled={syntaxBroken} data-testid="space-editor">
      <legend>Search space</legend>
      {syntaxBroken && <p className="error">Fix the YAML syntax error below to edit the form.</p>}
      <div className="space-rows">
        {trialKeys(shown.settings.model).map((name) => (
          <div key={name} className="space-row" data-testid={`space-${name}`}>
            <div className="space-key">
              <code>{name}</code>
              <small className="muted">{labelOf(name, shown.settings.model)}</small>
            </div>
            <div>
              <DomainControl
                name={name}
                domain={shown.space[name]}
                onCommit={commit(name)}
                describeValue={isArchitectureKey(name) ? (value) => paramNote(shown.space, shown.settings.model, name, value) : undefined}
              />
              <FieldIssues name={name} errors={forKey(errors, name)} warnings={forKey(warnings, name)} />
            </div>
          </div>
        ))}
      </div>
      <SettingsForm settings={shown.settings} errors={errors} warnings={warnings} onCommit={(key, value) => commit(key)(value)} />
    </fieldset>
  );
}
