import { gunzip, sha256Hex } from './digest';
import { IMAGE_PIXELS, type MnistSplit } from './idx';
import { validateManifest, type MnistManifest, type ShardEntry, type SplitName } from './manifest';
import {
  pruneCachedShards,
  readCachedManifest,
  readCachedShard,
  writeCachedManifest,
  writeCachedShard,
  type CachedShardLookup,
} from './mnistCache';
import { decodeShard } from './shard';
import { StorageError } from './storage';

/** Where a load's shards came from, as a whole. */
export const MNIST_SOURCES = { network: 'network', indexeddb: 'indexeddb', mixed: 'mixed' } as const;
export type MnistSource = (typeof MNIST_SOURCES)[keyof typeof MNIST_SOURCES];

/** A snapshot of a load in progress. */
export interface MnistLoadProgress {
  phase: 'manifest' | 'cache' | 'shards';
  shardsReady: number;
  shardsTotal: number;
  /** Bytes received so far, and the total of the shards that must be downloaded. */
  bytesDownloaded: number;
  bytesToDownload: number;
}

/** How one shard was obtained. */
export interface ShardOutcome {
  name: string;
  split: SplitName;
  from: 'network' | 'indexeddb';
  /** Why a cached copy was thrown away and the shard downloaded again, if it was. */
  repaired?: string;
}

/** MNIST loaded and checked, with where it came from and how long it took. */
export interface MnistLoadResult {
  train: MnistSplit;
  test: MnistSplit;
  manifest: MnistManifest;
  source: MnistSource;
  shards: ShardOutcome[];
  /** Compressed size of all shards, bytes downloaded this time, and unpacked size. */
  bytes: { total: number; downloaded: number; raw: number };
  /** Milliseconds: fetching the manifest, reading and checking the cache, then downloading and unpacking shards, and the whole load. */
  timings: { manifestMs: number; cacheMs: number; shardsMs: number; totalMs: number };
  /** False when IndexedDB could not be used: the data then lives in memory for this visit only. */
  cached: boolean;
  /** Problems the load survived (storage failures, offline start), each saying what the user can do. */
  warnings: string[];
}

/** What `loadMnist` needs: the manifest's absolute URL (shards are fetched beside it). */
export interface LoadMnistOptions {
  manifestUrl: string;
  onProgress?: (progress: MnistLoadProgress) => void;
  fetchImpl?: typeof fetch;
  signal?: AbortSignal;
}

/** Tracks whether IndexedDB still works during one load; the first failure turns caching off. */
class CacheGuard {
  enabled = true;
  readonly warnings: string[] = [];

  async run<T>(operation: () => Promise<T>, fallback: T): Promise<T> {
    if (!this.enabled) return fallback;
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      // Concurrent operations may all fail; the user needs to hear it once.
      if (!this.enabled) return fallback;
      this.enabled = false;
      this.warnings.push(`${error.message} MNIST is loaded in memory for this visit and will download again next time.`);
      return fallback;
    }
  }
}

async function fetchManifest(options: LoadMnistOptions, cache: CacheGuard): Promise<MnistManifest> {
  const fetchImpl = options.fetchImpl ?? fetch;
  let failure: string;
  try {
    const response = await fetchImpl(options.manifestUrl, { cache: 'no-cache', signal: options.signal });
    if (response.ok) return validateManifest(await response.json());
    failure = `HTTP ${response.status}`;
  } catch (error) {
    if (options.signal?.aborted) throw error;
    failure = error instanceof Error ? error.message : String(error);
  }
  const remembered = await cache.run(readCachedManifest, undefined);
  if (remembered === undefined) {
    throw new Error(
      `Could not fetch the MNIST manifest ${options.manifestUrl} (${failure}). ` +
        'Check the connection; when serving the studio yourself, run `npm run data` to build the shards.',
    );
  }
  cache.warnings.push(`The MNIST manifest could not be fetched (${failure}); using the copy saved on the last visit.`);
  return validateManifest(remembered);
}

