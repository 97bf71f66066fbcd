import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MNIST_FILES, mnistDataDir, readMnistSplit } from '../../scripts/lib/nodeMnist';
import { IMAGE_PIXELS, parseIdxImages, parseIdxLabels, parseIdxSplit } from './idx';

const file = (name: string) => new Uint8Array(readFileSync(join(mnistDataDir(), name)));

function withWord(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value);
  return copy;
}

describe('IDX parsing', () => {
  it('reads the original MNIST files: 60,000 train and 10,000 test, 28x28, labels 0..9', () => {
    const train = readMnistSplit('train');
    const test = readMnistSplit('test');
    expect(train.count).toBe(60_000);
    expect(test.count).toBe(10_000);
    expect(train.images.byteLength).toBe(60_000 * IMAGE_PIXELS);
    expect(test.labels.byteLength).toBe(10_000);
    // The first training digits of MNIST are the well-known 5, 0, 4, 1, 9.
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(test.labels.subarray(0, 3))).toEqual([7, 2, 1]);
  });

  const images = file(MNIST_FILES.test.images);
  const labels = file(MNIST_FILES.test.labels);

  it('rejects a bad magic number, naming the file', () => {
    expect(() => parseIdxImages(withWord(images, 0, 2049), 'test images')).toThrow(/test images: magic number is 2049, expected 2051/);
    expect(() => parseIdxLabels(withWord(labels, 0, 2051), 'test labels')).toThrow(/magic number is 2051, expected 2049/);
  });

  it('rejects truncated files and files shorter than a header', () => {
    expect(() => parseIdxImages(images.subarray(0, images.byteLength - 1))).toThrow(/truncated or padded/);
    expect(() => parseIdxLabels(labels.subarray(0, 9_000))).toThrow(/truncated or padded/);
    expect(() => parseIdxImages(images.subarray(0, 10))).toThrow(/shorter than its 16-byte IDX header/);
  });

  it('rejects a header count that disagrees with the file length', () => {
    expect(() => parseIdxImages(withWord(images, 4, 10_001))).toThrow(/10001 images need/);
    expect(() => parseIdxLabels(withWord(labels, 4, 9_999))).toThrow(/9999 labels need/);
  });

  it('rejects images that are not 28x28', () => {
    expect(() => parseIdxImages(withWord(images, 8, 32))).toThrow(/32x28, expected 28x28/);
  });

  it('rejects labels outside 0..9', () => {
    const bad = labels.slice();
    bad[8 + 17] = 10;
    expect(() => parseIdxLabels(bad)).toThrow(/label 17 is 10/);
  });

  it('rejects a split whose image and label counts differ', () => {
    const fewerLabels = withWord(labels.subarray(0, 8 + 9_999), 4, 9_999);
    expect(() => parseIdxSplit(images, fewerLabels, 'test')).toThrow(/test: 10000 images but 9999 labels/);
  });
});
