import type { StateCreator } from 'zustand';
import type { ImportedModel } from '../export/importModel';
import type { Hyperparameters } from '../model/architecture';
import { DEFAULT_ARCHITECTURE, totalParams, trialHyperparameters } from '../model/registry';
import type { TorchStateDict } from '../model/stateDict';
import type { PretrainedModel } from '../pretrained/loadPretrained';
import { bestTrial } from '../tune/experiment';
import { loadStoredModels, type StoredModel } from '../tune/storedModels';
import type { TrialSnapshot } from '../tune/trial';
import type { SearchView } from './searchSlice';
import type { StudioState } from './store';

/** Where a model the user can test came from. */
export const MODEL_KINDS = {
  /** A trial of the search on screen. */
  trial: 'trial',
  /** The best trial of an earlier search, read back from IndexedDB. */
  stored: 'stored',
  imported: 'imported',
  /** The model the studio ships, trained by `npm run pretrain`. */
  pretrained: 'pretrained',
} as const;
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
  /** The trial id, the imported file's name, or "pretrained". */
  name: string;
  /** The experiment a stored model came from; null for the others. */
  experimentId: string | null;
  /** The search's best trial. */
  isBest: boolean;
  /** The registered architecture's name (`Classifier`, `gapnet`, ...). */
  model: string;
  /** Its hyperparameters (`{ f1: 8, f2: 6 }`, `{ c1: 10, ... }`). */
  hyperparameters: Hyperparameters;
  totalParams: number;
  stateDict: TorchStateDict;
  /** A trial's best val_acc and the epoch it came from (the pretrained model's too); null for imports. */
  valAcc: number | null;
  epoch: number | null;
  /** A trial's best-epoch snapshot (what its export writes); null for imports and the pretrained model. */
  snapshot: TrialSnapshot | null;
}

/** Where loading the shipped pretrained model stands. */
export type PretrainedState =
  | { status: 'loading' }
  | { status: 'ready'; model: PretrainedModel }
  | { status: 'error'; message: string };

/** Models that do not belong to the search on screen. */
export interface OtherModels {
  stored?: readonly StoredModel[];
  pretrained?: PretrainedModel | null;
}

/** The models on offer and which one the drawing pad and the test-set explorer use. */
export interface ModelsSlice {
  importedModels: ImportedEntry[];
  /** The user's choice; null (or an id no longer on offer) means the default: see {@link chooseModel}. */
  selectedModelId: string | null;
  /** The best model of each earlier search, newest first, as stored in IndexedDB. */
  storedModels: StoredModel[];
  pretrained: PretrainedState;
  /** Adds an imported checkpoint and selects it, since the user just asked for it; returns its id. */
  addImportedModel: (model: ImportedModel) => string;
  selectModel: (id: string) => void;
  /** Reads the stored models back (at start-up, and when a search ends). */
  refreshStoredModels: () => Promise<void>;
  setPretrained: (state: PretrainedState) => void;
}

/**
 * The architecture a trial's snapshot trained and its hyperparameters, from the snapshot's config;
 * configs saved before the studio had other architectures name none and are the Classifier's.
 */
function snapshotModel(snapshot: TrialSnapshot): Pick<ModelChoice, 'model' | 'hyperparameters' | 'totalParams'> {
  const model = snapshot.config.model ?? DEFAULT_ARCHITECTURE;
  const hyperparameters = trialHyperparameters(snapshot.config);
  return { model, hyperparameters, totalParams: totalParams(model, hyperparameters) };
}

/** A stored model as the list offers it. */
function storedChoice(stored: StoredModel): ModelChoice {
  const { snapshot } = stored;
  return {
    id: `${MODEL_KINDS.stored}:${stored.experimentId}/${stored.trialId}`,
    version: `${stored.experimentId}/${stored.trialId}@${snapshot.state.epoch}`,
    kind: MODEL_KINDS.stored,
    name: stored.trialId,
    experimentId: stored.experimentId,
    isBest: false,
    ...snapshotModel(snapshot),
    stateDict: snapshot.stateDict,
    valAcc: stored.valAcc,
    epoch: stored.epoch,
    snapshot,
  };
}

