import { sha256Hex } from './digest';
import type { ShardEntry } from './manifest';
import { STORAGE_AREAS, storageArea } from './storage';

/** Names of MNIST's entries within the `mnist` storage area. */
export const MNIST_CACHE_NAMES = { manifest: 'manifest', shardPrefix: 'shard/' } as const;

/** A shard as cached: the gzip bytes exactly as served, and the hash they had when stored. */
interface CachedShard {
  sha256: string;
  bytes: Uint8Array;
  storedAt: number;
}

/** What the cache holds for one shard: usable bytes, nothing, or an entry that failed its checks. */
export type CachedShardLookup =
  | { state: 'hit'; bytes: Uint8Array }
  | { state: 'missing' }
  | { state: 'corrupt'; reason: string };

const area = storageArea(STORAGE_AREAS.mnist);
const shardKey = (name: string) => `${MNIST_CACHE_NAMES.shardPrefix}${name}`;

function isCachedShard(value: unknown): value is CachedShard {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<CachedShard>;
  return typeof entry.sha256 === 'string' && entry.bytes instanceof Uint8Array;
}

/** Reads a cached shard and checks it against the manifest: byte length, recorded hash, and a fresh SHA-256. */
export async function readCachedShard(entry: ShardEntry): Promise<CachedShardLookup> {
  const value = await area.get<unknown>(shardKey(entry.name));
  if (value === undefined) return { state: 'missing' };
  if (!isCachedShard(value)) return { state: 'corrupt', reason: 'entry is not a stored shard' };
  if (value.sha256 !== entry.sha256) return { state: 'corrupt', reason: 'stored for another build of the data' };
  if (value.bytes.byteLength !== entry.bytes) {
    return { state: 'corrupt', reason: `${value.bytes.byteLength} bytes stored, ${entry.bytes} expected (partial write)` };
  }
  if ((await sha256Hex(value.bytes)) !== entry.sha256) return { state: 'corrupt', reason: 'SHA-256 mismatch' };
  return { state: 'hit', bytes: value.bytes };
}

/** Stores a verified shard's gzip bytes. */
export async function writeCachedShard(entry: ShardEntry, bytes: Uint8Array): Promise<void> {
  const value: CachedShard = { sha256: entry.sha256, bytes, storedAt: Date.now() };
  await area.set(shardKey(entry.name), value);
}

/** Removes cached shards that the current manifest no longer lists (older builds of the data). */
export async function pruneCachedShards(keep: readonly ShardEntry[]): Promise<void> {
  const wanted = new Set(keep.map((entry) => shardKey(entry.name)));
  const stale = (await area.names()).filter((name) => name.startsWith(MNIST_CACHE_NAMES.shardPrefix) && !wanted.has(name));
  await Promise.all(stale.map((name) => area.delete(name)));
}

/** The last manifest that loaded successfully (lets the studio start offline). */
export function readCachedManifest(): Promise<unknown> {
  return area.get<unknown>(MNIST_CACHE_NAMES.manifest);
}

/** Remembers a manifest that loaded successfully. */
export function writeCachedManifest(manifest: unknown): Promise<void> {
  return area.set(MNIST_CACHE_NAMES.manifest, manifest);
}

/** Deletes every cached MNIST shard and manifest; the next load downloads everything. */
export function clearMnistCache(): Promise<void> {
  return area.clear();
}
