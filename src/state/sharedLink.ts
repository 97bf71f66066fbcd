/**
 * The door a shared link comes through: a page URL is checked whole, against the same schema as
 * config.yaml, before anything is applied from it. A link with any bad part is not applied at
 * all; the studio opens with its defaults and says which part was wrong.
 */
import type { BackendChoice } from '../backend/choice';
import { formatIssue } from '../tune/issues';
import { decodeQueryText } from '../tune/overrides';
import { MAX_OVERRIDE_CHARS, MAX_OVERRIDES } from '../tune/space';
import { parseStudioConfig } from './configSlice';
import { quoteLinkPart, readUrlState, urlStateProblem } from './urlState';

/** Longest query string a link may carry. */
const MAX_LINK_QUERY_CHARS = (MAX_OVERRIDE_CHARS + 16) * 8;

/** What a shared link asks for, or why it is refused. */
export type SharedLink = { ok: true; backend: BackendChoice; overrides: string[] } | { ok: false; problem: string };

/** Reads and checks a page's query string against config.yaml's text; the first problem is named. */
export function readSharedLink(search: string, configText: string): SharedLink {
  const query = search.startsWith('?') ? search.slice(1) : search;
  if (query.length > MAX_LINK_QUERY_CHARS) {
    return { ok: false, problem: `the link's query is ${query.length.toLocaleString('en-US')} characters; at most ${MAX_LINK_QUERY_CHARS.toLocaleString('en-US')}` };
  }
  const parts = query.split('&').filter((part) => part !== '');
  if (parts.length > MAX_OVERRIDES + 1) return { ok: false, problem: `the link has ${parts.length} parts; at most ${MAX_OVERRIDES + 1}` };
  for (const part of parts) {
    if (decodeQueryText(part) === null) return { ok: false, problem: `the link part ${quoteLinkPart(part)} has a malformed %-escape` };
  }
  const problem = urlStateProblem(search);
  if (problem) return { ok: false, problem };
  const state = readUrlState(search);
  const parsed = parseStudioConfig(configText, state.overrides);
  const fromLink = [...(parsed.ok ? [] : parsed.errors), ...parsed.warnings].filter((issue) => issue.override !== undefined);
  const first = fromLink[0];
  if (first) return { ok: false, problem: formatIssue({ ...first, override: quoteLinkPart(first.override ?? '').slice(1, -1) }) };
  return { ok: true, backend: state.backend, overrides: state.overrides };
}
