import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../state/store';
import type { WandbSettings } from '../../tracking/wandbSettings';
import './tracking.css';

type TextSetting = 'apiKey' | 'project' | 'entity' | 'baseUrl';

const FIELDS: { key: TextSetting; label: string; type: string; placeholder?: string; hint?: string }[] = [
  { key: 'apiKey', label: 'API key', type: 'password', hint: 'From wandb.ai/authorize. Kept in this tab only, unless remembered below.' },
  { key: 'project', label: 'Project', type: 'text' },
  { key: 'entity', label: 'Entity', type: 'text', placeholder: 'your default entity' },
  { key: 'baseUrl', label: 'Base URL', type: 'url', hint: 'https://api.wandb.ai, or your self-hosted server.' },
];

/** Optional Weights & Biases logging: the settings, what the current search has sent, and its one problem notice. */
export function TrackingPanel() {
  const wandb = useStudio((s) => s.wandb);
  const { setWandb, loadWandb, dismissWandbNotice } = useStudio(
    useShallow((s) => ({ setWandb: s.setWandb, loadWandb: s.loadWandb, dismissWandbNotice: s.dismissWandbNotice })),
  );
  const notice = useStudio((s) => s.wandbNotice);
  const activity = useStudio((s) => s.wandbActivity);

  useEffect(() => {
    void loadWandb();
  }, [loadWandb]);

  const change = (patch: Partial<WandbSettings>) => void setWandb(patch);

  return (
    <section className="panel tracking-panel" data-testid="tracking-panel" aria-labelledby="tracking-heading">
      <h2 id="tracking-heading">Experiment tracking</h2>
      <label className="tracking-toggle">
        <input type="checkbox" checked={wandb.enabled} onChange={(e) => change({ enabled: e.target.checked })} />
        Log searches to Weights &amp; Biases
      </label>
      {wandb.enabled && (
        <div className="tracking-fields">
          {FIELDS.map((field) => (
            <label key={field.key}>
              <span>{field.label}</span>
              <input
                type={field.type}
                value={wandb[field.key]}
                placeholder={field.placeholder}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => change({ [field.key]: e.target.value })}
              />
              {field.hint && <small className="muted">{field.hint}</small>}
            </label>
          ))}
          <label className="tracking-toggle">
            <input type="checkbox" checked={wandb.remember} onChange={(e) => change({ remember: e.target.checked })} />
            Remember on this device (the key is stored in this browser&apos;s IndexedDB)
          </label>
          <p className="muted">
            Each trial of the next search becomes a run, grouped by experiment, with one entry per epoch. Training never
            waits for W&amp;B.
          </p>
        </div>
      )}
      {activity && (
        <p className="muted" data-testid="wandb-activity">
          Sent to W&amp;B: {activity.runs} run(s), {activity.entries} epoch entries, {activity.finished} finished.
        </p>
      )}
      {notice && (
        <p className="error tracking-notice" role="alert" data-testid="wandb-notice">
          {notice}{' '}
          <button type="button" onClick={dismissWandbNotice}>
            Dismiss
          </button>
        </p>
      )}
    </section>
  );
}
