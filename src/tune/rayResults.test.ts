import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { EpochReport, TrainingState } from '../engine/trainer';
import type { TrialEngine, TrialEvents, TrialRun } from './trial';
import { createExperiment, type ExperimentState } from './experiment';
import { rayResultFiles, rayResultsZip, type RayResultRow } from './rayResults';
import { progressCsv, searchResults } from './results';
import { SearchRunner } from './runner';
import { sampleTrials } from './sampler';
import { DEFAULT_SETTINGS, defaultSpace, trialKeys } from './space';

/** An engine whose epochs carry distinct, recognisable metrics (trial index and epoch in every value). */
function scriptedEngine(): TrialEngine {
  let stopped = false;
  return {
    async train(run: TrialRun, events: TrialEvents = {}) {
      const index = Number(run.trialId.slice(1));
      const history: EpochReport[] = [];
      for (let epoch = 1; epoch <= run.config.max_num_epochs; epoch++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (stopped) return { status: 'stopped' as const, history };
        const report: EpochReport = {
          epoch,
          train_loss: 1 / (epoch + index),
          val_loss: 2 / (epoch + index),
          val_acc: 0.5 + 0.01 * index + 0.001 * epoch,
          total_params: 9000 + index,
          time_s: 1.25 * epoch + index,
          samples_per_s: 100 * index + epoch,
        };
        history.push(report);
        events.onEpoch?.(report, { config: run.config, state: { epoch, history: [...history] } as TrainingState, stateDict: [] });
      }
      return { status: 'completed' as const, history };
    },
    stop() {
      stopped = true;
      return Promise.resolve();
    },
    snapshot: () => Promise.reject(new Error('unused')),
    predict: () => Promise.reject(new Error('unused')),
    dispose: () => Promise.resolve(),
  };
}

/** A finished three-trial search through the real runner, with every epoch report it published. */
async function finishedSearch(): Promise<{ state: ExperimentState; reports: Map<string, EpochReport[]> }> {
  const settings = { ...DEFAULT_SETTINGS, numTrials: 3, maxNumEpochs: 3, seed: 7 };
  const space = { ...defaultSpace(), lr: { kind: 'choice' as const, values: [0.001, 0.01] } };
  const reports = new Map<string, EpochReport[]>();
  const runner = new SearchRunner({
    experiment: createExperiment(space, settings, sampleTrials(space, settings)),
    createEngine: scriptedEngine,
    runBase: { backend: 'cpu', manifestUrl: 'http://studio.test/manifest.json' },
    concurrency: 2,
    listener: { onEpoch: (id, report) => reports.set(id, [...(reports.get(id) ?? []), report]) },
  });
  return { state: await runner.done, reports };
}

const rowsOf = (text: string | undefined): RayResultRow[] =>
  (text ?? '').trim().split('\n').map((line) => JSON.parse(line) as RayResultRow);

describe('Ray-style results layout', () => {
  it('writes params.json, result.json and progress.csv per trial with the tuner values', async () => {
    const { state, reports } = await finishedSearch();
    const files = rayResultFiles(state, 'exp-1', { t0001: 'wasm' });
    expect(Object.keys(files).sort()).toEqual([
      'experiment_state.json',
      'progress.csv',
      'results.json',
      ...['t0001', 't0002', 't0003'].flatMap((t) => [`${t}/params.json`, `${t}/progress.csv`, `${t}/result.json`]),
    ]);
    expect(files['results.json']).toBe(`${JSON.stringify(searchResults(state, { t0001: 'wasm' }), null, 2)}\n`);
    expect(files['progress.csv']).toBe(progressCsv(state));

    for (const trial of state.trials) {
      const params = JSON.parse(files[`${trial.id}/params.json`]!) as Record<string, number>;
      // The Classifier's widths only: gapnet's c1..c4 are no part of a Classifier trial.
      const own = Object.fromEntries(trialKeys('Classifier').map((key) => [key, trial.config[key]]));
      expect(params).toEqual({ ...own, optimizer: 'adam', lr_schedule: 'constant', max_num_epochs: 3 });
      expect(params).not.toHaveProperty('c1');
      const rows = rowsOf(files[`${trial.id}/result.json`]);
      const published = reports.get(trial.id)!;
      expect(rows).toHaveLength(3);
      rows.forEach((row, i) => {
        const report = published[i]!;
        expect(row).toMatchObject({
          training_iteration: report.epoch,
          time_this_iter_s: report.time_s,
          val_acc: report.val_acc,
          val_loss: report.val_loss,
          train_loss: report.train_loss,
          total_params: report.total_params,
          samples_per_s: report.samples_per_s,
          trial_id: trial.id,
          experiment_id: 'exp-1',
          done: i === 2,
          config: params,
        });
        expect(row.time_total_s).toBeCloseTo(published.slice(0, i + 1).reduce((sum, r) => sum + r.time_s, 0), 12);
      });
      const csv = files[`${trial.id}/progress.csv`]!.trim().split('\n');
      expect(csv[0]).toBe(
        'training_iteration,time_this_iter_s,time_total_s,val_acc,val_loss,train_loss,total_params,samples_per_s,done,trial_id,experiment_id,' +
          'config/lr,config/beta1,config/beta2,config/f1,config/f2,config/batch_size,' +
          'config/optimizer,config/weight_decay,config/lr_schedule,config/pct_start,config/step_size,config/gamma,config/label_smoothing,' +
          'config/augment_translate,config/augment_degrees,config/augment_scale,config/max_num_epochs',
      );
      expect(csv).toHaveLength(4);
      expect(csv[1]!.split(',').slice(0, 4).map(Number)).toEqual([1, published[0]!.time_s, published[0]!.time_s, published[0]!.val_acc]);
    }

    const summary = JSON.parse(files['experiment_state.json']!) as { best_trial_id: string; best_val_acc: number; trials: { logdir: string }[] };
    expect(summary.best_trial_id).toBe('t0003');
    expect(summary.best_val_acc).toBe(reports.get('t0003')![2]!.val_acc);
    expect(summary.trials.map((t) => t.logdir)).toEqual(['t0001', 't0002', 't0003']);
  });

  it('marks no row done while a trial is still running, and zips under the experiment folder', async () => {
    const { state } = await finishedSearch();
    const running: ExperimentState = { ...state, trials: state.trials.map((t, i) => (i === 0 ? { ...t, status: 'RUNNING' } : t)) };
    const files = rayResultFiles(running, 'exp-2');
    expect(rowsOf(files['t0001/result.json']).map((r) => r.done)).toEqual([false, false, false]);
    const unzipped = unzipSync(rayResultsZip(files, 'exp-2'));
    expect(Object.keys(unzipped).sort()).toEqual(Object.keys(files).map((p) => `exp-2/${p}`).sort());
    expect(strFromU8(unzipped['exp-2/t0002/result.json']!)).toBe(files['t0002/result.json']);
  });
});
