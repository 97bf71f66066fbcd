import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { readFolder } from '../../scripts/lib/readFolder';
import { describe, expect, it } from 'vitest';
import { writeCheckpoint } from '../export/ptWriter';
import { importModel } from '../export/importModel';
import { defaultAdamParamGroup } from '../export/stateDict';
import { classifier } from '../model/classifier';
import { filledStateDict } from '../model/stateDict';
import { createExperiment, experimentReducer, type ExperimentState } from './experiment';
import { RayImportError, filesFromZip, parseCsv, readRayResults } from './rayImport';
import { rayResultFiles } from './rayResults';
import { sampleTrials } from './sampler';
import { DEFAULT_SETTINGS, defaultSpace } from './space';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** A small finished search: three trials, the last stopped by the user after one epoch. */
function finishedSearch(): ExperimentState {
  const settings = { ...DEFAULT_SETTINGS, numTrials: 3, maxNumEpochs: 2, seed: 3 };
  const space = { ...defaultSpace(), lr: { kind: 'choice' as const, values: [0.001, 0.01] }, f2: { kind: 'choice' as const, values: [4, 6] } };
  let state = createExperiment(space, settings, sampleTrials(space, settings));
  state.trials.forEach((trial, index) => {
    state = experimentReducer(state, { kind: 'trial-started', trialId: trial.id });
    const epochs = index === 2 ? 1 : 2;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      state = experimentReducer(state, {
        kind: 'epoch-reported',
        trialId: trial.id,
        metrics: { epoch, val_acc: 0.9 + index / 100 + epoch / 1000, val_loss: 0.5 / epoch, train_loss: 0.6 / epoch, total_params: 9000 + index, time_s: 2 + epoch / 8, samples_per_s: 1000 * epoch },
      });
    }
    if (index === 2) state = experimentReducer(state, { kind: 'trial-stop-requested', trialId: trial.id });
  });
  return state;
}

