import type { ConfigIssue } from '../../tune/issues';
import { SCHEDULERS, SETTING_KEYS, type RunSettings } from '../../tune/space';
import { CommitInput, FieldIssues } from './fields';

interface SettingsFormProps {
  settings: RunSettings;
  errors: Map<string, ConfigIssue[]>;
  warnings: Map<string, ConfigIssue[]>;
  /** Sets a setting's key to a value, or removes it (null) so that its default applies. */
  onCommit: (key: string, valueText: string | null) => void;
}

type NumberField = 'numTrials' | 'maxNumEpochs' | 'maxConcurrentTrials' | 'gracePeriod' | 'reductionFactor' | 'seed' | 'maxFailures';

const NUMBER_FIELDS: { field: NumberField; label: string; hint?: string; ashaOnly?: boolean }[] = [
  { field: 'numTrials', label: 'Trials', hint: "Ray's num_samples" },
  { field: 'maxNumEpochs', label: 'Max epochs per trial' },
  { field: 'maxConcurrentTrials', label: 'Trials at once', hint: 'empty: chosen for the backend' },
  { field: 'seed', label: 'Seed' },
  { field: 'maxFailures', label: 'Retries on failure' },
  { field: 'gracePeriod', label: 'Grace period (epochs)', ashaOnly: true },
  { field: 'reductionFactor', label: 'Reduction factor', ashaOnly: true },
];

/** The run settings beside the space: trials, epochs, concurrency, scheduler and its parameters, seed. */
export function SettingsForm({ settings, errors, warnings, onCommit }: SettingsFormProps) {
  const asha = settings.scheduler === SCHEDULERS.asha;
  return (
    <div className="settings-form" data-testid="run-settings">
      <label className="setting" data-testid={`setting-${SETTING_KEYS.scheduler}`}>
        <span>
          Scheduler <code className="muted">{SETTING_KEYS.scheduler}</code>
        </span>
        <select aria-label="Scheduler" value={settings.scheduler} onChange={(event) => onCommit(SETTING_KEYS.scheduler, event.target.value)}>
          <option value={SCHEDULERS.fifo}>FIFO (all epochs)</option>
          <option value={SCHEDULERS.asha}>ASHA (early stopping)</option>
        </select>
        <FieldIssues name={SETTING_KEYS.scheduler} errors={errors.get(SETTING_KEYS.scheduler)} />
      </label>
      {NUMBER_FIELDS.filter((f) => asha || !f.ashaOnly).map(({ field, label, hint }) => {
        const key = SETTING_KEYS[field];
        const value = settings[field];
        return (
          <div className="setting" key={field} data-testid={`setting-${key}`}>
            <label>
              <span>
                {label} <code className="muted">{key}</code>
              </span>
              <CommitInput
                aria-label={label}
                inputMode="numeric"
                placeholder={hint}
                title={hint}
                value={value === null ? '' : String(value)}
                onCommit={(text) => onCommit(key, text === '' ? null : text)}
              />
            </label>
            <FieldIssues name={key} errors={errors.get(key)} warnings={warnings.get(key)} />
          </div>
        );
      })}
    </div>
  );
}
