/** IDX magic numbers: unsigned-byte images (rank 3) and labels (rank 1). */
export const IDX_MAGIC = { images: 2051, labels: 2049 } as const;

/** MNIST's image side, in pixels. */
export const IMAGE_SIDE = 28;
/** Pixels in one MNIST image. */
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;

/** A split of MNIST: raw pixels (0..255, row-major, one image after another) and labels 0..9. */
export interface MnistSplit {
  count: number;
  images: Uint8Array;
  labels: Uint8Array;
}

function header(bytes: Uint8Array, words: number, what: string): DataView {
  if (bytes.byteLength < words * 4) {
    throw new Error(`${what}: file is ${bytes.byteLength} bytes, shorter than its ${words * 4}-byte IDX header`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Parses an IDX image file (magic 2051), checking its magic, dimensions and length. */
export function parseIdxImages(bytes: Uint8Array, what = 'images'): { count: number; pixels: Uint8Array } {
  const view = header(bytes, 4, what);
  const magic = view.getUint32(0);
  if (magic !== IDX_MAGIC.images) {
    throw new Error(`${what}: magic number is ${magic}, expected ${IDX_MAGIC.images} (an IDX image file)`);
  }
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  if (rows !== IMAGE_SIDE || cols !== IMAGE_SIDE) {
    throw new Error(`${what}: images are ${rows}x${cols}, expected ${IMAGE_SIDE}x${IMAGE_SIDE}`);
  }
  const expected = 16 + count * IMAGE_PIXELS;
  if (bytes.byteLength !== expected) {
    throw new Error(`${what}: ${count} images need ${expected} bytes, the file has ${bytes.byteLength} (truncated or padded)`);
  }
  return { count, pixels: bytes.subarray(16) };
}

/** Parses an IDX label file (magic 2049), checking its magic, length and that every label is 0..9. */
export function parseIdxLabels(bytes: Uint8Array, what = 'labels'): { count: number; labels: Uint8Array } {
  const view = header(bytes, 2, what);
  const magic = view.getUint32(0);
  if (magic !== IDX_MAGIC.labels) {
    throw new Error(`${what}: magic number is ${magic}, expected ${IDX_MAGIC.labels} (an IDX label file)`);
  }
  const count = view.getUint32(4);
  const expected = 8 + count;
  if (bytes.byteLength !== expected) {
    throw new Error(`${what}: ${count} labels need ${expected} bytes, the file has ${bytes.byteLength} (truncated or padded)`);
  }
  const labels = bytes.subarray(8);
  const bad = labels.findIndex((label) => label > 9);
  if (bad >= 0) throw new Error(`${what}: label ${bad} is ${labels[bad]}, expected 0..9`);
  return { count, labels };
}

/** Joins an image file and a label file into one split, checking that their counts agree. */
export function parseIdxSplit(imageBytes: Uint8Array, labelBytes: Uint8Array, name: string): MnistSplit {
  const images = parseIdxImages(imageBytes, `${name} images`);
  const labels = parseIdxLabels(labelBytes, `${name} labels`);
  if (images.count !== labels.count) {
    throw new Error(`${name}: ${images.count} images but ${labels.count} labels`);
  }
  return { count: images.count, images: images.pixels, labels: labels.labels };
}
