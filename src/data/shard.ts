import { IDX_MAGIC, IMAGE_PIXELS, IMAGE_SIDE, parseIdxImages, parseIdxLabels, type MnistSplit } from './idx';

/*
 * A shard, once gunzipped, is two complete IDX files back to back: an image file (magic 2051,
 * `count` x 28 x 28) followed by its label file (magic 2049, `count` labels). Keeping the IDX
 * headers means every shard is checked by the same parser as the original files.
 */

/** Byte length of an unpacked shard holding `count` examples. */
export function shardRawBytes(count: number): number {
  return 16 + count * IMAGE_PIXELS + 8 + count;
}

/** Packs examples [first, first + count) of a split into one unpacked shard (IDX images ++ IDX labels). */
export function encodeShard(split: MnistSplit, first: number, count: number): Uint8Array {
  if (first < 0 || count <= 0 || first + count > split.count) {
    throw new Error(`shard [${first}, ${first + count}) lies outside a split of ${split.count}`);
  }
  const raw = new Uint8Array(shardRawBytes(count));
  const view = new DataView(raw.buffer);
  view.setUint32(0, IDX_MAGIC.images);
  view.setUint32(4, count);
  view.setUint32(8, IMAGE_SIDE);
  view.setUint32(12, IMAGE_SIDE);
  raw.set(split.images.subarray(first * IMAGE_PIXELS, (first + count) * IMAGE_PIXELS), 16);
  const labelsAt = 16 + count * IMAGE_PIXELS;
  view.setUint32(labelsAt, IDX_MAGIC.labels);
  view.setUint32(labelsAt + 4, count);
  raw.set(split.labels.subarray(first, first + count), labelsAt + 8);
  return raw;
}

/** Unpacks one shard, checking both IDX headers and that it holds exactly `count` examples. */
export function decodeShard(raw: Uint8Array, count: number, name: string): MnistSplit {
  if (raw.byteLength !== shardRawBytes(count)) {
    throw new Error(`${name}: unpacked shard is ${raw.byteLength} bytes, expected ${shardRawBytes(count)} for ${count} examples`);
  }
  const labelsAt = 16 + count * IMAGE_PIXELS;
  const images = parseIdxImages(raw.subarray(0, labelsAt), `${name} images`);
  const labels = parseIdxLabels(raw.subarray(labelsAt), `${name} labels`);
  if (images.count !== count || labels.count !== count) {
    throw new Error(`${name}: holds ${images.count} images and ${labels.count} labels, the manifest says ${count}`);
  }
  return { count, images: images.pixels, labels: labels.labels };
}

/** How many examples of each digit 0..9 a label array holds. */
export function labelHistogram(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
