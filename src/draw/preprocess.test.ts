import { describe, expect, test } from 'vitest';
import { readMnistSplit } from '../../scripts/lib/nodeMnist';
import { centerOfMass, inkBoundingBox, MNIST_LAYOUT, preprocessInk, type ModelInput } from './preprocess';
import { rasteriseStrokes, type Stroke } from './strokes';
import { ellipse, handStroke, line, PAD, seededRandom } from './testShapes';

const { frame, center } = MNIST_LAYOUT;

function preprocessStrokes(strokes: readonly Stroke[], penWidth?: number): ModelInput {
  const ink = rasteriseStrokes(strokes, PAD, PAD, 1, penWidth);
  const input = preprocessInk({ data: ink, width: PAD, height: PAD });
  if (!input) throw new Error('expected ink');
  return input;
}

/** Checks what every MNIST-style input must satisfy, and returns its bounding box in the frame. */
function expectMnistLike(input: ModelInput) {
  expect(input.pixels).toHaveLength(frame * frame);
  for (const v of input.pixels) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  }
  expect(Math.max(...input.pixels)).toBeCloseTo(1, 5);

  const box = inkBoundingBox({ data: input.pixels, width: frame, height: frame }, 0.05);
  expect(box).not.toBeNull();
  expect(Math.abs(Math.max(box!.width, box!.height) - MNIST_LAYOUT.box)).toBeLessThanOrEqual(1);
  // The patch lies wholly inside the frame: nothing was cut at an edge.
  expect(input.offset.x).toBeGreaterThanOrEqual(0);
  expect(input.offset.y).toBeGreaterThanOrEqual(0);

  const mass = centerOfMass(input.pixels, frame, frame)!;
  expect(Math.abs(mass.x - center)).toBeLessThanOrEqual(0.5);
  expect(Math.abs(mass.y - center)).toBeLessThanOrEqual(0.5);
  expect(input.centerOfMass.x).toBeCloseTo(mass.x, 4);
  expect(input.centerOfMass.y).toBeCloseTo(mass.y, 4);

  // Anti-aliased: the edges hold grey levels, not just black and white.
  const grey = input.pixels.filter((v) => v > 0.05 && v < 0.95).length;
  expect(grey).toBeGreaterThanOrEqual(10);
  return box!;
}

describe('preprocessInk on synthetic strokes', () => {
  test('a small digit in a corner is scaled up to 20 px and centred by mass', () => {
    const random = seededRandom(7);
    // A "7" about 60 px tall in the top-left corner of the pad.
    const seven = [handStroke(line(20, 20, 70, 22), 12, random), handStroke(line(70, 22, 40, 80), 14, random)];
    const input = preprocessStrokes(seven);
    expect(input.bbox.x).toBeLessThan(20);
    expect(input.bbox.y).toBeLessThan(20);
    expect(input.bbox.height).toBeGreaterThan(input.bbox.width);
    expectMnistLike(input);
  });

  test('a big, thick digit is scaled down to 20 px with its aspect ratio kept', () => {
    const random = seededRandom(11);
    // A "0" filling most of the pad, drawn with a 40 px pen.
    const zero = [handStroke(ellipse(150, 140, 90, 115), 48, random, 2)];
    const input = preprocessStrokes(zero, 40);
    const box = expectMnistLike(input);
    expect(box.height).toBeGreaterThanOrEqual(19);
    const aspect = input.bbox.width / input.bbox.height;
    expect(Math.abs(box.width / box.height - aspect)).toBeLessThan(0.1);
    expect(input.scale).toBeCloseTo(MNIST_LAYOUT.box / input.bbox.height, 10);
  });

  test('a tall, thin "1" stays thin: the height sets the scale, the width is a couple of pixels', () => {
    const random = seededRandom(3);
    const one = [handStroke(line(205, 25, 195, 255), 20, random)];
    const input = preprocessStrokes(one);
    const box = expectMnistLike(input);
    expect(box.height).toBeGreaterThanOrEqual(19);
    expect(box.width).toBeLessThanOrEqual(4);
  });

  test('a blank pad, or ink too faint to count, gives null', () => {
    expect(preprocessInk({ data: new Float32Array(PAD * PAD), width: PAD, height: PAD })).toBeNull();
    expect(preprocessInk({ data: new Float32Array(PAD * PAD).fill(0.02), width: PAD, height: PAD })).toBeNull();
    expect(preprocessInk({ data: rasteriseStrokes([], PAD, PAD), width: PAD, height: PAD })).toBeNull();
  });

  test('a single dot still yields a centred, in-range input', () => {
    const input = preprocessStrokes([[{ x: 100, y: 100, pressure: 0.5 }]]);
    expect(input.bbox.width).toBeGreaterThan(15);
    const mass = centerOfMass(input.pixels, frame, frame)!;
    expect(Math.abs(mass.x - center)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(mass.y - center)).toBeLessThanOrEqual(0.5);
  });

  test('the same drawing anywhere on the pad gives the same input', () => {
    const random = seededRandom(5);
    const path = handStroke(ellipse(0, 0, 40, 60), 30, random);
    const at = (dx: number, dy: number) => [path.map((p) => ({ ...p, x: p.x + dx, y: p.y + dy }))];
    const a = preprocessStrokes(at(70, 80)).pixels;
    const b = preprocessStrokes(at(190, 200)).pixels;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    // Sub-pixel placement on the pad changes the anti-aliasing a little, never the shape.
    expect(worst).toBeLessThan(0.15);
  });
});

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < a.length; i++) {
    meanA += a[i]!;
    meanB += b[i]!;
  }
  meanA /= a.length;
  meanB /= b.length;
  let cov = 0;
  let varA = 0;
  let varB = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    cov += da * db;
    varA += da * da;
    varB += db * db;
  }
  return cov / Math.sqrt(varA * varB);
}

describe('preprocessInk against real MNIST digits', () => {
  const test10k = readMnistSplit('test');
  const upscale = 10;

  /** Test digit `index` as ink on a 280x280 pad, each MNIST pixel a 10x10 block. */
  function enlarged(index: number): { original: Float32Array; ink: Float32Array } {
    const original = Float32Array.from(test10k.images.subarray(index * 784, (index + 1) * 784), (v) => v / 255);
    const side = frame * upscale;
    const ink = new Float32Array(side * side);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) ink[y * side + x] = original[Math.floor(y / upscale) * frame + Math.floor(x / upscale)]!;
    }
    return { original, ink };
  }

  test('an enlarged MNIST digit comes back as itself (correlation > 0.9)', () => {
    const scores: number[] = [];
    for (let index = 0; index < 20; index++) {
      const { original, ink } = enlarged(index);
      const input = preprocessInk({ data: ink, width: frame * upscale, height: frame * upscale });
      expect(input).not.toBeNull();
      scores.push(correlation(original, input!.pixels));
    }
    for (const score of scores) expect(score).toBeGreaterThan(0.9);
    expect(scores.reduce((a, b) => a + b) / scores.length).toBeGreaterThan(0.95);
  });
});
