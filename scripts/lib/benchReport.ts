/** The benchmark's output: one JSON line per backend and batch, a readable table, ratios to PyTorch. */
import type { Measurement } from '../../src/bench/protocol';

/** One backend at one batch size, as printed (snake_case, the keys the issue names). */
export interface BenchRow {
  backend: string;
  /** `fused` (the studio's WebGPU kernels), `tfjs` (tfjs ops), or the PyTorch variant's mode. */
  engine: string;
  adapter: string;
  runtime: string;
  batch: number;
  samples_per_s: number;
  ms_per_step: number;
  first_step_ms: number;
  dispatches_per_step: number | null;
  steps: number;
}

/** Studio throughput over a PyTorch variant's, at one batch size. */
export interface BenchRatio {
  batch: number;
  studio: string;
  torch: string;
  ratio: number;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** A studio measurement as a printed row. */
export function rowOf(measurement: Measurement, runtime: string): BenchRow {
  return {
    backend: measurement.backend,
    engine: measurement.engine,
    adapter: measurement.adapter,
    runtime,
    batch: measurement.batch,
    samples_per_s: measurement.samplesPerSecond,
    ms_per_step: measurement.msPerStep,
    first_step_ms: measurement.firstStepMs,
    dispatches_per_step: measurement.dispatchesPerStep,
    steps: measurement.steps,
  };
}

/** One row as a JSON line, keys in a fixed order and figures rounded to what the timing supports. */
export function jsonLine(row: BenchRow): string {
  return JSON.stringify({
    backend: row.backend,
    engine: row.engine,
    adapter: row.adapter,
    runtime: row.runtime,
    batch: row.batch,
    samples_per_s: round(row.samples_per_s, 1),
    ms_per_step: round(row.ms_per_step, 3),
    first_step_ms: round(row.first_step_ms, 1),
    dispatches_per_step: row.dispatches_per_step,
    steps: row.steps,
  });
}

/** Reads a JSON line the PyTorch script printed; throws on anything that is not a row. */
export function parseRow(line: string): BenchRow {
  const value = JSON.parse(line) as Partial<BenchRow>;
  const numbers = ['batch', 'samples_per_s', 'ms_per_step', 'first_step_ms', 'steps'] as const;
  if (typeof value.backend !== 'string' || typeof value.adapter !== 'string' || typeof value.runtime !== 'string') {
    throw new Error(`not a benchmark row: ${line}`);
  }
  for (const key of numbers) {
    if (typeof value[key] !== 'number') throw new Error(`benchmark row without a numeric ${key}: ${line}`);
  }
  return {
    backend: value.backend,
    engine: typeof value.engine === 'string' ? value.engine : 'torch',
    adapter: value.adapter,
    runtime: value.runtime,
    batch: value.batch as number,
    samples_per_s: value.samples_per_s as number,
    ms_per_step: value.ms_per_step as number,
    first_step_ms: value.first_step_ms as number,
    dispatches_per_step: typeof value.dispatches_per_step === 'number' ? value.dispatches_per_step : null,
    steps: value.steps as number,
  };
}

const isTorch = (row: BenchRow): boolean => row.backend.startsWith('torch-');

/** A studio row's name in ratios and the table: the backend for tfjs ops, else the engine (`fused-cpu`). */
const studioName = (row: BenchRow): string => (row.engine === 'tfjs' || isTorch(row) ? row.backend : row.engine);

/** Every studio row over every PyTorch row of the same batch size, in batch then row order. */
export function ratios(rows: readonly BenchRow[]): BenchRatio[] {
  const batches = [...new Set(rows.map((row) => row.batch))].sort((a, b) => a - b);
  return batches.flatMap((batch) => {
    const torch = rows.filter((row) => row.batch === batch && isTorch(row) && row.samples_per_s > 0);
    const studio = rows.filter((row) => row.batch === batch && !isTorch(row));
    return studio.flatMap((s) => torch.map((t) => ({ batch, studio: studioName(s), torch: t.backend, ratio: s.samples_per_s / t.samples_per_s })));
  });
}

/** A ratio in words, e.g. `wasm / torch-cpu = 0.15x`. */
export function ratioText(ratio: BenchRatio): string {
  const value = ratio.ratio >= 10 ? ratio.ratio.toFixed(1) : ratio.ratio >= 0.1 ? ratio.ratio.toFixed(2) : ratio.ratio.toPrecision(2);
  return `${ratio.studio} / ${ratio.torch} = ${value}x`;
}

/** A ratio as a JSON line. */
export function ratioJsonLine(ratio: BenchRatio): string {
  return JSON.stringify({ kind: 'ratio', batch: ratio.batch, studio: ratio.studio, torch: ratio.torch, ratio: round(ratio.ratio, 4) });
}

const figure = (value: number): string => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 2));

/** The rows as an aligned text table, for people. */
export function table(rows: readonly BenchRow[]): string {
  const header = ['backend', 'batch', 'samples/s', 'ms/step', 'first step ms', 'dispatches/step', 'steps', 'adapter'];
  const body = rows.map((row) => [
    studioName(row),
    String(row.batch),
    figure(row.samples_per_s),
    figure(row.ms_per_step),
    figure(row.first_step_ms),
    row.dispatches_per_step === null ? '-' : String(row.dispatches_per_step),
    String(row.steps),
    row.adapter,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]?.length ?? 0)));
  const numeric = new Set([1, 2, 3, 4, 5, 6]);
  const line = (cells: string[]): string =>
    cells.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}
