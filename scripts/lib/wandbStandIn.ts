/**
 * A stand-in for a W&B server on loopback, for end-to-end checks: it answers the calls the
 * studio's W&B client makes (GraphQL `viewer` and `upsertBucket`, and the run's `file_stream`)
 * and records what it receives, run by run. In `fail` mode every request gets HTTP 500.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One run as the stand-in saw it. */
export interface StandInRun {
  entity: string;
  project: string;
  name: string;
  displayName: string | null;
  group: string | null;
  /** The config with W&B's `{ value }` wrappers taken off. */
  config: Record<string, unknown>;
  /** History lines by offset. */
  history: Record<string, unknown>[];
  summary: Record<string, unknown> | null;
  complete: boolean;
  exitcode: number | null;
}

export interface WandbStandIn {
  url: string;
  runs: Map<string, StandInRun>;
  /** Requests received, OPTIONS preflights left out. */
  requests: () => number;
  authorizations: Set<string>;
  close: () => Promise<void>;
}

const ENTITY = 'stand-in-user';

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function unwrapConfig(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string') return {};
  const wrapped = JSON.parse(text) as Record<string, { value?: unknown }>;
  return Object.fromEntries(Object.entries(wrapped).map(([key, entry]) => [key, entry.value]));
}

/** Starts the stand-in on 127.0.0.1 at a free port. */
export async function startWandbStandIn(mode: 'ok' | 'fail' = 'ok'): Promise<WandbStandIn> {
  const runs = new Map<string, StandInRun>();
  const authorizations = new Set<string>();
  let requests = 0;

  const runAt = (entity: string, project: string, name: string): StandInRun => {
    const key = `${entity}/${project}/${name}`;
    let run = runs.get(key);
    if (!run) {
      run = { entity, project, name, displayName: null, group: null, config: {}, history: [], summary: null, complete: false, exitcode: null };
      runs.set(key, run);
    }
    return run;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    if (request.method === 'OPTIONS') return response.writeHead(204).end();
    requests += 1;
    authorizations.add(request.headers.authorization ?? '');
    const body = await readBody(request);
    if (mode === 'fail') return response.writeHead(500, { 'Content-Type': 'text/plain' }).end('stand-in failure');
    const json = (value: unknown) => response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;

    if (path === '/graphql') {
      const { query, variables } = JSON.parse(body) as { query: string; variables: Record<string, unknown> };
      if (/\bviewer\b/.test(query) && !/upsertBucket/.test(query)) return json({ data: { viewer: { id: 'u1', entity: ENTITY } } });
      if (/upsertBucket/.test(query)) {
        const run = runAt(String(variables.entity), String(variables.project), String(variables.name));
        run.displayName = typeof variables.displayName === 'string' ? variables.displayName : null;
        run.group = typeof variables.groupName === 'string' ? variables.groupName : null;
        run.config = { ...run.config, ...unwrapConfig(variables.config) };
        return json({ data: { upsertBucket: { bucket: { id: run.name, name: run.name, displayName: run.displayName }, inserted: true } } });
      }
      return json({ errors: [{ message: 'the stand-in does not know this query' }] });
    }
    const stream = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream$/.exec(path);
    if (stream) {
      const [entity, project, name] = stream.slice(1).map(decodeURIComponent) as [string, string, string];
      const run = runAt(entity, project, name);
      const fsdata = JSON.parse(body) as {
        files?: Record<string, { offset: number; content: string[] }>;
        complete?: boolean;
        exitcode?: number;
      };
      const history = fsdata.files?.['wandb-history.jsonl'];
      history?.content.forEach((line, i) => (run.history[history.offset + i] = JSON.parse(line) as Record<string, unknown>));
      const summary = fsdata.files?.['wandb-summary.json']?.content.at(-1);
      if (summary) run.summary = JSON.parse(summary) as Record<string, unknown>;
      if (fsdata.complete) {
        run.complete = true;
        run.exitcode = fsdata.exitcode ?? null;
      }
      return json({ exitcode: null, limits: {} });
    }
    return response.writeHead(404).end();
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.writeHead(400).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    runs,
    requests: () => requests,
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
