/**
 * The models a reload must not lose: the best trial of each saved search, read back from the
 * checkpoints persistence.ts stores after every epoch, for the models list and the drawing pad.
 */
import type { TrialSnapshot } from './trial';
import { bestTrial } from './experiment';
import { CHECKPOINT_KINDS, listExperiments, loadCheckpoint, loadExperiment } from './persistence';

/** The best checkpoint of one saved search. */
export interface StoredModel {
  experimentId: string;
  trialId: string;
  /** When the search started, milliseconds since the epoch. */
  createdAt: number;
  valAcc: number;
  epoch: number;
  snapshot: TrialSnapshot;
}

/** How many earlier searches the models list offers. */
const STORED_MODELS_LIMIT = 10;

/** The best model of each saved search that has one, newest search first. */
export async function loadStoredModels(limit = STORED_MODELS_LIMIT): Promise<StoredModel[]> {
  const summaries = (await listExperiments()).filter((s) => s.bestValAcc !== null).slice(0, limit);
  const models = await Promise.all(
    summaries.map(async (summary): Promise<StoredModel | null> => {
      const record = await loadExperiment(summary.id).catch(() => null);
      const best = record && bestTrial(record.state);
      if (!best?.best) return null;
      const snapshot = await loadCheckpoint(summary.id, best.id, CHECKPOINT_KINDS.best).catch(() => null);
      if (!snapshot) return null;
      return { experimentId: summary.id, trialId: best.id, createdAt: summary.createdAt, valAcc: best.best.val_acc, epoch: best.best.epoch, snapshot };
    }),
  );
  return models.filter((m): m is StoredModel => m !== null);
}
