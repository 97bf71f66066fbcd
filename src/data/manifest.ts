import { shardRawBytes } from './shard';

/** The manifest's format tag and version; a loader refuses any other. */
export const MANIFEST_FORMAT = { name: 'filenest-mnist-shards', version: 1 } as const;

/** Where the manifest lives, relative to the page (the app is built with a relative base). */
const MANIFEST_PATH = 'data/mnist/manifest.json';

/** MNIST's two splits, in the order the manifest lists them. */
export const SPLITS = ['train', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

/** One gzip shard: a contiguous run of one split's examples. */
export interface ShardEntry {
  /** File name beside the manifest; also the shard's cache key. */
  name: string;
  split: SplitName;
  /** Index of the shard's first example within its split. */
  first: number;
  count: number;
  /** Size of the gzip file, and SHA-256 (hex) of exactly those bytes. */
  bytes: number;
  sha256: string;
  /** Size once gunzipped: an IDX image file followed by an IDX label file. */
  rawBytes: number;
}

/** `manifest.json` as written by `npm run data`. */
export interface MnistManifest {
  format: typeof MANIFEST_FORMAT.name;
  version: typeof MANIFEST_FORMAT.version;
  /** Human-readable description of what a shard holds. */
  layout: string;
  splits: Record<SplitName, { count: number }>;
  shards: ShardEntry[];
  totals: { bytes: number; rawBytes: number };
  /** Where the data came from: the package and the MD5 of each original IDX file. */
  source: { package: string; files: Record<string, { bytes: number; md5: string }> };
  /** What the build step hashed to decide the shards are up to date. */
  build: { generator: number; inputKey: string };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`manifest: ${what} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`manifest: ${what} must be a string`);
  return value;
}

function shardEntry(value: unknown, index: number): ShardEntry {
  const what = `shards[${index}]`;
  if (!isObject(value)) throw new Error(`manifest: ${what} must be an object`);
  const name = text(value.name, `${what}.name`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name.includes('..')) {
    throw new Error(`manifest: ${what}.name ${JSON.stringify(name)} is not a plain file name`);
  }
  const split = value.split;
  if (split !== 'train' && split !== 'test') throw new Error(`manifest: ${name}.split must be "train" or "test"`);
  const sha256 = text(value.sha256, `${name}.sha256`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`manifest: ${name}.sha256 is not 64 lower-case hex digits`);
  const entry: ShardEntry = {
    name,
    split,
    first: count(value.first, `${name}.first`),
    count: count(value.count, `${name}.count`),
    bytes: count(value.bytes, `${name}.bytes`),
    sha256,
    rawBytes: count(value.rawBytes, `${name}.rawBytes`),
  };
  if (entry.count === 0) throw new Error(`manifest: ${name} holds no examples`);
  if (entry.rawBytes !== shardRawBytes(entry.count)) {
    throw new Error(`manifest: ${name}.rawBytes is ${entry.rawBytes}, ${entry.count} examples unpack to ${shardRawBytes(entry.count)}`);
  }
  return entry;
}

/** Checks parsed `manifest.json` and returns it typed: format, names, hashes, and that shards tile each split. */
export function validateManifest(value: unknown): MnistManifest {
  if (!isObject(value)) throw new Error('manifest: not a JSON object');
  if (value.format !== MANIFEST_FORMAT.name || value.version !== MANIFEST_FORMAT.version) {
    throw new Error(
      `manifest: format ${JSON.stringify(value.format)} v${JSON.stringify(value.version)}, ` +
        `expected ${MANIFEST_FORMAT.name} v${MANIFEST_FORMAT.version} (rebuild with \`npm run data\`)`,
    );
  }
  if (!isObject(value.splits)) throw new Error('manifest: splits must be an object');
  const splitValues = value.splits;
  if (!Array.isArray(value.shards) || value.shards.length === 0) throw new Error('manifest: shards must be a non-empty list');
  const shards = value.shards.map(shardEntry);
  const names = new Set<string>();
  for (const shard of shards) {
    if (names.has(shard.name)) throw new Error(`manifest: shard ${shard.name} is listed twice`);
    names.add(shard.name);
  }
  const splits = {} as Record<SplitName, { count: number }>;
  for (const split of SPLITS) {
    const entry = splitValues[split];
    const total = count(isObject(entry) ? entry.count : undefined, `splits.${split}.count`);
    let next = 0;
    for (const shard of shards.filter((s) => s.split === split).sort((a, b) => a.first - b.first)) {
      if (shard.first !== next) throw new Error(`manifest: ${shard.name} starts at example ${shard.first}, expected ${next}`);
      next += shard.count;
    }
    if (next !== total) throw new Error(`manifest: ${split} shards hold ${next} examples, splits.${split}.count says ${total}`);
    splits[split] = { count: total };
  }
  const totals = isObject(value.totals) ? value.totals : {};
  const bytes = shards.reduce((sum, shard) => sum + shard.bytes, 0);
  if (totals.bytes !== bytes) throw new Error(`manifest: totals.bytes is ${JSON.stringify(totals.bytes)}, the shards add up to ${bytes}`);
  const source = isObject(value.source) ? value.source : {};
  const build = isObject(value.build) ? value.build : {};
  return {
    format: MANIFEST_FORMAT.name,
    version: MANIFEST_FORMAT.version,
    layout: typeof value.layout === 'string' ? value.layout : '',
    splits,
    shards,
    totals: {
      bytes: count(totals.bytes, 'totals.bytes'),
      rawBytes: count(totals.rawBytes, 'totals.rawBytes'),
    },
    source: {
      package: typeof source.package === 'string' ? source.package : '',
      files: isObject(source.files) ? (source.files as MnistManifest['source']['files']) : {},
    },
    build: {
      generator: typeof build.generator === 'number' ? build.generator : 0,
      inputKey: typeof build.inputKey === 'string' ? build.inputKey : '',
    },
  };
}

/** The manifest's URL for a page or Worker whose base is `baseUri` (e.g. `document.baseURI`). */
export function mnistManifestUrl(baseUri: string): string {
  return new URL(MANIFEST_PATH, baseUri).href;
}
