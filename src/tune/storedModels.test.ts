import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { TrainingState } from '../engine/trainer';
import type { TrialSnapshot } from './trial';
import { createExperiment, experimentReducer, reportEpoch } from './experiment';
import { CHECKPOINT_KINDS, saveCheckpoint, saveExperiment, type StoredExperiment } from './persistence';
import { sampleTrials } from './sampler';
import { DEFAULT_SETTINGS, defaultSpace } from './space';
import { loadStoredModels } from './storedModels';

const settings = { ...DEFAULT_SETTINGS, numTrials: 2, maxNumEpochs: 2 };
const snapshot = (epoch: number): TrialSnapshot => ({
  config: { lr: 1e-3, beta1: 0.9, beta2: 0.999, f1: 8, f2: 6, batch_size: 64, seed: 0, max_num_epochs: 2 },
  state: { epoch } as unknown as TrainingState,
  stateDict: [{ key: 'fc.bias', shape: [1], dtype: 'float32', data: new Float32Array([epoch]) }],
});

/** A finished search of two trials whose final val_acc are `accuracies`. */
function finishedSearch(id: string, createdAt: number, accuracies: [number, number]): StoredExperiment {
  let state = createExperiment(defaultSpace(), settings, sampleTrials(defaultSpace(), settings));
  accuracies.forEach((accuracy, i) => {
    const trialId = `t000${i + 1}`;
    state = experimentReducer(state, { kind: 'trial-started', trialId });
    state = reportEpoch(state, trialId, { epoch: 1, val_acc: accuracy - 0.1 }).state;
    state = reportEpoch(state, trialId, { epoch: 2, val_acc: accuracy }).state;
  });
  return { id, configText: 'config:\n  lr: [1e-3]\n', overrides: [], createdAt, updatedAt: createdAt, backend: 'wasm', state };
}

describe('stored models', () => {
  it('reads back the best trial of each saved search, newest first, and skips searches without a checkpoint', async () => {
    const older = finishedSearch('exp-a', 1_000, [0.9, 0.95]);
    const newer = finishedSearch('exp-b', 2_000, [0.97, 0.93]);
    const unsaved = finishedSearch('exp-c', 3_000, [0.8, 0.7]);
    for (const record of [older, newer, unsaved]) await saveExperiment(record);
    await saveCheckpoint('exp-a', 't0002', CHECKPOINT_KINDS.best, snapshot(2));
    await saveCheckpoint('exp-b', 't0001', CHECKPOINT_KINDS.best, snapshot(2));

    const models = await loadStoredModels();
    expect(models.map((m) => [m.experimentId, m.trialId, m.valAcc, m.epoch])).toEqual([
      ['exp-b', 't0001', 0.97, 2],
      ['exp-a', 't0002', 0.95, 2],
    ]);
    expect(models[0]?.snapshot.stateDict[0]?.data).toEqual(new Float32Array([2]));
  });
});
