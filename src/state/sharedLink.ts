/**
 * The door a shared link comes through: a page URL is checked whole, against the same schema as
 * config.yaml, before anything is applied from it. A link with any bad part is not applied at
 * all; the studio opens with its defaults and says which part was wrong.
 */
import { BACKEND_CHOICES, BACKEND_URL_PARAM, type BackendChoice } from '../backend/choice';
import { formatIssue } from '../tune/issues';
import { decodeQueryText } from '../tune/overrides';
import { MAX_OVERRIDE_CHARS, MAX_OVERRIDES } from '../tune/space';
import { parseStudioConfig } from './configSlice';
import { readUrlState } from './urlState';

/** Longest query string a link may carry. */
export const MAX_LINK_QUERY_CHARS = (MAX_OVERRIDE_CHARS + 16) * 8;

/** What a shared link asks for, or why it is refused. */
export type SharedLink = { ok: true; backend: BackendChoice; overrides: string[] } | { ok: false; problem: string };

/** A part of the link, shortened for a message (React renders it as text, never as markup). */
const quote = (text: string): string => (text.length > 60 ? `'${text.slice(0, 60)}…'` : `'${text}'`);

/** Reads and checks a page's query string against config.yaml's text; the first problem is named. */
export function readSharedLink(search: string, configText: string): SharedLink {
  const query = search.startsWith('?') ? search.slice(1) : search;
  if (query.length > MAX_LINK_QUERY_CHARS) {
    return { ok: false, problem: `the link's query is ${query.length.toLocaleString('en-US')} characters; at most ${MAX_LINK_QUERY_CHARS.toLocaleString('en-US')}` };
  }
  const parts = query.split('&').filter((part) => part !== '');
  if (parts.length > MAX_OVERRIDES + 1) return { ok: false, problem: `the link has ${parts.length} parts; at most ${MAX_OVERRIDES + 1}` };
  for (const part of parts) {
    if (decodeQueryText(part) === null) return { ok: false, problem: `the link part ${quote(part)} has a malformed %-escape` };
  }
  const backendPart = parts.find((part) => decodeQueryText(part.split('=')[0] ?? '') === BACKEND_URL_PARAM);
  const backendValue = backendPart === undefined ? null : (decodeQueryText(backendPart.slice(backendPart.indexOf('=') + 1)) ?? '');
  if (backendValue !== null && !(BACKEND_CHOICES as readonly string[]).includes(backendValue.trim().toLowerCase())) {
    return { ok: false, problem: `backend: unknown backend ${quote(backendValue)}; valid: ${BACKEND_CHOICES.join(', ')}` };
  }
  const state = readUrlState(search);
  const parsed = parseStudioConfig(configText, state.overrides);
  const fromLink = [...(parsed.ok ? [] : parsed.errors), ...parsed.warnings].filter((issue) => issue.override !== undefined);
  const first = fromLink[0];
  if (first) return { ok: false, problem: formatIssue({ ...first, override: quote(first.override ?? '').slice(1, -1) }) };
  return { ok: true, backend: state.backend, overrides: state.overrides };
}
