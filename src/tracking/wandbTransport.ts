/**
 * The W&B wire protocol the studio speaks: the GraphQL `viewer` query (the key's default entity),
 * the `upsertBucket` mutation (create or update a run, with its config and group), and the run's
 * `file_stream` endpoint (history lines, summary, and the final exit code). These are the calls
 * W&B's own clients make; the official `@wandb/sdk` 0.5.1 makes them too but cannot run in a
 * page (it calls Node's `process.once`, `Buffer` and `MessagePort.on`, and drops the run group),
 * so the studio sends them itself with `fetch`.
 */
import { messageOf } from '../studioError';

/** Where a run lives on the server. */
export interface WandbRunPath {
  entity: string;
  project: string;
  /** The run's id (W&B's bucket name): letters, digits, `-` and `_`. */
  name: string;
}

/** What a run is created with. */
export interface WandbRunInput extends WandbRunPath {
  displayName: string;
  groupName: string;
  jobType: string;
  config: Record<string, unknown>;
}

/** One file_stream request: appended lines of history and the summary, or the run's end. */
export interface WandbFileStreamBody {
  files?: Partial<Record<'wandb-history.jsonl' | 'wandb-summary.json', { offset: number; content: string[] }>>;
  complete?: boolean;
  exitcode?: number;
}

/** The three calls; each rejects with a WandbRequestError. */
export interface WandbTransport {
  /** The entity (user or team) the API key belongs to by default. */
  viewerEntity(): Promise<string>;
  upsertRun(run: WandbRunInput): Promise<void>;
  fileStream(run: WandbRunPath, body: WandbFileStreamBody): Promise<void>;
}

/** A failed request: `retryable` for network errors, rate limits and server errors. */
export class WandbRequestError extends Error {
  readonly status: number | null;
  readonly retryable: boolean;
  constructor(message: string, status: number | null, retryable: boolean) {
    super(message);
    this.name = 'WandbRequestError';
    this.status = status;
    this.retryable = retryable;
  }
}

/** W&B's hosted API; self-hosted servers have their own base URL. */
export const WANDB_CLOUD_URL = 'https://api.wandb.ai';

const UPSERT_RUN = `mutation UpsertBucket($name: String, $project: String, $entity: String, $groupName: String,
  $displayName: String, $jobType: String, $config: JSONString) {
  upsertBucket(input: { name: $name, modelName: $project, entityName: $entity, groupName: $groupName,
    displayName: $displayName, jobType: $jobType, config: $config }) {
    bucket { id name displayName }
    inserted
  }
}`;

const VIEWER = 'query Viewer { viewer { id entity } }';

function describeStatus(status: number): string {
  if (status === 401 || status === 403) return `the API key was refused (HTTP ${status})`;
  if (status === 404) return `the entity or project was not found (HTTP ${status})`;
  if (status === 429) return `W&B is rate limiting requests (HTTP ${status})`;
  return `the server answered HTTP ${status}`;
}

/** W&B's config format: every key wrapped as `{ value }`, as its Python client sends it. */
function wandbConfig(config: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(config).map(([key, value]) => [key, { desc: null, value }])));
}

/** The transport over `fetch` to `baseUrl` (no trailing slash needed), authenticated with `apiKey`. */
export function httpTransport(baseUrl: string, apiKey: string, fetchImpl: typeof fetch = (...args) => fetch(...args)): WandbTransport {
  const root = baseUrl.replace(/\/+$/, '');
  const headers = { 'Content-Type': 'application/json', Authorization: `Basic ${btoa(`api:${apiKey}`)}` };

  const post = async (path: string, body: unknown): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetchImpl(`${root}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    } catch (error) {
      const reason = messageOf(error);
      throw new WandbRequestError(`could not reach ${root} (${reason})`, null, true);
    }
    if (!response.ok) {
      const status = response.status;
      throw new WandbRequestError(describeStatus(status), status, status === 429 || status >= 500);
    }
    const text = await response.text();
    return text ? (JSON.parse(text) as unknown) : null;
  };

  const graphql = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const reply = (await post('/graphql', { query, variables })) as { data?: T; errors?: { message: string }[] } | null;
    if (reply?.errors?.length) throw new WandbRequestError(`W&B refused the request: ${reply.errors[0]!.message}`, 200, false);
    if (!reply?.data) throw new WandbRequestError('W&B sent an empty answer', 200, true);
    return reply.data;
  };

  return {
    async viewerEntity() {
      const data = await graphql<{ viewer: { entity?: string | null } | null }>(VIEWER, {});
      const entity = data.viewer?.entity;
      if (!entity) throw new WandbRequestError('the API key has no default entity; enter one in the settings', 200, false);
      return entity;
    },
    async upsertRun(run) {
      await graphql(UPSERT_RUN, {
        name: run.name,
        project: run.project,
        entity: run.entity,
        groupName: run.groupName,
        displayName: run.displayName,
        jobType: run.jobType,
        config: wandbConfig(run.config),
      });
    },
    async fileStream(run, body) {
      const path = [run.entity, run.project, run.name].map(encodeURIComponent).join('/');
      await post(`/files/${path}/file_stream`, body);
    },
  };
}
