import { describe, expect, it } from 'vitest';
import type { ImportedModel } from '../export/importModel';
import { totalParams } from '../model/registry';
import type { TrainingState } from '../engine/trainer';
import { createExperiment, type ExperimentState } from '../tune/experiment';
import { parseConfigOrThrow } from '../tune/config';
import { sampleTrials } from '../tune/sampler';
import type { TrialSnapshot } from '../tune/trial';
import type { PretrainedModel } from '../pretrained/loadPretrained';
import { chooseModel, listModels, type ImportedEntry } from './modelsSlice';
import type { SearchView } from './searchSlice';
import { useStudio } from './store';

const CONFIG = 'config:\n  f1: [4, 8]\n  f2: [6]\n  lr: [1e-3]\n  num_trials: 3\n  max_num_epochs: 2\n  seed: 3\n';

/** A search of three trials whose best val_acc are `accuracies` (null: no result yet). */
function searchWith(accuracies: (number | null)[]): SearchView {
  const { space, settings } = parseConfigOrThrow(CONFIG);
  const created = createExperiment(space, settings, sampleTrials(space, settings));
  const experiment: ExperimentState = {
    ...created,
    trials: created.trials.map((trial, i) => {
      const accuracy = accuracies[i] ?? null;
      return accuracy === null ? trial : { ...trial, best: { epoch: 1, val_acc: accuracy }, history: [{ epoch: 1, val_acc: accuracy }] };
    }),
  };
  return { experimentId: 'exp-1', experiment, status: 'running', startedAt: 0, finishedAt: null, elapsedBeforeMs: 0, progress: {}, started: {}, trialTimes: {}, concurrency: 1, warnings: [] };
}

/** A best-epoch snapshot at `epoch`; the weights themselves do not matter to the list. */
function snapshotOf(search: SearchView, trialId: string, epoch: number): TrialSnapshot {
  const trial = search.experiment.trials.find((t) => t.id === trialId)!;
  const config = { ...trial.config, batch_size: 64, seed: 1, max_num_epochs: 2, beta1: 0.9, beta2: 0.999, lr: 1e-3 };
  return { config, state: { epoch } as TrainingState, stateDict: [] };
}

const imported = (name: string): ImportedModel => ({
  name,
  source: { kind: 'pt', format: 'tuple', hasOptimizer: true },
  model: 'Classifier',
  hyperparameters: { f1: 8, f2: 6 },
  totalParams: 9994,
  stateDict: [],
  warnings: [],
});

