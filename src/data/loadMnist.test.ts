import 'fake-indexeddb/auto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_MANIFEST_URL, buildShardsToTemp, serveShards } from '../../scripts/lib/shardServer';
import { readMnistSplit } from '../../scripts/lib/nodeMnist';
import { loadMnist, type MnistLoadProgress } from './loadMnist';
import { clearMnistCache } from './mnistCache';
import { STORAGE_AREAS, storageArea } from './storage';

const SHARDS = ['train-00.bin', 'train-01.bin', 'train-02.bin', 'train-03.bin', 'train-04.bin', 'train-05.bin', 'test-00.bin'];
let dir = '';

beforeAll(async () => {
  dir = await buildShardsToTemp();
});
beforeEach(() => clearMnistCache());

const shardRequests = (requests: string[]) => requests.filter((name) => name !== 'manifest.json').sort();

describe('loadMnist', () => {
  it('downloads every shard on a first visit, reports progress, and returns MNIST exactly', async () => {
    const server = serveShards(dir);
    const progress: MnistLoadProgress[] = [];
    const result = await loadMnist({ manifestUrl: FAKE_MANIFEST_URL, fetchImpl: server.fetchImpl, onProgress: (p) => progress.push(p) });

    expect(shardRequests(server.requests)).toEqual([...SHARDS].sort());
    expect(result.source).toBe('network');
    expect(result.cached).toBe(true);
    expect(result.warnings).toEqual([]);
    expect(result.train.count).toBe(60_000);
    expect(result.test.count).toBe(10_000);
    const train = readMnistSplit('train');
    const test = readMnistSplit('test');
    expect(Buffer.from(result.train.images).equals(Buffer.from(train.images))).toBe(true);
    expect(Buffer.from(result.train.labels).equals(Buffer.from(train.labels))).toBe(true);
    expect(Buffer.from(result.test.images).equals(Buffer.from(test.images))).toBe(true);
    expect(Buffer.from(result.test.labels).equals(Buffer.from(test.labels))).toBe(true);
    expect(result.bytes.downloaded).toBe(result.bytes.total);

    const last = progress.at(-1);
    expect(last).toMatchObject({ shardsReady: 7, shardsTotal: 7, bytesDownloaded: result.bytes.total, bytesToDownload: result.bytes.total });
    expect(progress.some((p) => p.bytesDownloaded > 0 && p.bytesDownloaded < result.bytes.total)).toBe(true);
  });

  it('reads a second visit from IndexedDB with no shard requests', async () => {
    await loadMnist({ manifestUrl: FAKE_MANIFEST_URL, fetchImpl: serveShards(dir).fetchImpl });
    const server = serveShards(dir);
    const result = await loadMnist({ manifestUrl: FAKE_MANIFEST_URL, fetchImpl: server.fetchImpl });
    expect(server.requests).toEqual(['manifest.json']);
    expect(result.source).toBe('indexeddb');
    expect(result.bytes.downloaded).toBe(0);
    expect(result.train.labels.subarray(0, 5)).toEqual(new Uint8Array([5, 0, 4, 1, 9]));
  });

  it('refetches a corrupted cached shard alone, and a partial one too', async () => {
    await loadMnist({ manifestUrl: FAKE_MANIFEST_URL, fetchImpl: serveShards(dir).fetchImpl });
    const area = storageArea(STORAGE_AREAS.mnist);
    const flipped = await area.get<{ bytes: Uint8Array }>('shard/train-02.bin');
    const partial = await area.get<{ bytes: Uint8Array }>('shard/test-00.bin');
    if (!flipped || !partial) throw new Error('shards were not cached');
    flipped.bytes[1000] = (flipped.bytes[1000] ?? 0) ^ 0xff;
    await area.set('shard/train-02.bin', flipped);
    await area.set('shard/test-00.bin', { ...partial, bytes: partial.bytes.slice(0, 5000) });

    const server = serveShards(dir);
    const result = await loadMnist({ manifestUrl: FAKE_MANIFEST_URL, fetchImpl: server.fetchImpl });
    expect(shardRequests(server.requests)).toEqual(['test-00.bin', 'train-02.bin']);
    expect(result.source).toBe('mixed');
    expect(result.shards.find((s) => s.name === 'train-02.bin')?.repaired).toBe('SHA-256 mismatch');
    expect(result.shards.find((s) => s.name === 'test-00.bin')?.repaired).toMatch(/partial write/);
    expect(result.train.labels.subarray(20_000, 20_003)).toEqual(readMnistSplit('train').labels.subarray(20_000, 20_003));

    const again = serveShards(dir);
    await loadMnist({ manifestUrl: FAKE_MANIFEST_URL, fetchImpl: again.fetchImpl });
    expect(again.requests).toEqual(['manifest.json']);
  });

  it('refuses a server shard whose hash is wrong, naming the shard', async () => {
    const server = serveShards(dir, (name, bytes) => {
      if (name === 'train-03.bin') bytes[500] = (bytes[500] ?? 0) ^ 1;
      return bytes;
    });
    await expect(loadMnist({ manifestUrl: FAKE_MANIFEST_URL, fetchImpl: server.fetchImpl })).rejects.toThrow(
      /MNIST shard train-03.bin: SHA-256 [0-9a-f]{64} does not match/,
    );
    expect(await storageArea(STORAGE_AREAS.mnist).get('shard/train-03.bin')).toBeUndefined();
  });

  it('refuses a truncated download and a missing shard, naming the shard', async () => {
    const short = serveShards(dir, (name, bytes) => (name === 'test-00.bin' ? bytes.subarray(0, 100) : bytes));
    await expect(loadMnist({ manifestUrl: FAKE_MANIFEST_URL, fetchImpl: short.fetchImpl })).rejects.toThrow(
      /test-00.bin: received 100 of \d+ bytes/,
    );
    // Shards that arrived whole before the failure stay cached (a retry fetches only the rest), so start clean.
    await clearMnistCache();
    const gone = serveShards(dir, (name, bytes) => (name === 'train-05.bin' ? new Response('', { status: 404 }) : bytes));
    await expect(loadMnist({ manifestUrl: FAKE_MANIFEST_URL, fetchImpl: gone.fetchImpl })).rejects.toThrow(/train-05.bin: HTTP 404/);
  });

  it('starts offline from the manifest saved on the last visit', async () => {
    await loadMnist({ manifestUrl: FAKE_MANIFEST_URL, fetchImpl: serveShards(dir).fetchImpl });
    const offline = () => Promise.reject(new TypeError('Failed to fetch'));
    const result = await loadMnist({ manifestUrl: FAKE_MANIFEST_URL, fetchImpl: offline });
    expect(result.source).toBe('indexeddb');
    expect(result.warnings[0]).toMatch(/manifest could not be fetched \(Failed to fetch\)/);
  });

  it('explains a missing manifest when nothing is cached', async () => {
    const empty = serveShards(dir, (name, bytes) => (name === 'manifest.json' ? new Response('', { status: 404 }) : bytes));
    await expect(loadMnist({ manifestUrl: FAKE_MANIFEST_URL, fetchImpl: empty.fetchImpl })).rejects.toThrow(/HTTP 404.*npm run data/);
  });
});
