import { useState } from 'react';
import { parseStudioConfig } from '../../state/configSlice';
import { SEARCH_PRESETS } from '../../state/presets';
import { useStudio } from '../../state/store';
import { readUrlState, shareableUrl } from '../../state/urlState';
import { toOverrides } from '../../tune/overrides';

const bundled = parseStudioConfig(SEARCH_PRESETS.original.configText, []);

/** "Copy link": the space as overrides of the original config.yaml, in a URL that restores it. */
export function ShareLink() {
  const parsed = useStudio((s) => s.parsed);
  const [link, setLink] = useState<{ url: string; copied: boolean } | null>(null);

  const copy = async () => {
    if (!parsed.ok) return;
    const base = bundled.ok ? { space: bundled.space, settings: bundled.settings } : undefined;
    const overrides = toOverrides(parsed.space, parsed.settings, base);
    const url = shareableUrl(window.location.href, { backend: readUrlState(window.location.search).backend, overrides });
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      // No clipboard permission: the link shows in a field to copy by hand.
    }
    setLink({ url, copied });
  };

  return (
    <>
      <button type="button" disabled={!parsed.ok} onClick={() => void copy()} data-testid="copy-link">
        Copy link
      </button>
      {link && (
        <span className="share-link">
          <input
            readOnly
            aria-label="Link to this search space"
            data-testid="share-url"
            value={link.url}
            onFocus={(event) => event.target.select()}
          />
          <span className={link.copied ? 'ok' : 'muted'} role="status">
            {link.copied ? 'copied' : 'select and copy'}
          </span>
        </span>
      )}
    </>
  );
}
