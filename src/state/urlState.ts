/**
 * The state a shareable link carries, declared once: each entry says which query keys it owns,
 * how it reads them and how it writes them. Reading and writing a URL both walk this one table,
 * so a link always restores what it was written from.
 */
import { BACKEND_URL_PARAM, parseBackendChoice, type BackendChoice } from '../backend/choice';
import { overridesFromQuery, overridesToQuery } from '../tune/overrides';

/** Everything a page URL holds. */
export interface UrlState {
  /** The tfjs backend asked for (`?backend=wasm`); `auto` is left out of links. */
  backend: BackendChoice;
  /** Hydra-style overrides applied over config.yaml (`?lr=tag(log,interval(1e-4,1e-2))&num_trials=8`). */
  overrides: string[];
}

interface UrlProperty<K extends keyof UrlState> {
  name: K;
  /** Whether a query key (decoded, without Hydra's `~`/`+` prefix) belongs to this property. */
  owns: (key: string) => boolean;
  read: (parts: readonly string[]) => UrlState[K];
  write: (value: UrlState[K]) => string[];
}

/** The query key of one `key=value` part, decoded and without Hydra's `~`, `+` or `++` prefix. */
function partKey(part: string): string {
  const eq = part.indexOf('=');
  let key = part.slice(0, eq < 0 ? part.length : eq);
  try {
    key = decodeURIComponent(key);
  } catch {
    // A malformed escape stays as typed; the override parser reports it.
  }
  return key.replace(/^(~|\+{1,2})/, '');
}

const backendProperty: UrlProperty<'backend'> = {
  name: 'backend',
  owns: (key) => key === BACKEND_URL_PARAM,
  read: (parts) => parseBackendChoice(new URLSearchParams(parts[parts.length - 1] ?? '').get(BACKEND_URL_PARAM)),
  write: (backend) => (backend === 'auto' ? [] : [`${BACKEND_URL_PARAM}=${backend}`]),
};

const overridesProperty: UrlProperty<'overrides'> = {
  name: 'overrides',
  // Every key no other property claims is an override of config.yaml.
  owns: () => true,
  read: (parts) => overridesFromQuery(parts.join('&')),
  write: (overrides) => {
    const query = overridesToQuery(overrides);
    return query === '' ? [] : query.slice(1).split('&');
  },
};

/** The table: order matters when reading, as the first property that owns a key takes it. */
export const URL_STATE = [backendProperty, overridesProperty] as const;

/** Reads a query string (`?backend=wasm&lr=...`) into the studio's URL state. */
export function readUrlState(search: string): UrlState {
  const query = search.startsWith('?') ? search.slice(1) : search;
  const parts = query.split('&').filter((part) => part !== '');
  const claimed = new Map<string, string[]>(URL_STATE.map((property) => [property.name, []]));
  for (const part of parts) {
    const owner = URL_STATE.find((property) => property.owns(partKey(part)));
    if (owner) claimed.get(owner.name)?.push(part);
  }
  return {
    backend: backendProperty.read(claimed.get('backend') ?? []),
    overrides: overridesProperty.read(claimed.get('overrides') ?? []),
  };
}

/** The query string (`?...`, or '' when empty) that `readUrlState` reads back to `state`. */
export function writeUrlState(state: UrlState): string {
  const parts = [...backendProperty.write(state.backend), ...overridesProperty.write(state.overrides)];
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** A link to this page (origin and path of `href`) carrying `state`. */
export function shareableUrl(href: string, state: UrlState): string {
  const url = new URL(href);
  return `${url.origin}${url.pathname}${writeUrlState(state)}`;
}
