import { PEN, type Stroke, type StrokePoint } from './strokes';

/** A small, seeded PRNG (mulberry32), so synthetic strokes are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A hand-like stroke: `path` sampled at `samples` points with a little seeded jitter and pen pressure. */
export function handStroke(path: (t: number) => { x: number; y: number }, samples: number, random: () => number, jitter = 1): Stroke {
  const points: StrokePoint[] = [];
  for (let i = 0; i < samples; i++) {
    const { x, y } = path(i / (samples - 1));
    points.push({ x: x + (random() - 0.5) * jitter, y: y + (random() - 0.5) * jitter, pressure: 0.3 + 0.4 * random() });
  }
  return points;
}

/** Pen-up-to-pen-down line from (x0, y0) to (x1, y1). */
export function line(x0: number, y0: number, x1: number, y1: number): (t: number) => { x: number; y: number } {
  return (t) => ({ x: x0 + (x1 - x0) * t, y: y0 + (y1 - y0) * t });
}

/** An ellipse around (cx, cy) with radii rx, ry, traced once. */
export function ellipse(cx: number, cy: number, rx: number, ry: number): (t: number) => { x: number; y: number } {
  return (t) => ({ x: cx + rx * Math.sin(2 * Math.PI * t), y: cy - ry * Math.cos(2 * Math.PI * t) });
}

/** The pad's side, for tests that rasterise on the pad's grid. */
export const PAD = PEN.padSize;
