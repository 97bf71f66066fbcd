/**
 * The accuracy table of `npm run accuracy`: per-epoch test accuracy of the studio and of PyTorch
 * over several seeds, as mean and spread (min to max), and the two checks the studio is held to:
 * its mean at the last epoch within FINAL_TOLERANCE_POINTS of PyTorch's, and inside PyTorch's seed
 * spread at the first epochs, where a wrong step shows before the curves flatten.
 */

export const RUNNERS = ['studio', 'pytorch'] as const;
export type Runner = (typeof RUNNERS)[number];

/** One epoch of one seed's run. */
export interface AccuracyRow {
  runner: Runner;
  seed: number;
  epoch: number;
  val_acc: number;
  time_s: number;
}

/** Mean and spread of one runner's accuracy at one epoch, over its seeds (fractions, not points). */
export interface Spread {
  mean: number;
  min: number;
  max: number;
  seeds: number;
}

export interface EpochSummary {
  epoch: number;
  studio: Spread | null;
  pytorch: Spread | null;
}

/** Largest gap, in percentage points, between the means at the last epoch. */
export const FINAL_TOLERANCE_POINTS = 0.15;
/** Epochs at which the studio's mean must lie inside PyTorch's seed spread. */
export const EARLY_EPOCHS = [1, 2, 3] as const;

function spread(values: number[]): Spread | null {
  if (values.length === 0) return null;
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values), seeds: values.length };
}

/** Per-epoch mean and spread of each runner, for every epoch either ran. */
export function summarize(rows: readonly AccuracyRow[]): EpochSummary[] {
  const epochs = [...new Set(rows.map((r) => r.epoch))].sort((a, b) => a - b);
  const of = (runner: Runner, epoch: number) => spread(rows.filter((r) => r.runner === runner && r.epoch === epoch).map((r) => r.val_acc));
  return epochs.map((epoch) => ({ epoch, studio: of('studio', epoch), pytorch: of('pytorch', epoch) }));
}

export interface AccuracyChecks {
  /** The last epoch both ran, and the studio's mean minus PyTorch's there, in points. */
  finalEpoch: number | null;
  finalGapPoints: number | null;
  finalOk: boolean;
  early: { epoch: number; inside: boolean }[];
  ok: boolean;
}

/** The studio's mean is inside PyTorch's [min, max] at this epoch (both must have run it). */
function insideSpread(row: EpochSummary | undefined): boolean {
  if (!row?.studio || !row.pytorch) return false;
  return row.studio.mean >= row.pytorch.min && row.studio.mean <= row.pytorch.max;
}

/** The checks on a summary; epochs either runner lacks fail them. */
export function checkAccuracy(summary: readonly EpochSummary[], finalTolerance = FINAL_TOLERANCE_POINTS): AccuracyChecks {
  const both = summary.filter((s) => s.studio && s.pytorch);
  const last = both.at(-1);
  const finalGapPoints = last?.studio && last.pytorch ? (last.studio.mean - last.pytorch.mean) * 100 : null;
  const finalOk = finalGapPoints !== null && Math.abs(finalGapPoints) <= finalTolerance + 1e-9;
  const early = EARLY_EPOCHS.filter((e) => summary.some((s) => s.epoch === e)).map((epoch) => ({ epoch, inside: insideSpread(summary.find((s) => s.epoch === epoch)) }));
  return { finalEpoch: last?.epoch ?? null, finalGapPoints, finalOk, early, ok: finalOk && early.every((e) => e.inside) };
}

const pct = (v: number): string => (v * 100).toFixed(2);
const cell = (s: Spread | null): string => (s ? `${pct(s.mean)} (${pct(s.min)}-${pct(s.max)})` : '-');

/** A Markdown table: epoch, then each runner's mean (min-max) in percent. */
export function markdownTable(summary: readonly EpochSummary[]): string {
  const seeds = (runner: Runner) => Math.max(0, ...summary.map((s) => s[runner]?.seeds ?? 0));
  const lines = [
    `| epoch | studio, mean (min-max) of ${seeds('studio')} seeds | PyTorch, mean (min-max) of ${seeds('pytorch')} seeds | studio - PyTorch (points) |`,
    '|---:|---:|---:|---:|',
  ];
  for (const s of summary) {
    const gap = s.studio && s.pytorch ? ((s.studio.mean - s.pytorch.mean) * 100).toFixed(2) : '-';
    lines.push(`| ${s.epoch} | ${cell(s.studio)} | ${cell(s.pytorch)} | ${gap} |`);
  }
  return lines.join('\n');
}

/** The checks in words, one line each. */
export function describeChecks(checks: AccuracyChecks, finalTolerance = FINAL_TOLERANCE_POINTS): string[] {
  const lines = [
    checks.finalGapPoints === null
      ? 'final epoch: no epoch that both ran'
      : `epoch ${checks.finalEpoch}: studio - PyTorch = ${checks.finalGapPoints.toFixed(2)} points (within ${finalTolerance}: ${checks.finalOk ? 'yes' : 'NO'})`,
  ];
  for (const e of checks.early) lines.push(`epoch ${e.epoch}: studio mean inside PyTorch's seed spread: ${e.inside ? 'yes' : 'NO'}`);
  return lines;
}
