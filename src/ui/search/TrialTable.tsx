import type { TrialTimes } from '../../state/searchSlice';
import { useState } from 'react';
import type { StepProgress } from '../../engine/trainer';
import { bestTrial, TRIAL_STATUS, type ExperimentState } from '../../tune/experiment';
import { trialKeys, valueName, type HyperparameterName } from '../../tune/space';
import { trialColor } from './colors';
import { formatDuration } from './searchProgress';
import { nextSortOrder, sortTrialRows, trialRow, type SortColumn, type SortOrder, type TrialRow } from './trialRows';

export interface TrialTableProps {
  experiment: ExperimentState;
  progress: Record<string, StepProgress>;
  trialTimes: Record<string, TrialTimes>;
  now: number;
  selected: string | null;
  onSelect: (trialId: string | null) => void;
  /** Absent for a past experiment, which is read-only. */
  onStop?: (trialId: string) => void;
}

/** The table's columns: a trial's own keys (its model's widths, not another model's) between status and the metrics. */
const columnsFor = (keys: readonly HyperparameterName[]): { column: SortColumn; label: string }[] => [
  { column: 'id', label: 'trial' },
  { column: 'status', label: 'status' },
  ...keys.map((name) => ({ column: name, label: name })),
  { column: 'totalParams', label: 'total_params' },
  { column: 'epochs', label: 'epochs' },
  { column: 'bestValAcc', label: 'best val_acc' },
  { column: 'valLoss', label: 'val_loss' },
  { column: 'samplesPerS', label: 'samples/s' },
  { column: 'elapsedMs', label: 'elapsed' },
];

const fixed = (digits: number) => (value: number | null) => (value === null ? '–' : value.toFixed(digits));
const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(2)}%`);
const count = (value: number | null) => (value === null ? '–' : Math.round(value).toLocaleString('en-US'));

function TrialProgress({ row, progress, epochsTotal }: { row: TrialRow; progress: StepProgress | undefined; epochsTotal: number }) {
  if (row.status !== TRIAL_STATUS.running) return null;
  const epoch = progress?.epoch ?? row.epochs + 1;
  const stepFraction = progress && progress.epoch > row.epochs ? progress.step / Math.max(1, progress.steps_per_epoch) : 0;
  return (
    <div className="trial-progress" data-testid={`trial-progress-${row.id}`}>
      <progress max={epochsTotal} value={row.epochs + stepFraction} aria-label={`Trial ${row.id} progress`} />
      <small>
        epoch {epoch} of {epochsTotal}
        {progress && progress.epoch > row.epochs && ` · step ${progress.step}/${progress.steps_per_epoch}`}
      </small>
    </div>
  );
}

function SortHeader({ column, label, order, onSort }: { column: SortColumn; label: string; order: SortOrder; onSort: (order: SortOrder) => void }) {
  const active = order.column === column;
  return (
    <th aria-sort={active ? (order.descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="sort" onClick={() => onSort(nextSortOrder(order, column))} aria-label={`Sort by ${label}`}>
        {label}
        {active ? (order.descending ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
}

/** Every trial with its hyperparameters and results; sortable, selectable, the best one marked. */
export function TrialTable({ experiment, progress, trialTimes, now, selected, onSelect, onStop }: TrialTableProps) {
  const [order, setOrder] = useState<SortOrder>({ column: 'id', descending: false });
  const best = bestTrial(experiment)?.id ?? null;
  const keys = trialKeys(experiment.settings.model);
  const columns = columnsFor(keys);
  const index = new Map(experiment.trials.map((t, i) => [t.id, i]));
  // Why a trial failed (its last failure, kept after a retry), or why it waits for another device.
  const errors = new Map(experiment.trials.map((t) => [t.id, t.error]));
  const rows = sortTrialRows(
    experiment.trials.map((t) => trialRow(t, trialTimes[t.id], now)),
    order,
  );
  return (
    <div className="table-scroll">
      <table className="trial-table" data-testid="trial-table">
        <thead>
          <tr>
            <th aria-label="best trial marker" />
            {columns.slice(0, 2).map(({ column, label }) => (
              <SortHeader key={column} column={column} label={label} order={order} onSort={setOrder} />
            ))}
            <th>progress</th>
            {onStop && <th aria-label="actions" />}
            {columns.slice(2).map(({ column, label }) => (
              <SortHeader key={column} column={column} label={label} order={order} onSort={setOrder} />
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.id}
              data-testid={`trial-row-${row.id}`}
              className={row.id === selected ? 'selected' : undefined}
              aria-selected={row.id === selected}
              onClick={() => onSelect(row.id === selected ? null : row.id)}
            >
              <td>
                <span className="swatch" style={{ background: trialColor(index.get(row.id) ?? 0) }} />
                {row.id === best && (
                  <span className="best-marker" data-testid="best-trial" title="best val_acc" aria-label="best trial">
                    ★
                  </span>
                )}
              </td>
              <td>
                <button type="button" className="link" aria-pressed={row.id === selected} aria-label={`Select trial ${row.id}`}>
                  {row.id}
                </button>
              </td>
              <td data-testid={`trial-status-${row.id}`} className={`status status-${row.status.toLowerCase()}`}>
                {row.status}
              </td>
              <td>
                <TrialProgress row={row} progress={progress[row.id]} epochsTotal={experiment.settings.maxNumEpochs} />
                {errors.get(row.id) && (
                  <div className="trial-error" data-testid={`trial-error-${row.id}`}>
                    {errors.get(row.id)}
                  </div>
                )}
              </td>
              {onStop && (
                <td>
                  {(row.status === TRIAL_STATUS.running || row.status === TRIAL_STATUS.pending) && (
                    <button
                      type="button"
                      onClick={(event) => {
                        event.stopPropagation();
                        onStop(row.id);
                      }}
                      aria-label={`Stop trial ${row.id}`}
                      data-testid={`stop-trial-${row.id}`}
                    >
                      Stop
                    </button>
                  )}
                </td>
              )}
              {keys.map((name) => (
                <td key={name} className="num">
                  {valueName(name, row.config[name]) ?? Number(row.config[name].toPrecision(4))}
                </td>
              ))}
              <td className="num">{count(row.totalParams)}</td>
              <td className="num">{row.epochs}</td>
              <td className="num" data-testid={`trial-best-acc-${row.id}`}>
                {percent(row.bestValAcc)}
              </td>
              <td className="num">{fixed(4)(row.valLoss)}</td>
              <td className="num">{count(row.samplesPerS)}</td>
              <td className="num">{row.elapsedMs === null ? '–' : formatDuration(row.elapsedMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
