/**
 * MNIST-style preprocessing of a drawn digit, as LeCun et al. built the dataset from NIST: crop to
 * the ink, fit the longer side into a 20 px box with anti-aliasing (keeping the aspect ratio), then
 * place that patch in a 28x28 frame so that its centre of mass falls on the frame's centre.
 * Pure TypeScript: no DOM, so it runs in the page, a Worker and Node tests alike.
 */

/** MNIST's geometry: the frame side, the box the digit is fitted into, the centre-of-mass target. */
export const MNIST_LAYOUT = { frame: 28, box: 20, center: 14 } as const;

/** A grayscale ink image: row-major, 0 (no ink) .. 1 (full ink), any size. */
export interface InkImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
}

/** An axis-aligned rectangle in pixels. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A point in pixel-index coordinates (pixel `i` has coordinate `i`, as `scipy.ndimage` counts). */
export interface PixelPoint {
  x: number;
  y: number;
}

/** The 28x28 input a model sees, and how it was made from the drawing. */
export interface ModelInput {
  /** 784 values, row-major, white ink (1) on black (0): the training data's raw pixel / 255. */
  pixels: Float32Array;
  /** The ink's bounding box in the source image. */
  bbox: PixelRect;
  /** Source pixels to frame pixels: the longer side of `bbox` times `scale` is 20. */
  scale: number;
  /** Where the scaled patch's top-left corner sits in the 28x28 frame. */
  offset: PixelPoint;
  /** The centre of mass of `pixels`, within half a pixel of (14, 14) unless the frame clamped it. */
  centerOfMass: PixelPoint;
}

/** Knobs of {@link preprocessInk}; the defaults reproduce MNIST. */
export interface PreprocessOptions {
  /** Ink below this level does not count towards the bounding box (canvas anti-aliasing haze). */
  threshold?: number;
  /** Rescale so that the strongest pixel is 1: 90% of MNIST digits peak at exactly 255. */
  normalizePeak?: boolean;
}

const DEFAULTS: Required<PreprocessOptions> = { threshold: 0.1, normalizePeak: true };

/** The bounding box of the pixels at or above `threshold`, or null when there are none. */
export function inkBoundingBox(ink: InkImage, threshold = DEFAULTS.threshold): PixelRect | null {
  let x0 = ink.width;
  let y0 = ink.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < ink.height; y++) {
    const row = y * ink.width;
    for (let x = 0; x < ink.width; x++) {
      if ((ink.data[row + x] ?? 0) < threshold) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** One output pixel's sources along an axis: source indices and the share of each (summing to ≤ 1). */
interface Tap {
  index: number;
  weight: number;
}

/**
 * Box-filter (area-averaging) taps for resampling `sourceLength` pixels by `scale`: output pixel
 * `o` covers source span [o/scale, (o+1)/scale), and each source pixel contributes the fraction of
 * that span it overlaps. An output pixel that hangs past the source's end gets less than full
 * weight, which is what anti-aliases the patch's short side.
 */
function boxTaps(sourceLength: number, scale: number, outputLength: number): Tap[][] {
  const span = 1 / scale;
  const taps: Tap[][] = [];
  for (let o = 0; o < outputLength; o++) {
    const start = o * span;
    const end = Math.min(start + span, sourceLength);
    const row: Tap[] = [];
    for (let i = Math.floor(start); i < end; i++) {
      const overlap = Math.min(end, i + 1) - Math.max(start, i);
      if (overlap > 0) row.push({ index: i, weight: overlap / span });
    }
    taps.push(row);
  }
  return taps;
}

/** Resamples the `rect` of `ink` by `scale` with a separable box filter; returns the patch. */
function resampleBox(ink: InkImage, rect: PixelRect, scale: number): { data: Float32Array; width: number; height: number } {
  // A hair under the exact product so that 20.000000001 does not grow a 21st, empty column.
  const width = Math.max(1, Math.ceil(rect.width * scale - 1e-6));
  const height = Math.max(1, Math.ceil(rect.height * scale - 1e-6));
  const columns = boxTaps(rect.width, scale, width);
  const rows = boxTaps(rect.height, scale, height);

  const horizontal = new Float32Array(width * rect.height);
  for (let y = 0; y < rect.height; y++) {
    const source = (rect.y + y) * ink.width + rect.x;
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (const tap of columns[x] ?? []) sum += (ink.data[source + tap.index] ?? 0) * tap.weight;
      horizontal[y * width + x] = sum;
    }
  }
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (const tap of rows[y] ?? []) {
      const source = tap.index * width;
      for (let x = 0; x < width; x++) data[y * width + x]! += horizontal[source + x]! * tap.weight;
    }
  }
  return { data, width, height };
}

/** The intensity-weighted mean pixel index of a patch (its centre of mass), or null if it is blank. */
export function centerOfMass(data: ArrayLike<number>, width: number, height: number): PixelPoint | null {
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x] ?? 0;
      mass += v;
      sumX += v * x;
      sumY += v * y;
    }
  }
  return mass > 0 ? { x: sumX / mass, y: sumY / mass } : null;
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}

/**
 * Turns a drawing into the 28x28 input a model trained on MNIST expects: crop to the ink, scale the
 * longer side to 20 px with a box filter, shift by whole pixels so the centre of mass lands on
 * (14, 14) (clamped to keep the patch inside the frame). Returns null for a blank drawing.
 */
export function preprocessInk(ink: InkImage, options: PreprocessOptions = {}): ModelInput | null {
  const { threshold, normalizePeak } = { ...DEFAULTS, ...options };
  const bbox = inkBoundingBox(ink, threshold);
  if (!bbox) return null;

  const { frame, box, center } = MNIST_LAYOUT;
  const scale = box / Math.max(bbox.width, bbox.height);
  const patch = resampleBox(ink, bbox, scale);

  let peak = 0;
  for (const v of patch.data) peak = Math.max(peak, v);
  if (peak <= 0) return null;
  const gain = normalizePeak ? 1 / peak : 1;
  for (let i = 0; i < patch.data.length; i++) patch.data[i] = Math.min(1, Math.max(0, patch.data[i]! * gain));

  const patchCenter = centerOfMass(patch.data, patch.width, patch.height) ?? { x: patch.width / 2, y: patch.height / 2 };
  // Whole-pixel shifts, as MNIST did: no second resampling to blur the digit.
  const offset = {
    x: clamp(Math.round(center - patchCenter.x), 0, frame - patch.width),
    y: clamp(Math.round(center - patchCenter.y), 0, frame - patch.height),
  };

  const pixels = new Float32Array(frame * frame);
  for (let y = 0; y < patch.height; y++) {
    pixels.set(patch.data.subarray(y * patch.width, (y + 1) * patch.width), (y + offset.y) * frame + offset.x);
  }
  return {
    pixels,
    bbox,
    scale,
    offset,
    centerOfMass: { x: patchCenter.x + offset.x, y: patchCenter.y + offset.y },
  };
}
