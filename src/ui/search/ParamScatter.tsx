import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { ExperimentState } from '../../tune/experiment';
import { discreteValues, HYPERPARAMETERS, type HyperparameterName } from '../../tune/space';
import { linearAxis, logAxis } from './axes';
import { trialColor } from './colors';

/** Hyperparameters the search varies (one that takes a single value has nothing to show). */
function searchedParameters(experiment: ExperimentState): HyperparameterName[] {
  return HYPERPARAMETERS.filter((name) => (discreteValues(experiment.space[name])?.length ?? Infinity) > 1);
}

/** One scatter per searched hyperparameter: its value against each trial's best val_acc. */
export function ParamScatter({ experiment, selected }: { experiment: ExperimentState; selected: string | null }) {
  const names = searchedParameters(experiment);
  if (names.length === 0) return null;
  return (
    <div className="charts scatter" data-testid="param-scatter">
      {names.map((name) => {
        const domain = experiment.space[name];
        const values = discreteValues(domain) ?? [];
        // Values a decade or more apart (lr choices, log intervals) read best on a log axis.
        const log = (domain.kind === 'interval' && domain.log) || (values.length > 1 && Math.min(...values) > 0 && Math.max(...values) / Math.min(...values) >= 10);
        const points = experiment.trials.flatMap((trial, index) =>
          trial.best ? [{ x: trial.config[name], y: trial.best.val_acc, id: trial.id, fill: trialColor(index) }] : [],
        );
        const xs = points.map((p) => p.x);
        const xAxis = log ? logAxis(xs) : linearAxis(xs);
        const yAxis = linearAxis(points.map((p) => p.y));
        return (
          <figure className="chart" key={name} data-testid={`scatter-${name}`}>
            <figcaption>
              {name} vs best val_acc
            </figcaption>
            {points.length === 0 ? (
              <p className="chart-empty muted">Waiting for results…</p>
            ) : (
              <ResponsiveContainer width="100%" height={180}>
                <ScatterChart margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
                  <XAxis dataKey="x" type="number" name={name} scale={log ? 'log' : 'auto'} domain={xAxis.domain} ticks={xAxis.ticks} tick={{ fontSize: 11 }} />
                  <YAxis dataKey="y" type="number" name="val_acc" domain={yAxis.domain} ticks={yAxis.ticks} width={48} tick={{ fontSize: 11 }} tickFormatter={(v: number) => `${(v * 100).toFixed(1)}%`} />
                  <Tooltip formatter={(value: unknown) => (typeof value === 'number' ? Number(value.toPrecision(4)) : String(value))} />
                  <Scatter
                    data={points}
                    isAnimationActive={false}
                    shape={(p: { cx?: number; cy?: number; payload?: { id: string; fill: string } }) => (
                      <circle cx={p.cx} cy={p.cy} r={p.payload?.id === selected ? 7 : 5} fill={p.payload?.fill} stroke="var(--ink)" strokeWidth={p.payload?.id === selected ? 2 : 0} />
                    )}
                  />
                </ScatterChart>
              </ResponsiveContainer>
            )}
          </figure>
        );
      })}
    </div>
  );
}