describe('readRayResults on a folder Ray Tune wrote', () => {
  const files = readFolder(join(FIXTURES, 'ray-2.x-real'));

  it('asks for the metric when the results have no val_acc', () => {
    expect(() => readRayResults(files)).toThrow(RayImportError);
    expect(() => readRayResults(files)).toThrow(/no val_acc.*numeric fields: .*r2/);
  });

  it('reads every trial, its config and every epoch', () => {
    const imported = readRayResults(files, { metric: 'r2' });
    expect(imported.name).toBe('tune_train_func_2025-04-15_15-35-43');
    const { trials } = imported.state;
    expect(trials.map((t) => t.id)).toEqual(['88f12_00000', '88f12_00001', '88f12_00002', '88f12_00003', '88f12_00004']);
    expect(trials.map((t) => t.config.batch_size)).toEqual([16, 32, 64, 128, 16]);
    expect(trials.map((t) => t.config.beta1)).toEqual([0.9, 0.9, 0.9, 0.9, 0.99]);
    expect(trials.every((t) => t.config.lr === 0.001 && t.config.beta2 === 0.999 && t.config.f1 === 8 && t.config.f2 === 6)).toBe(true);
    expect(trials.map((t) => t.history.length)).toEqual([54, 55, 15, 10, 14]);
    expect(trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED', 'TERMINATED', 'TERMINATED', 'STOPPED']);
    const first = trials[2]!.history[0]!;
    expect(first).toEqual({ epoch: 1, val_acc: -0.06621701702584559, time_s: 0.13656353950500488 });
    expect(trials[1]!.best).toMatchObject({ epoch: 35 });
    expect(trials[1]!.best!.val_acc).toBeCloseTo(0.8982, 4);
    expect(imported.state.settings).toMatchObject({ numTrials: 5, maxNumEpochs: 55, scheduler: 'fifo' });
    expect(imported.state.space.batch_size).toEqual({ kind: 'choice', values: [16, 32, 64, 128] });
    expect(imported.state.space.lr).toEqual({ kind: 'fixed', value: 0.001 });
    expect(imported.bestCheckpoint).toBeNull();
    expect(imported.warnings).toEqual(
      expect.arrayContaining([
        "'r2' is read as val_acc",
        'config keys the studio does not search are ignored: dropout_prob',
        "not in the trials' configs, so the studio's defaults are shown: f1, f2",
      ]),
    );
  });

  it('reads progress.csv the same as result.json when result.json is missing', () => {
    const csvOnly = new Map([...files].filter(([path]) => !path.endsWith('result.json')));
    const fromCsv = readRayResults(csvOnly, { metric: 'r2' }).state.trials;
    const fromJson = readRayResults(files, { metric: 'r2' }).state.trials;
    expect(fromCsv.map((t) => t.history)).toEqual(fromJson.map((t) => t.history));
    expect(fromCsv.map((t) => t.config)).toEqual(fromJson.map((t) => t.config));
  });

  it('reads the same from a zip of the folder', () => {
    const zip = zipSync(Object.fromEntries([...files].map(([path, bytes]) => [`ray_results/${path}`, bytes])));
    const imported = readRayResults(filesFromZip(zip), { metric: 'r2' });
    expect(imported.name).toBe('tune_train_func_2025-04-15_15-35-43');
    expect(imported.state.trials).toEqual(readRayResults(files, { metric: 'r2' }).state.trials);
  });
});

describe("readRayResults on the studio's own export", () => {
  it('matches what the writer writes today', () => {
    const files = rayResultFiles(finishedSearch(), 'exp-fixture');
    const dir = join(FIXTURES, 'studio-export');
    if (process.env.UPDATE_FIXTURES) {
      for (const [path, textContent] of Object.entries(files)) {
        mkdirSync(join(dir, path, '..'), { recursive: true });
        writeFileSync(join(dir, path), textContent);
      }
    }
    const onDisk = readFolder(dir);
    expect([...onDisk.keys()].sort()).toEqual(Object.keys(files).sort());
    for (const [path, textContent] of Object.entries(files)) expect(new TextDecoder().decode(onDisk.get(path))).toBe(textContent);
  });

  it('brings the search back as it was: trials, configs, epochs, statuses and settings', () => {
    const state = finishedSearch();
    const imported = readRayResults(readFolder(join(FIXTURES, 'studio-export')));
    expect(imported.metric).toBe('val_acc');
    expect(imported.warnings).toEqual([]);
    expect(imported.state.settings).toEqual(state.settings);
    expect(imported.state.trials.map((t) => [t.id, t.status, t.config, t.history, t.best])).toEqual(
      state.trials.map((t) => [t.id, t.status, t.config, t.history, t.best]),
    );
  });
});

describe('readRayResults checkpoints', () => {
  it("finds the best trial's checkpoint of its best epoch, and the studio imports it", () => {
    const stateDict = filledStateDict(classifier.spec({ f1: 8, f2: 6 }), (entry) => (entry.key.endsWith('running_var') ? 1 : 0.01), 1);
    const pt = writeCheckpoint({ model: stateDict, optimizer: { state: [], paramGroup: defaultAdamParamGroup(0.001, [0.9, 0.999]) } });
    const row = (trial: string, epoch: number, acc: number, checkpoint: string) =>
      JSON.stringify({ val_acc: acc, training_iteration: epoch, trial_id: trial, checkpoint_dir_name: checkpoint, done: false, config: { lr: 0.001, f1: 8, f2: 6, max_num_epochs: 2 } });
    const files = new Map<string, Uint8Array>([
      ['exp/a/result.json', strToU8(`${row('a', 1, 0.5, 'checkpoint_000000')}\n${row('a', 2, 0.6, 'checkpoint_000001')}\n`)],
      ['exp/b/result.json', strToU8(`${row('b', 1, 0.9, 'checkpoint_000000')}\n${row('b', 2, 0.8, 'checkpoint_000001')}\n`)],
      ['exp/b/checkpoint_000000/checkpoint.pt', pt],
      ['exp/b/checkpoint_000001/checkpoint.pt', new Uint8Array([1, 2, 3])],
      ['exp/b/error.txt', strToU8('Traceback\nRuntimeError: out of memory\n')],
    ]);
    const imported = readRayResults(files);
    expect(imported.name).toBe('exp');
    expect(imported.state.trials.map((t) => t.status)).toEqual(['TERMINATED', 'ERROR']);
    expect(imported.state.trials[1]!.error).toBe('RuntimeError: out of memory');
    expect(imported.bestCheckpoint).toMatchObject({ trialId: 'b', epoch: 1, path: 'exp/b/checkpoint_000000/checkpoint.pt' });
    const model = importModel([{ name: 'checkpoint.pt', bytes: imported.bestCheckpoint!.bytes }]);
    expect(model).toMatchObject({ model: 'Classifier', hyperparameters: { f1: 8, f2: 6 }, totalParams: 9994 });
  });

  it('reads NaN results and quoted CSV cells', () => {
    const files = new Map([['t/result.json', strToU8('{"val_acc": NaN, "training_iteration": 1, "trial_id": "t"}\n{"val_acc": 0.5, "training_iteration": 2, "trial_id": "t"}\n')]]);
    const trial = readRayResults(files).state.trials[0]!;
    expect(Number.isNaN(trial.history[0]!.val_acc)).toBe(true);
    expect(trial.best).toMatchObject({ epoch: 2 });
    expect(parseCsv('a,b\n1,"x, ""y"""\n')).toEqual([['a', 'b'], ['1', 'x, "y"']]);
  });

  it('refuses a folder with no trials', () => {
    expect(() => readRayResults(new Map([['notes.txt', strToU8('hi')]]))).toThrow(/no trial folders/);
  });
});
