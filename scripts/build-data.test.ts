import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { validateManifest } from '../src/data/manifest';
import { MNIST_FILES, mnistDataDir } from './lib/nodeMnist';
import { buildMnistShards } from './lib/mnistShards';

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

describe('npm run data', () => {
  it('cuts the original IDX files into verified gzip shards that unpack back to the same bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'digit-studio-build-'));
    const outcome = await buildMnistShards(dir);
    expect(outcome.state).toBe('built');
    const manifest = validateManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
    expect(manifest.splits).toEqual({ train: { count: 60_000 }, test: { count: 10_000 } });
    expect(manifest.shards.map((s) => s.name)).toEqual([
      'train-00.bin', 'train-01.bin', 'train-02.bin', 'train-03.bin', 'train-04.bin', 'train-05.bin', 'test-00.bin',
    ]);
    // The original files are the well-known MNIST (DESIGN.md section 5).
    expect(manifest.source.files).toEqual({
      'train-images-idx3-ubyte': { bytes: 47_040_016, md5: '6bbc9ace898e44ae57da46a324031adb' },
      'train-labels-idx1-ubyte': { bytes: 60_008, md5: 'a25bea736e30d166cdddb491f175f624' },
      't10k-images-idx3-ubyte': { bytes: 7_840_016, md5: '2646ac647ad5339dbf082846283269ea' },
      't10k-labels-idx1-ubyte': { bytes: 10_008, md5: '27ae3e4e09519cfbb04c329615203637' },
    });

    for (const split of ['train', 'test'] as const) {
      const imageParts: Buffer[] = [];
      const labelParts: Buffer[] = [];
      for (const shard of manifest.shards.filter((s) => s.split === split)) {
        const packed = readFileSync(join(dir, shard.name));
        expect(packed.byteLength).toBe(shard.bytes);
        expect(createHash('sha256').update(packed).digest('hex')).toBe(shard.sha256);
        const raw = gunzipSync(packed);
        expect(raw.byteLength).toBe(shard.rawBytes);
        const labelsAt = 16 + shard.count * 784;
        imageParts.push(raw.subarray(16, labelsAt));
        labelParts.push(raw.subarray(labelsAt + 8));
      }
      const original = MNIST_FILES[split];
      const images = readFileSync(join(mnistDataDir(), original.images));
      const labels = readFileSync(join(mnistDataDir(), original.labels));
      expect(Buffer.concat(imageParts).equals(images.subarray(16))).toBe(true);
      expect(Buffer.concat(labelParts).equals(labels.subarray(8))).toBe(true);
      expect(md5(images)).toBe(manifest.source.files[original.images]?.md5);
    }

    const again = await buildMnistShards(dir);
    expect(again.state).toBe('up-to-date');
    rmSync(join(dir, 'test-00.bin'));
    expect((await buildMnistShards(dir)).state).toBe('built');
    expect(statSync(join(dir, 'test-00.bin')).size).toBe(manifest.shards[6]?.bytes);
  });

  it('runs from the command line, writing where --out says and skipping when up to date', () => {
    const dir = mkdtempSync(join(tmpdir(), 'digit-studio-cli-'));
    const run = () => execFileSync('npx', ['tsx', 'scripts/build-data.ts', '--out', dir], { encoding: 'utf8' });
    expect(run()).toMatch(/Built 7 MNIST shards .*60000 train, 10000 test/);
    expect(run()).toMatch(/up to date \(7 shards/);
  });
});
