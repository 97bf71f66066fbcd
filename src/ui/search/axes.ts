/**
 * Chart axes computed here rather than by recharts: recharts keys each tick by its value, and on
 * a degenerate domain (one epoch, one trial, one lr) it repeats a tick value, which React reports
 * as duplicate keys on every render. These ticks are always distinct, and a domain never empty.
 */

/** A numeric axis: its domain and its tick values (distinct, ascending). */
export interface Axis {
  domain: [number, number];
  ticks: number[];
}

const round = (value: number) => Number(value.toPrecision(3));
const distinct = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);

/** A linear axis over `values` with about `count` ticks; a single value gets some room either side. */
export function linearAxis(values: readonly number[], count = 5): Axis {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { domain: [0, 1], ticks: [0, 1] };
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi - lo < 1e-9) {
    const room = Math.max(Math.abs(lo) * 0.05, 0.01);
    lo -= room;
    hi += room;
  }
  const ticks = distinct(Array.from({ length: count }, (_, i) => round(lo + ((hi - lo) * i) / (count - 1))));
  return { domain: [Math.min(lo, ticks[0] ?? lo), Math.max(hi, ticks.at(-1) ?? hi)], ticks };
}

/** A log axis over positive `values`: ticks at the powers of ten inside, or at its ends. */
export function logAxis(values: readonly number[]): Axis {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  if (positive.length === 0) return { domain: [1e-4, 1e-2], ticks: [1e-4, 1e-3, 1e-2] };
  let lo = Math.min(...positive);
  let hi = Math.max(...positive);
  if (hi / lo < 1.01) {
    lo /= 2;
    hi *= 2;
  }
  const decades: number[] = [];
  for (let p = Math.ceil(Math.log10(lo)); p <= Math.floor(Math.log10(hi)); p++) decades.push(Number(`1e${p}`));
  const ticks = distinct(decades.length >= 2 ? decades : [round(lo), ...decades, round(hi)]);
  return { domain: [Math.min(lo, ticks[0] ?? lo), Math.max(hi, ticks.at(-1) ?? hi)], ticks };
}

/** The epoch axis of a chart that has reached `lastEpoch`: whole epochs from 1, at most ~10 ticks. */
export function epochAxis(lastEpoch: number): Axis {
  const last = Math.max(2, Math.ceil(lastEpoch));
  const step = Math.max(1, Math.ceil(last / 10));
  const ticks = distinct([...Array.from({ length: Math.floor((last - 1) / step) + 1 }, (_, i) => 1 + i * step), last]);
  return { domain: [1, last], ticks };
}
