/** The trial table's rows: one flat record per trial, and how the table sorts them. */
import type { TrialStatus, TrialRecord } from '../../tune/experiment';
import { HYPERPARAMETERS, type HyperparameterName } from '../../tune/space';

export interface TrialRow {
  id: string;
  status: TrialStatus;
  config: Record<HyperparameterName, number>;
  totalParams: number | null;
  epochs: number;
  bestValAcc: number | null;
  /** val_loss of the best epoch. */
  valLoss: number | null;
  /** Latest epoch's training throughput. */
  samplesPerS: number | null;
  elapsedMs: number | null;
}

export type SortColumn = 'id' | 'status' | HyperparameterName | 'totalParams' | 'epochs' | 'bestValAcc' | 'valLoss' | 'samplesPerS' | 'elapsedMs';
export interface SortOrder {
  column: SortColumn;
  descending: boolean;
}

/** One trial as a row; `times` gives its wall-clock start and end when known. */
export function trialRow(trial: TrialRecord, times: { startedAt: number; endedAt: number | null; priorMs?: number } | undefined, now: number): TrialRow {
  const last = trial.history[trial.history.length - 1];
  const trained = trial.history.reduce((sum, m) => sum + (m.time_s ?? 0), 0) * 1000;
  return {
    id: trial.id,
    status: trial.status,
    config: trial.config,
    totalParams: trial.totalParams,
    epochs: last?.epoch ?? 0,
    bestValAcc: trial.best?.val_acc ?? null,
    valLoss: trial.best?.val_loss ?? null,
    samplesPerS: last?.samples_per_s ?? null,
    elapsedMs: times ? (times.priorMs ?? 0) + (times.endedAt ?? now) - times.startedAt : trained > 0 ? trained : null,
  };
}

function cell(row: TrialRow, column: SortColumn): number | string | null {
  if ((HYPERPARAMETERS as readonly string[]).includes(column)) return row.config[column as HyperparameterName];
  return row[column as Exclude<SortColumn, HyperparameterName>];
}

/** Rows sorted by one column; empty cells go last either way, ties keep trial id order. */
export function sortTrialRows(rows: readonly TrialRow[], order: SortOrder): TrialRow[] {
  const sign = order.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = cell(a, order.column);
    const y = cell(b, order.column);
    if (x === null || y === null) return x === y ? a.id.localeCompare(b.id, 'en', { numeric: true }) : x === null ? 1 : -1;
    const compared =
      typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'en', { numeric: true });
    return compared !== 0 ? sign * compared : a.id.localeCompare(b.id, 'en', { numeric: true });
  });
}

/** Clicking a header: the same column flips direction; a new column starts descending for metrics. */
export function nextSortOrder(current: SortOrder, column: SortColumn): SortOrder {
  if (current.column === column) return { column, descending: !current.descending };
  return { column, descending: column === 'bestValAcc' || column === 'samplesPerS' || column === 'epochs' };
}
