import 'fake-indexeddb/auto';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { TrainingState } from '../engine/trainer';
import type { TrialSnapshot } from './trial';
import { createExperiment, experimentReducer, reportEpoch } from './experiment';
import {
  deleteExperiment,
  findUnfinishedExperiment,
  listExperiments,
  loadCheckpoint,
  loadExperiment,
  loadResumeCheckpoints,
  newExperimentId,
  saveCheckpoint,
  saveExperiment,
  saveTrialCheckpoints,
  migrateExperimentRecord,
  EXPERIMENT_RECORD_VERSION,
  type StoredExperiment,
} from './persistence';
import { STORAGE_AREAS, storageArea } from '../data/storage';
import { StudioError } from '../studioError';
import { sampleTrials } from './sampler';
import { DEFAULT_SETTINGS, defaultSpace } from './space';

const settings = { ...DEFAULT_SETTINGS, numTrials: 2, maxNumEpochs: 3 };
const snapshot = (epoch: number): TrialSnapshot => ({
  config: { lr: 1e-3, beta1: 0.9, beta2: 0.999, batch_size: 64, seed: 0, max_num_epochs: 3 },
  state: { epoch, network: { params: new Float32Array([epoch, 2]) } } as unknown as TrainingState,
  stateDict: [{ key: 'fc.bias', shape: [2], dtype: 'float32', data: new Float32Array([1, 2]) }],
});

function midSearch(id: string, createdAt: number): StoredExperiment {
  let state = createExperiment(defaultSpace(), settings, sampleTrials(defaultSpace(), settings));
  state = experimentReducer(state, { kind: 'trial-started', trialId: 't0001' });
  for (const epoch of [1, 2, 3]) state = reportEpoch(state, 't0001', { epoch, val_acc: 0.5 + epoch / 10 }).state;
  state = experimentReducer(state, { kind: 'trial-started', trialId: 't0002' });
  state = reportEpoch(state, 't0002', { epoch: 1, val_acc: 0.4 }).state;
  return { id, configText: 'config:\n  lr: [1e-3]\n', overrides: [], createdAt, updatedAt: createdAt, backend: 'wasm', state };
}

describe('experiment persistence (IndexedDB)', () => {
  it('saves mid-search and restores it ready to resume: finished trials stay finished, running ones are pending', async () => {
    const record = midSearch(newExperimentId(1_000), 1_000);
    await saveExperiment(record);
    await saveCheckpoint(record.id, 't0002', 'last', snapshot(1));
    await saveCheckpoint(record.id, 't0001', 'best', snapshot(3));

    const back = await loadExperiment(record.id);
    expect(back?.state.trials.map((t) => t.status)).toEqual(['TERMINATED', 'PENDING']);
    expect(back?.state.trials[1]!.history.map((h) => h.epoch)).toEqual([1]);
    const resume = await loadResumeCheckpoints(back!);
    expect([...resume.keys()]).toEqual(['t0002']);
    expect(resume.get('t0002')!.state.epoch).toBe(1);
    expect(Array.from((await loadCheckpoint(record.id, 't0001', 'best'))!.stateDict[0]!.data as Float32Array)).toEqual([1, 2]);

    expect((await findUnfinishedExperiment())?.id).toBe(record.id);
  });

  it("resumes a trial from a checkpoint that the experiment record had not caught up with", async () => {
    // The tab closed after t0002's first checkpoint was written but before the record listed that epoch.
    let state = createExperiment(defaultSpace(), settings, sampleTrials(defaultSpace(), settings));
    state = experimentReducer(state, { kind: 'trial-started', trialId: 't0002' });
    const record: StoredExperiment = { id: 'exp-behind', configText: '', overrides: [], createdAt: 4_000, updatedAt: 4_000, backend: 'wasm', state };
    await saveExperiment(record);
    onTestFinished(() => deleteExperiment(record.id));
    await saveCheckpoint(record.id, 't0002', 'last', snapshot(1));

    const back = await loadExperiment(record.id);
    expect(back?.state.trials.map((t) => t.history.length)).toEqual([0, 0]);
    const resume = await loadResumeCheckpoints(back!);
    expect([...resume.keys()]).toEqual(['t0002']);
    expect(resume.get('t0002')!.state.epoch).toBe(1);
  });

  it('lists experiments newest first with their best val_acc, and deletes one with its checkpoints', async () => {
    const older = midSearch('exp-a', 2_000);
    const newer = midSearch('exp-b', 3_000);
    await saveExperiment(older);
    await saveExperiment(newer);
    await saveCheckpoint('exp-a', 't0001', 'best', snapshot(3));
    const list = await listExperiments();
    expect(list.slice(0, 2).map((e) => e.id)).toEqual(['exp-b', 'exp-a']);
    expect(list[0]!.bestValAcc).toBeCloseTo(0.8);
    expect(list[0]!.finished).toBe(false);

    await deleteExperiment('exp-a');
    expect((await listExperiments()).map((e) => e.id)).not.toContain('exp-a');
    expect(await loadCheckpoint('exp-a', 't0001', 'best')).toBeNull();
    expect(await loadExperiment('exp-a')).toBeNull();
  });
});

describe('saves that cannot half-happen', () => {
  it("writes a trial's last and best checkpoints in one transaction", async () => {
    const id = newExperimentId(5_000);
    await saveTrialCheckpoints(id, 't0001', snapshot(4), true);
    expect((await loadCheckpoint(id, 't0001', 'last'))?.state.epoch).toBe(4);
    expect((await loadCheckpoint(id, 't0001', 'best'))?.state.epoch).toBe(4);
    await saveTrialCheckpoints(id, 't0001', snapshot(5), false);
    expect((await loadCheckpoint(id, 't0001', 'last'))?.state.epoch).toBe(5);
    expect((await loadCheckpoint(id, 't0001', 'best'))?.state.epoch).toBe(4);
  });

  it('stores a version on each record and reads a version-1 record (no version field) by migrating it', async () => {
    const record = midSearch(newExperimentId(6_000), 6_000);
    await saveExperiment(record);
    const { version, ...v1 } = (await storageArea(STORAGE_AREAS.experiments).get<Record<string, unknown>>(record.id))!;
    expect(version).toBe(EXPERIMENT_RECORD_VERSION);
    delete v1.overrides;
    await storageArea(STORAGE_AREAS.experiments).set(record.id, v1);
    const migrated = await loadExperiment(record.id);
    expect(migrated?.overrides).toEqual([]);
    expect(migrated?.state.trials.map((t) => t.id)).toEqual(record.state.trials.map((t) => t.id));
  });

  it('refuses a record from a newer studio with a message saying so', () => {
    expect(() => migrateExperimentRecord({ id: 'x', state: '{}', version: 99 })).toThrow(/record version 99; this studio reads up to 2/);
    expect(() => migrateExperimentRecord('junk')).toThrow(StudioError);
  });
});
