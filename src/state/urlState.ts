/**
 * The state a shareable link carries, declared once: each entry of `URL_STATE` says which query
 * keys it owns, how it reads them, how it writes them back and what makes them wrong. Reading,
 * writing and checking a URL all walk this one table, so a link always restores what it was
 * written from, and the page, the inference Worker and the link check agree on what it says.
 */
import { BACKEND_CHOICES, BACKEND_URL_PARAM, parseBackendChoice, type BackendChoice } from '../backend/choice';
import { decodeQueryText, overridesFromQuery, overridesToQuery } from '../tune/overrides';

/** Everything a page URL holds. */
export interface UrlState {
  /** The tfjs backend asked for (`?backend=wasm`); `auto` is left out of links. */
  backend: BackendChoice;
  /** Hydra-style overrides applied over config.yaml (`?lr=tag(log,interval(1e-4,1e-2))&num_trials=8`). */
  overrides: string[];
}

/** One entry of the table: a property of `UrlState` and the `key=value` parts of a query that carry it. */
export interface UrlProperty<K extends keyof UrlState> {
  name: K;
  /** Whether a query key (decoded, without Hydra's `~`/`+` prefix) belongs to this property. */
  owns: (key: string) => boolean;
  /** The property's value from the parts it owns, in query order (none: its default). */
  read: (parts: readonly string[]) => UrlState[K];
  /** The parts that `read` reads back to `value`; none for the default. */
  write: (value: UrlState[K]) => string[];
  /** What is wrong with the parts it owns, for a property a link may not carry just anything in; null when nothing. */
  problem?: (parts: readonly string[]) => string | null;
}

/** The query key of one `key=value` part, decoded and without Hydra's `~`, `+` or `++` prefix. */
function partKey(part: string): string {
  const eq = part.indexOf('=');
  const key = part.slice(0, eq < 0 ? part.length : eq);
  // A malformed escape stays as typed; the override parser reports it.
  return (decodeQueryText(key) ?? key).replace(/^(~|\+{1,2})/, '');
}

/** The decoded value of one `key=value` part ('' without a `=`). */
function partValue(part: string): string {
  const eq = part.indexOf('=');
  const value = eq < 0 ? '' : part.slice(eq + 1);
  return decodeQueryText(value) ?? value;
}

/** A part of a link, shortened for a message (React renders it as text, never as markup). */
export const quoteLinkPart = (text: string): string => (text.length > 60 ? `'${text.slice(0, 60)}…'` : `'${text}'`);

const backendProperty: UrlProperty<'backend'> = {
  name: 'backend',
  owns: (key) => key === BACKEND_URL_PARAM,
  // The last one wins, as a later override does.
  read: (parts) => parseBackendChoice(parts.length === 0 ? null : partValue(parts[parts.length - 1]!)),
  write: (backend) => (backend === 'auto' ? [] : [`${BACKEND_URL_PARAM}=${backend}`]),
  problem: (parts) => {
    const unknown = parts.map(partValue).find((value) => !(BACKEND_CHOICES as readonly string[]).includes(value.trim().toLowerCase()));
    return unknown === undefined ? null : `backend: unknown backend ${quoteLinkPart(unknown)}; valid: ${BACKEND_CHOICES.join(', ')}`;
  },
};

const overridesProperty: UrlProperty<'overrides'> = {
  name: 'overrides',
  // Every key no other property claims is an override of config.yaml (checked against its schema by sharedLink.ts).
  owns: () => true,
  read: (parts) => overridesFromQuery(parts.join('&')),
  write: (overrides) => {
    const query = overridesToQuery(overrides);
    return query === '' ? [] : query.slice(1).split('&');
  },
};

/** The table, one entry per property of `UrlState`; order matters when reading, as the first property that owns a key takes it. */
export const URL_STATE: readonly { [K in keyof UrlState]: UrlProperty<K> }[keyof UrlState][] = [backendProperty, overridesProperty];

/** A query string's `key=value` parts, in order, handed to the table entry that owns each. */
function claimParts(search: string): Map<keyof UrlState, string[]> {
  const query = search.startsWith('?') ? search.slice(1) : search;
  const claimed = new Map<keyof UrlState, string[]>(URL_STATE.map((property) => [property.name, []]));
  for (const part of query.split('&')) {
    if (part === '') continue;
    const owner = URL_STATE.find((property) => property.owns(partKey(part)));
    if (owner) claimed.get(owner.name)?.push(part);
  }
  return claimed;
}

/** Reads a query string (`?backend=wasm&lr=...`) into the studio's URL state. */
export function readUrlState(search: string): UrlState {
  const claimed = claimParts(search);
  return Object.fromEntries(URL_STATE.map((property) => [property.name, property.read(claimed.get(property.name) ?? [])])) as unknown as UrlState;
}

/** The query string (`?...`, or '' when empty) that `readUrlState` reads back to `state`. */
export function writeUrlState(state: UrlState): string {
  const parts = URL_STATE.flatMap((property) => (property as UrlProperty<keyof UrlState>).write(state[property.name]));
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** The first problem a table entry finds with the parts of `search` it owns, or null. */
export function urlStateProblem(search: string): string | null {
  const claimed = claimParts(search);
  for (const property of URL_STATE) {
    const problem = property.problem?.(claimed.get(property.name) ?? []);
    if (problem) return problem;
  }
  return null;
}

/** A link to this page (origin and path of `href`) carrying `state`. */
export function shareableUrl(href: string, state: UrlState): string {
  const url = new URL(href);
  return `${url.origin}${url.pathname}${writeUrlState(state)}`;
}
