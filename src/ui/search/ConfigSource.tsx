import { useState, type DragEvent } from 'react';
import { useStudio } from '../../state/store';
import { formatIssue } from '../../tune/issues';
import { writeSpaceIntoText } from '../../tune/serialize';
import { foldOverridesIntoText } from './editing';
import { ShareLink } from './ShareLink';

function download(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Where config.yaml comes from (bundled, opened, pasted, dropped), its raw text, download and link. */
export function ConfigSource() {
  const configText = useStudio((s) => s.configText);
  const configName = useStudio((s) => s.configName);
  const overrides = useStudio((s) => s.overrides);
  const parsed = useStudio((s) => s.parsed);
  const setConfigText = useStudio((s) => s.setConfigText);
  const setOverrides = useStudio((s) => s.setOverrides);
  const [dragging, setDragging] = useState(false);

  const openFile = async (file: File | undefined) => {
    if (file) setConfigText(await file.text(), file.name);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void openFile(event.dataTransfer.files[0]);
  };
  // The download holds what the form shows: overrides from a link are written into the text.
  const downloadText = parsed.ok && overrides.length > 0 ? writeSpaceIntoText(configText, parsed.space, parsed.settings) : configText;

  return (
    <div
      className={`config-source${dragging ? ' dragging' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="config-source"
    >
      <div className="config-actions">
        <span>
          Editing <code data-testid="config-name">{configName}</code> <span className="muted">(drop a config.yaml here)</span>
        </span>
        <label className="button-like">
          Open config.yaml…
          <input type="file" accept=".yaml,.yml,text/yaml" className="visually-hidden" onChange={(event) => void openFile(event.target.files?.[0])} />
        </label>
        <button type="button" onClick={() => download(downloadText, 'config.yaml')} data-testid="download-config">
          Download config.yaml
        </button>
        <ShareLink />
      </div>
      {overrides.length > 0 && (
        <p className="overrides" data-testid="active-overrides">
          From the link, over config.yaml: {overrides.map((o) => <code key={o}>{o}</code>)}
          <button type="button" disabled={!parsed.ok} onClick={foldOverridesIntoText}>
            Write into config.yaml
          </button>
          <button type="button" onClick={() => setOverrides([])}>
            Drop
          </button>
        </p>
      )}
      <details className="raw-yaml">
        <summary>Raw config.yaml</summary>
        <textarea
          aria-label="config.yaml text"
          data-testid="raw-yaml"
          spellCheck={false}
          rows={Math.min(24, configText.split('\n').length + 2)}
          value={configText}
          onChange={(event) => setConfigText(event.target.value)}
        />
        {!parsed.ok && (
          <ul className="error raw-errors" data-testid="raw-yaml-errors">
            {parsed.errors.map((issue) => (
              <li key={formatIssue(issue)}>{formatIssue(issue)}</li>
            ))}
          </ul>
        )}
      </details>
    </div>
  );
}
