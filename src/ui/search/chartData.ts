/** Trials' epoch histories reshaped into the rows recharts draws: one row per epoch, one column per trial series. */
import type { EpochMetrics, TrialRecord } from '../../tune/experiment';

type Metric = 'val_acc' | 'val_loss' | 'train_loss' | 'samples_per_s';

/** The column of a trial's series in a chart row. */
export const seriesKey = (trialId: string, metric: Metric): string => `${trialId}:${metric}`;

/** Rows `{ epoch, '<trial>:<metric>': value }` for every epoch any trial reported. */
export function epochRows(trials: readonly TrialRecord[], metrics: readonly Metric[]): Record<string, number>[] {
  const rows = new Map<number, Record<string, number>>();
  for (const trial of trials) {
    for (const entry of trial.history) {
      const row = rows.get(entry.epoch) ?? { epoch: entry.epoch };
      for (const metric of metrics) {
        const value: EpochMetrics[Metric] = entry[metric];
        if (value !== undefined && Number.isFinite(value)) row[seriesKey(trial.id, metric)] = value;
      }
      rows.set(entry.epoch, row);
    }
  }
  return [...rows.values()].sort((a, b) => (a.epoch ?? 0) - (b.epoch ?? 0));
}
