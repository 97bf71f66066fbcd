/** Digits as a person draws them on the pad: strokes of points, each a fraction of the pad's width and height. */

export type Point = [number, number];

/** A digit: its strokes, in the order they are drawn. */
export type Strokes = readonly (readonly Point[])[];

/** A "1": one vertical stroke, slightly slanted as people write it. */
export const ONE: Strokes = [[[0.52, 0.18], [0.5, 0.5], [0.48, 0.82]]];
/** A "0": one closed ellipse. */
export const ZERO: Strokes = [
  Array.from({ length: 41 }, (_, i): Point => {
    const angle = (i / 40) * 2 * Math.PI - Math.PI / 2;
    return [0.5 + 0.2 * Math.cos(angle), 0.5 + 0.3 * Math.sin(angle)];
  }),
];
/** A "7": a top bar, then a diagonal down to the left. */
export const SEVEN: Strokes = [
  [[0.3, 0.22], [0.7, 0.22]],
  [[0.7, 0.22], [0.55, 0.5], [0.42, 0.8]],
];
