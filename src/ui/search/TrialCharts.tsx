import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TrialRecord } from '../../tune/experiment';
import { epochAxis, linearAxis } from './axes';
import { epochRows, seriesKey } from './chartData';
import { trialColor } from './colors';

interface ChartsProps {
  trials: readonly TrialRecord[];
  bestId: string | null;
  selected: string | null;
}

type Series = { metric: 'val_acc' | 'val_loss' | 'train_loss' | 'samples_per_s'; dashed?: boolean; label: string };

const tooltipValue = (value: unknown) => (typeof value === 'number' ? Number(value.toPrecision(4)) : String(value));

function EpochChart({ title, testId, trials, bestId, selected, series, percent }: ChartsProps & { title: string; testId: string; series: Series[]; percent?: boolean }) {
  const rows = epochRows(trials, series.map((s) => s.metric));
  const emphasis = selected ?? bestId;
  const xAxis = epochAxis(Math.max(1, ...rows.map((row) => row.epoch ?? 1)));
  const yAxis = linearAxis(rows.flatMap((row) => Object.entries(row).flatMap(([key, value]) => (key === 'epoch' ? [] : [value]))));
  return (
    <figure className="chart" data-testid={testId} data-points={rows.length}>
      <figcaption>{title}</figcaption>
      {rows.length === 0 ? (
        <p className="chart-empty muted">Waiting for the first epoch…</p>
      ) : (
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis dataKey="epoch" type="number" domain={xAxis.domain} ticks={xAxis.ticks} allowDecimals={false} tick={{ fontSize: 11 }} />
            <YAxis
              tick={{ fontSize: 11 }}
              width={48}
              domain={yAxis.domain}
              ticks={yAxis.ticks}
              tickFormatter={(v: number) => (percent ? `${(v * 100).toFixed(1)}%` : String(Number(v.toPrecision(3))))}
            />
            <Tooltip formatter={tooltipValue} labelFormatter={(epoch: unknown) => `epoch ${typeof epoch === 'number' ? epoch : '?'}`} />
            {trials.flatMap((trial, index) =>
              series.map((s) => {
                const strong = trial.id === emphasis;
                return (
                  <Line
                    key={seriesKey(trial.id, s.metric)}
                    dataKey={seriesKey(trial.id, s.metric)}
                    name={`${trial.id} ${s.label}`}
                    stroke={trialColor(index)}
                    strokeWidth={strong ? 3 : 1.5}
                    strokeOpacity={emphasis === null || strong || selected === null ? 1 : 0.25}
                    strokeDasharray={s.dashed ? '4 3' : undefined}
                    dot={{ r: strong ? 3 : 2 }}
                    connectNulls
                    isAnimationActive={false}
                  />
                );
              }),
            )}
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}

/** val_acc, train and val loss, and throughput against epoch, one colour per trial. */
export function TrialCharts(props: ChartsProps) {
  return (
    <div className="charts">
      <EpochChart {...props} title="val_acc" testId="chart-val-acc" series={[{ metric: 'val_acc', label: 'val_acc' }]} percent />
      <EpochChart
        {...props}
        title="loss (solid: val, dashed: train)"
        testId="chart-loss"
        series={[
          { metric: 'val_loss', label: 'val_loss' },
          { metric: 'train_loss', label: 'train_loss', dashed: true },
        ]}
      />
      <EpochChart {...props} title="throughput (samples/s)" testId="chart-throughput" series={[{ metric: 'samples_per_s', label: 'samples/s' }]} />
    </div>
  );
}
