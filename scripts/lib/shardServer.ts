import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMnistShards } from './mnistShards';

/** The manifest URL that `serveShards` answers for. */
export const FAKE_MANIFEST_URL = 'http://studio.test/data/mnist/manifest.json';

/** Builds the shards into a fresh temporary folder (tests only). */
export async function buildShardsToTemp(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'digit-studio-shards-'));
  await buildMnistShards(dir);
  return dir;
}

/** A fetch that serves files of `dir`, records the names asked for, and lets a test alter or fail any of them. */
export function serveShards(dir: string, alter: (name: string, bytes: Uint8Array) => Uint8Array | Response = (_, b) => b) {
  const requests: string[] = [];
  const fetchImpl = (input: RequestInfo | URL): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const name = url.pathname.split('/').pop() ?? '';
    requests.push(name);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(join(dir, name)));
    } catch {
      return Promise.resolve(new Response('not found', { status: 404 }));
    }
    const answer = alter(name, bytes);
    return Promise.resolve(answer instanceof Response ? answer : new Response(answer as Uint8Array<ArrayBuffer>));
  };
  return { requests, fetchImpl };
}
