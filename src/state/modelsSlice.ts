import type { StateCreator } from 'zustand';
import type { ImportedModel } from '../export/importModel';
import { totalParams } from '../model/registry';
import type { TorchStateDict } from '../model/stateDict';
import { bestTrial } from '../tune/experiment';
import type { TrialSnapshot } from '../workers/protocol';
import type { SearchView } from './searchSlice';
import type { StudioState } from './store';

/** Where a model the user can test came from. */
export const MODEL_KINDS = { trial: 'trial', imported: 'imported' } as const;
export type ModelKind = (typeof MODEL_KINDS)[keyof typeof MODEL_KINDS];

/** A checkpoint the user brought in, under the id the selector uses. */
export interface ImportedEntry {
  id: string;
  model: ImportedModel;
}

/** A model the user can draw with, evaluate and (for a trial) export. */
export interface ModelChoice {
  /** Stable while the model's weights change (a trial's best checkpoint improves). */
  id: string;
  /** Names these exact weights: it changes whenever they do. */
  version: string;
  kind: ModelKind;
  /** The trial id or the imported file's name. */
  name: string;
  /** The search's best trial. */
  isBest: boolean;
  f1: number;
  f2: number;
  totalParams: number;
  stateDict: TorchStateDict;
  /** A trial's best val_acc and the epoch it came from; null for imports. */
  valAcc: number | null;
  epoch: number | null;
  /** A trial's best-epoch snapshot (what its export writes); null for imports. */
  snapshot: TrialSnapshot | null;
}

/** The models on offer and which one the drawing pad and the test-set explorer use. */
export interface ModelsSlice {
  importedModels: ImportedEntry[];
  /** The user's choice; null (or an id no longer on offer) means the default: see {@link chooseModel}. */
  selectedModelId: string | null;
  /** Adds an imported checkpoint and selects it, since the user just asked for it; returns its id. */
  addImportedModel: (model: ImportedModel) => string;
  selectModel: (id: string) => void;
}

const hyperparameter = (snapshot: TrialSnapshot, name: string): number => {
  const value = snapshot.config[name];
  if (typeof value !== 'number') throw new Error(`trial config lacks ${name}`);
  return value;
};

/** The models on offer: the best trial first, then the other trials with a best checkpoint, then imports in order. */
export function listModels(
  search: SearchView | null,
  bestCheckpoints: Readonly<Record<string, TrialSnapshot>>,
  imported: readonly ImportedEntry[],
): ModelChoice[] {
  const trials: ModelChoice[] = [];
  if (search) {
    const bestId = bestTrial(search.experiment)?.id ?? null;
    for (const trial of search.experiment.trials) {
      const snapshot = bestCheckpoints[trial.id];
      if (!snapshot) continue;
      const f1 = hyperparameter(snapshot, 'f1');
      const f2 = hyperparameter(snapshot, 'f2');
      trials.push({
        id: `${MODEL_KINDS.trial}:${trial.id}`,
        version: `${search.experimentId}/${trial.id}@${snapshot.state.epoch}`,
        kind: MODEL_KINDS.trial,
        name: trial.id,
        isBest: trial.id === bestId,
        f1,
        f2,
        totalParams: totalParams(snapshot.config.model ?? 'Classifier', { f1, f2 }),
        stateDict: snapshot.stateDict,
        valAcc: trial.best?.val_acc ?? null,
        epoch: trial.best?.epoch ?? snapshot.state.epoch,
        snapshot,
      });
    }
  }
  trials.sort((a, b) => Number(b.isBest) - Number(a.isBest));
  const imports = imported.map(({ id, model }): ModelChoice => ({
    id,
    version: id,
    kind: MODEL_KINDS.imported,
    name: model.name,
    isBest: false,
    f1: model.f1,
    f2: model.f2,
    totalParams: model.totalParams,
    stateDict: model.stateDict,
    valAcc: null,
    epoch: null,
    snapshot: null,
  }));
  return [...trials, ...imports];
}

/** The selected model: the user's choice while it is on offer, else the best trial, else the last import. */
export function chooseModel(models: readonly ModelChoice[], selectedId: string | null): ModelChoice | null {
  return (
    models.find((m) => m.id === selectedId) ??
    models.find((m) => m.isBest) ??
    models.findLast((m) => m.kind === MODEL_KINDS.imported) ??
    models[0] ??
    null
  );
}

let importCount = 0;

export const createModelsSlice: StateCreator<StudioState, [], [], ModelsSlice> = (set, get) => ({
  importedModels: [],
  selectedModelId: null,
  addImportedModel: (model) => {
    const id = `${MODEL_KINDS.imported}:${++importCount}`;
    set({ importedModels: [...get().importedModels, { id, model }], selectedModelId: id });
    return id;
  },
  selectModel: (id) => set({ selectedModelId: id }),
});