/** The id of the shipped pretrained model in the list. */
const PRETRAINED_MODEL_ID = MODEL_KINDS.pretrained;

/** A Classifier read from a file (the pretrained model), as a choice's model fields. */
function classifierModel({ f1, f2 }: { f1: number; f2: number }): Pick<ModelChoice, 'model' | 'hyperparameters' | 'totalParams'> {
  const hyperparameters = { f1, f2 };
  return { model: DEFAULT_ARCHITECTURE, hyperparameters, totalParams: totalParams(DEFAULT_ARCHITECTURE, hyperparameters) };
}

function pretrainedChoice(model: PretrainedModel): ModelChoice {
  return {
    id: PRETRAINED_MODEL_ID,
    version: `${PRETRAINED_MODEL_ID}@${model.provenance.trainedAt}`,
    kind: MODEL_KINDS.pretrained,
    name: 'pretrained',
    experimentId: null,
    isBest: false,
    ...classifierModel(model),
    stateDict: model.stateDict,
    valAcc: model.provenance.valAcc,
    epoch: model.provenance.epochs,
    snapshot: null,
  };
}

/**
 * The models on offer: the search's best trial first, then its other trials with a best
 * checkpoint, then earlier searches' best models, then imports in order, then the pretrained model.
 */
export function listModels(
  search: SearchView | null,
  bestCheckpoints: Readonly<Record<string, TrialSnapshot>>,
  imported: readonly ImportedEntry[],
  others: OtherModels = {},
): ModelChoice[] {
  const trials: ModelChoice[] = [];
  if (search) {
    const bestId = bestTrial(search.experiment)?.id ?? null;
    for (const trial of search.experiment.trials) {
      const snapshot = bestCheckpoints[trial.id];
      if (!snapshot) continue;
      trials.push({
        id: `${MODEL_KINDS.trial}:${trial.id}`,
        version: `${search.experimentId}/${trial.id}@${snapshot.state.epoch}`,
        kind: MODEL_KINDS.trial,
        name: trial.id,
        experimentId: search.experimentId,
        isBest: trial.id === bestId,
        ...snapshotModel(snapshot),
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
    experimentId: null,
    isBest: false,
    model: model.model,
    hyperparameters: model.hyperparameters,
    totalParams: model.totalParams,
    stateDict: model.stateDict,
    valAcc: null,
    epoch: null,
    snapshot: null,
  }));
  const stored = (others.stored ?? []).filter((m) => m.experimentId !== search?.experimentId).map(storedChoice);
  const pretrained = others.pretrained ? [pretrainedChoice(others.pretrained)] : [];
  return [...trials, ...stored, ...imports, ...pretrained];
}

/**
 * The selected model: the user's choice while it is on offer, else the search's best trial, else
 * the last import, else the newest earlier search's best, else the pretrained model. So the
 * user's own trained model takes over from the pretrained one as soon as it exists.
 */
export function chooseModel(models: readonly ModelChoice[], selectedId: string | null): ModelChoice | null {
  return (
    models.find((m) => m.id === selectedId) ??
    models.find((m) => m.isBest) ??
    models.findLast((m) => m.kind === MODEL_KINDS.imported) ??
    models.find((m) => m.kind === MODEL_KINDS.stored) ??
    models[0] ??
    null
  );
}

let importCount = 0;

export const createModelsSlice: StateCreator<StudioState, [], [], ModelsSlice> = (set, get) => ({
  importedModels: [],
  selectedModelId: null,
  storedModels: [],
  pretrained: { status: 'loading' },
  addImportedModel: (model) => {
    const id = `${MODEL_KINDS.imported}:${++importCount}`;
    set({ importedModels: [...get().importedModels, { id, model }], selectedModelId: id });
    return id;
  },
  selectModel: (id) => set({ selectedModelId: id }),
  refreshStoredModels: async () => {
    try {
      set({ storedModels: await loadStoredModels() });
    } catch {
      // Without IndexedDB there is nothing stored to offer; the search panel says why saving fails.
    }
  },
  setPretrained: (pretrained) => set({ pretrained }),
});