describe('the models on offer', () => {
  it('is empty with neither a search nor an import', () => {
    expect(listModels(null, {}, [])).toEqual([]);
    expect(chooseModel([], null)).toBeNull();
  });

  it('lists trials with a best checkpoint, the best first and marked, then imports', () => {
    const search = searchWith([0.91, 0.95, null]);
    const [t1, t2] = search.experiment.trials.map((t) => t.id);
    const checkpoints = { [t1!]: snapshotOf(search, t1!, 1), [t2!]: snapshotOf(search, t2!, 1) };
    const imports: ImportedEntry[] = [{ id: 'imported:1', model: imported('a.pt') }];
    const models = listModels(search, checkpoints, imports);
    expect(models.map((m) => [m.name, m.kind, m.isBest, m.valAcc])).toEqual([
      [t2, 'trial', true, 0.95],
      [t1, 'trial', false, 0.91],
      ['a.pt', 'imported', false, null],
    ]);
    const { f1, f2 } = search.experiment.trials[1]!.config;
    expect(models[0]).toMatchObject({
      model: 'Classifier',
      hyperparameters: { f1, f2 },
      totalParams: totalParams('Classifier', { f1: Number(f1), f2: Number(f2) }),
    });
    expect(models[0]?.snapshot).toBe(checkpoints[t2!]);
  });

  it('offers a gapnet trial with its architecture and widths, next to the Classifier trials', () => {
    const search = searchWith([0.91, 0.95, null]);
    const [t1, t2] = search.experiment.trials.map((t) => t.id);
    const widths = { c1: 10, c2: 16, c3: 10, c4: 16 };
    const base = snapshotOf(search, t2!, 1);
    const gapnet = { ...base, config: { lr: base.config.lr, beta1: 0.9, beta2: 0.999, batch_size: 64, seed: 1, max_num_epochs: 2, model: 'gapnet', ...widths } };
    const models = listModels(search, { [t1!]: snapshotOf(search, t1!, 1), [t2!]: gapnet }, []);
    expect(models.map((m) => [m.name, m.model])).toEqual([
      [t2, 'gapnet'],
      [t1, 'Classifier'],
    ]);
    expect(models[0]).toMatchObject({ hyperparameters: widths, totalParams: totalParams('gapnet', widths) });
  });

  it('loads a model stored by an earlier version (f1 and f2, no model name) as the Classifier', () => {
    const search = searchWith([0.9, null, null]);
    const old = snapshotOf(search, search.experiment.trials[0]!.id, 2);
    const { model, ...config } = { ...old.config, f1: 6, f2: 5 };
    expect(model).toBeUndefined();
    const stored = [{ experimentId: 'exp-0', trialId: 't0002', createdAt: 0, valAcc: 0.97, epoch: 2, snapshot: { ...old, config } }];
    const [choice] = listModels(null, {}, [], { stored });
    expect(choice).toMatchObject({ kind: 'stored', model: 'Classifier', hyperparameters: { f1: 6, f2: 5 }, totalParams: totalParams('Classifier', { f1: 6, f2: 5 }) });
  });

  it('names a trial’s weights by epoch, so an improved checkpoint is a new version of the same model', () => {
    const search = searchWith([0.9, null, null]);
    const id = search.experiment.trials[0]!.id;
    const [before] = listModels(search, { [id]: snapshotOf(search, id, 1) }, []);
    const [after] = listModels(search, { [id]: snapshotOf(search, id, 2) }, []);
    expect(after?.id).toBe(before?.id);
    expect(after?.version).not.toBe(before?.version);
  });

  it('selects the user’s choice, else the best trial, else the last import', () => {
    const imports: ImportedEntry[] = [
      { id: 'imported:1', model: imported('a.pt') },
      { id: 'imported:2', model: imported('b.pt') },
    ];
    expect(chooseModel(listModels(null, {}, imports), null)?.name).toBe('b.pt');
    const search = searchWith([0.9, 0.8, null]);
    const [t1, t2] = search.experiment.trials.map((t) => t.id);
    const models = listModels(search, { [t1!]: snapshotOf(search, t1!, 1), [t2!]: snapshotOf(search, t2!, 1) }, imports);
    expect(chooseModel(models, null)?.name).toBe(t1);
    expect(chooseModel(models, 'imported:1')?.name).toBe('a.pt');
    expect(chooseModel(models, `trial:${t2}`)?.name).toBe(t2);
    expect(chooseModel(models, 'trial:gone')?.name).toBe(t1);
  });

  it('selects a checkpoint as soon as it is imported', () => {
    const id = useStudio.getState().addImportedModel(imported('c.pt'));
    expect(useStudio.getState().selectedModelId).toBe(id);
    expect(useStudio.getState().importedModels.map((m) => m.model.name)).toEqual(['c.pt']);
    useStudio.getState().selectModel('trial:t0001');
    expect(useStudio.getState().selectedModelId).toBe('trial:t0001');
  });

  it('offers the pretrained model last, and lets the user’s own trained models take over from it', () => {
    const pretrained = {
      f1: 8,
      f2: 6,
      stateDict: [],
      provenance: { valAcc: 0.981, epochs: 4, trainedAt: '2026-12-04' },
    } as unknown as PretrainedModel;
    const alone = listModels(null, {}, [], { pretrained });
    expect(alone.map((m) => [m.kind, m.valAcc])).toEqual([['pretrained', 0.981]]);
    expect(chooseModel(alone, null)?.kind).toBe('pretrained');

    const search = searchWith([0.9, null, null]);
    const earlier = { ...snapshotOf(search, search.experiment.trials[0]!.id, 2), config: { ...snapshotOf(search, search.experiment.trials[0]!.id, 2).config, f1: 8, f2: 6 } };
    const stored = [{ experimentId: 'exp-0', trialId: 't0002', createdAt: 0, valAcc: 0.97, epoch: 2, snapshot: earlier }];
    const afterReload = listModels(null, {}, [], { stored, pretrained });
    expect(afterReload.map((m) => m.kind)).toEqual(['stored', 'pretrained']);
    expect(chooseModel(afterReload, null)?.id).toBe('stored:exp-0/t0002');

    const id = search.experiment.trials[0]!.id;
    const training = listModels(search, { [id]: snapshotOf(search, id, 1) }, [], { stored, pretrained });
    expect(training.map((m) => m.kind)).toEqual(['trial', 'stored', 'pretrained']);
    expect(chooseModel(training, null)?.name).toBe(id);
    expect(chooseModel(training, 'pretrained')?.kind).toBe('pretrained');
    // The search on screen is not offered twice once it is also stored.
    expect(listModels(search, { [id]: snapshotOf(search, id, 1) }, [], { stored: [{ ...stored[0]!, experimentId: 'exp-1' }] }).map((m) => m.kind)).toEqual(['trial']);
  });
});