async function download(entry: ShardEntry, options: LoadMnistOptions, onBytes: (n: number) => void): Promise<Uint8Array> {
  const url = new URL(entry.name, options.manifestUrl).href;
  const response = await (options.fetchImpl ?? fetch)(url, { signal: options.signal });
  if (!response.ok) throw new Error(`MNIST shard ${entry.name}: HTTP ${response.status} from ${url}`);
  const bytes = new Uint8Array(entry.bytes);
  let received = 0;
  const reader = response.body?.getReader();
  if (!reader) throw new Error(`MNIST shard ${entry.name}: the response from ${url} has no body`);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (received + value.byteLength > bytes.byteLength) {
      await reader.cancel();
      throw new Error(`MNIST shard ${entry.name}: server sent more than the manifest's ${entry.bytes} bytes (stale shard; rebuild with \`npm run data\`)`);
    }
    bytes.set(value, received);
    received += value.byteLength;
    onBytes(value.byteLength);
  }
  if (received !== entry.bytes) {
    throw new Error(`MNIST shard ${entry.name}: received ${received} of ${entry.bytes} bytes (truncated download)`);
  }
  const sha256 = await sha256Hex(bytes);
  if (sha256 !== entry.sha256) {
    throw new Error(`MNIST shard ${entry.name}: SHA-256 ${sha256} does not match the manifest's ${entry.sha256} (corrupt or stale file on the server)`);
  }
  return bytes;
}

function emptySplit(count: number): MnistSplit {
  return { count, images: new Uint8Array(count * IMAGE_PIXELS), labels: new Uint8Array(count) };
}

/** Loads MNIST: the manifest from the network, each shard from IndexedDB when intact, else downloaded, verified and cached. */
export async function loadMnist(options: LoadMnistOptions): Promise<MnistLoadResult> {
  const started = performance.now();
  const cache = new CacheGuard();
  const progress: MnistLoadProgress = { phase: 'manifest', shardsReady: 0, shardsTotal: 0, bytesDownloaded: 0, bytesToDownload: 0 };
  const report = () => options.onProgress?.({ ...progress });
  report();

  const manifest = await fetchManifest(options, cache);
  const manifestMs = performance.now() - started;
  progress.phase = 'cache';
  progress.shardsTotal = manifest.shards.length;
  report();

  const missing: CachedShardLookup = { state: 'missing' };
  const lookups = await Promise.all(
    manifest.shards.map((entry) => cache.run(() => readCachedShard(entry), missing)),
  );
  const cacheMs = performance.now() - started - manifestMs;
  progress.phase = 'shards';
  progress.bytesToDownload = manifest.shards.reduce((sum, entry, i) => sum + (lookups[i]?.state === 'hit' ? 0 : entry.bytes), 0);
  report();

  const splits: Record<SplitName, MnistSplit> = { train: emptySplit(manifest.splits.train.count), test: emptySplit(manifest.splits.test.count) };
  // Every shard settles before the load ends, so a failed load leaves nothing still writing to the
  // cache behind it; the shards that did arrive whole stay cached for the next try.
  const settled = await Promise.allSettled(
    manifest.shards.map(async (entry, i): Promise<ShardOutcome> => {
      const lookup = lookups[i] ?? missing;
      let bytes: Uint8Array;
      const outcome: ShardOutcome = { name: entry.name, split: entry.split, from: 'indexeddb' };
      if (lookup.state === 'hit') {
        bytes = lookup.bytes;
      } else {
        if (lookup.state === 'corrupt') outcome.repaired = lookup.reason;
        outcome.from = 'network';
        bytes = await download(entry, options, (n) => {
          progress.bytesDownloaded += n;
          report();
        });
        await cache.run(() => writeCachedShard(entry, bytes), undefined);
      }
      const shard = decodeShard(await gunzip(bytes), entry.count, entry.name);
      const split = splits[entry.split];
      split.images.set(shard.images, entry.first * IMAGE_PIXELS);
      split.labels.set(shard.labels, entry.first);
      progress.shardsReady += 1;
      report();
      return outcome;
    }),
  );
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  const outcomes = settled.map((result) => (result as PromiseFulfilledResult<ShardOutcome>).value);

  await cache.run(() => writeCachedManifest(manifest), undefined);
  await cache.run(() => pruneCachedShards(manifest.shards), undefined);

  const fromNetwork = outcomes.filter((outcome) => outcome.from === 'network').length;
  const finished = performance.now();
  return {
    train: splits.train,
    test: splits.test,
    manifest,
    source:
      fromNetwork === 0 ? MNIST_SOURCES.indexeddb : fromNetwork === outcomes.length ? MNIST_SOURCES.network : MNIST_SOURCES.mixed,
    shards: outcomes,
    bytes: { total: manifest.totals.bytes, downloaded: progress.bytesDownloaded, raw: manifest.totals.rawBytes },
    timings: { manifestMs, cacheMs, shardsMs: finished - started - manifestMs - cacheMs, totalMs: finished - started },
    cached: cache.enabled,
    warnings: cache.warnings,
  };
}
