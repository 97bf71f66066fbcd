import { useEffect, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { bestTrial } from '../../tune/experiment';
import { loadExperiment, type StoredExperiment } from '../../tune/persistence';
import { trialColor } from '../search/colors';
import { spaceRows } from './spaceSummary';
import './compare.css';
import { messageOf } from '../../studioError';

/** One row per epoch, one column per experiment: its best trial's val_acc at that epoch. */
function bestCurveRows(experiments: readonly StoredExperiment[]): Record<string, number>[] {
  const rows = new Map<number, Record<string, number>>();
  for (const experiment of experiments) {
    for (const epoch of bestTrial(experiment.state)?.history ?? []) {
      const row = rows.get(epoch.epoch) ?? { epoch: epoch.epoch };
      row[experiment.id] = epoch.val_acc;
      rows.set(epoch.epoch, row);
    }
  }
  return [...rows.values()].sort((a, b) => (a.epoch ?? 0) - (b.epoch ?? 0));
}

/** Two or more saved experiments side by side: best-trial val_acc curves overlaid, and their spaces. */
export function ExperimentCompare({ ids }: { ids: readonly string[] }) {
  const [loaded, setLoaded] = useState<StoredExperiment[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const key = ids.join(',');

  useEffect(() => {
    let current = true;
    Promise.all(key.split(',').map((id) => loadExperiment(id))).then(
      (records) => current && setLoaded(records.filter((r): r is StoredExperiment => r !== null)),
      (error: unknown) => current && setProblem(messageOf(error)),
    );
    return () => {
      current = false;
    };
  }, [key]);

  const rows = bestCurveRows(loaded);
  const spaces = loaded.map((e) => spaceRows(e.state.space, e.state.settings));
  const labels = spaces[0]?.map(([label]) => label) ?? [];
  const label = (e: StoredExperiment) => new Date(e.createdAt).toLocaleString();

  return (
    <section className="compare" data-testid="experiment-compare" aria-label="Compare experiments">
      <h4>Comparing {loaded.length} experiments</h4>
      {problem && <p className="error">{problem}</p>}
      <figure className="chart" data-testid="compare-chart" data-series={loaded.length} data-points={rows.length}>
        <figcaption>Best trial val_acc per epoch</figcaption>
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis dataKey="epoch" type="number" domain={[1, 'dataMax']} allowDecimals={false} tick={{ fontSize: 11 }} />
            <YAxis tick={{ fontSize: 11 }} width={52} domain={['auto', 'auto']} tickFormatter={(v: number) => `${(v * 100).toFixed(1)}%`} />
            <Tooltip formatter={(v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(2)}%` : String(v))} />
            <Legend />
            {loaded.map((experiment, index) => (
              <Line
                key={experiment.id}
                dataKey={experiment.id}
                name={`${label(experiment)} (${bestTrial(experiment.state)?.id ?? 'no result'})`}
                stroke={trialColor(index)}
                dot={{ r: 3 }}
                connectNulls
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <div className="table-scroll">
        <table className="history-table compare-spaces" data-testid="compare-spaces">
          <thead>
            <tr>
              <th>setting</th>
              {loaded.map((e) => (
                <th key={e.id}>{label(e)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((name, row) => {
              const values = spaces.map((s) => s[row]?.[1] ?? '');
              const differs = new Set(values).size > 1;
              return (
                <tr key={name} className={differs ? 'differs' : undefined} data-testid={`compare-row-${name}`}>
                  <th scope="row">{name}</th>
                  {values.map((value, i) => (
                    <td key={loaded[i]!.id}>{value}</td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
