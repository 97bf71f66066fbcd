/**
 * Experiments in IndexedDB: after every epoch the search (config, trial states, metrics) and each
 * trial's last and best-epoch checkpoints are saved, so a reload, a crash or a closed tab resumes
 * where it stopped, as Ray's Tuner.restore does.
 */
import { STORAGE_AREAS, storageArea, storeTogether } from '../data/storage';
import { StudioError } from '../studioError';
import type { TrialSnapshot } from './trial';
import { isSearchFinished, restoreExperiment, serializeExperiment, type ExperimentState } from './experiment';

/** Which checkpoint of a trial: the latest epoch (to resume) or its best epoch (to export). */
export const CHECKPOINT_KINDS = { last: 'last', best: 'best' } as const;
export type CheckpointKind = (typeof CHECKPOINT_KINDS)[keyof typeof CHECKPOINT_KINDS];

/** One saved search. */
export interface StoredExperiment {
  id: string;
  /** The config.yaml text and the overrides it ran with. */
  configText: string;
  overrides: string[];
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
  /** How long the search has run, over every page that ran it (absent in records saved before it was kept). */
  elapsedMs?: number;
  /** The tfjs backend the trials asked for, and the data limits. */
  backend: string;
  trainLimit?: number;
  valLimit?: number;
  state: ExperimentState;
}

/** What the history list shows without loading every experiment's metrics twice. */
export interface ExperimentSummary {
  id: string;
  createdAt: number;
  updatedAt: number;
  trials: number;
  finished: boolean;
  bestValAcc: number | null;
  /** What was searched and how, for the history's one-line summary. */
  space: ExperimentState['space'];
  settings: ExperimentState['settings'];
}

/**
 * Version of a stored experiment record. 1: the first layout, with no version field; 2: the same
 * fields plus `version`. A record from a newer studio is refused rather than misread.
 */
export const EXPERIMENT_RECORD_VERSION = 2;

/** An experiment as IndexedDB holds it: versioned, with its state as JSON text. */
type StoredRecord = Omit<StoredExperiment, 'state'> & { state: string; version?: number };

/** A stored record brought to the current version, or an error naming what is wrong with it. */
export function migrateExperimentRecord(stored: unknown): StoredRecord {
  if (typeof stored !== 'object' || stored === null) throw new StudioError('the saved experiment is not a record');
  const record = stored as Partial<StoredRecord>;
  const version = record.version ?? 1;
  if (typeof version !== 'number' || version > EXPERIMENT_RECORD_VERSION) {
    throw new StudioError(`the saved experiment has record version ${String(version)}; this studio reads up to ${EXPERIMENT_RECORD_VERSION}, so a newer studio saved it`);
  }
  if (typeof record.id !== 'string' || typeof record.state !== 'string') throw new StudioError('the saved experiment lacks its id or state');
  // 1 -> 2 added only the version field; the overrides list may be absent from the oldest records.
  return { ...(record as StoredRecord), overrides: Array.isArray(record.overrides) ? record.overrides : [], version: EXPERIMENT_RECORD_VERSION };
}

const experiments = () => storageArea(STORAGE_AREAS.experiments);
const checkpoints = () => storageArea(STORAGE_AREAS.checkpoints);

const checkpointName = (experimentId: string, trialId: string, kind: CheckpointKind) => `${experimentId}/${trialId}/${kind}`;

/** A new experiment id: sortable by time, unique within a browser. */
export function newExperimentId(now = Date.now()): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `exp-${stamp}-${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0')}`;
}

/** Saves (or replaces) an experiment record. */
export async function saveExperiment(record: StoredExperiment): Promise<void> {
  // The state goes in as JSON text: a plain, versioned copy that restoreExperiment checks on the way back.
  // One put is one IndexedDB transaction: the record is replaced whole or not at all.
  const stored: StoredRecord = { ...record, state: serializeExperiment(record.state), version: EXPERIMENT_RECORD_VERSION };
  await experiments().set(record.id, stored);
}

/** Reads an experiment back; trials that were running are pending again, ready to resume. */
export async function loadExperiment(id: string): Promise<StoredExperiment | null> {
  const raw = await experiments().get<unknown>(id);
  if (raw === undefined) return null;
  const stored: Partial<StoredRecord> = migrateExperimentRecord(raw);
  delete stored.version;
  return { ...(stored as StoredRecord), state: restoreExperiment((stored as StoredRecord).state) };
}

/** Every saved experiment, newest first. */
export async function listExperiments(): Promise<ExperimentSummary[]> {
  const ids = await experiments().names();
  const records = await Promise.all(ids.map((id) => loadExperiment(id).catch(() => null)));
  return records
    .filter((r): r is StoredExperiment => r !== null)
    .map((r) => {
      const best = r.state.trials.reduce<number | null>((acc, t) => (t.best && (acc === null || t.best.val_acc > acc) ? t.best.val_acc : acc), null);
      return {
        id: r.id,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        trials: r.state.trials.length,
        finished: isSearchFinished(r.state) || r.state.stopped,
        bestValAcc: best,
        space: r.state.space,
        settings: r.state.settings,
      };
    })
    .sort((a, b) => b.createdAt - a.createdAt);
}

/** Deletes an experiment and all of its checkpoints. */
export async function deleteExperiment(id: string): Promise<void> {
  const store = checkpoints();
  const names = (await store.names()).filter((name) => name.startsWith(`${id}/`));
  await Promise.all(names.map((name) => store.delete(name)));
  await experiments().delete(id);
}

/**
 * Saves a trial's last checkpoint and, when it is also its best epoch, its best checkpoint, in one
 * transaction, so the best checkpoint can never be older than a last one that claims to be best.
 */
export function saveTrialCheckpoints(experimentId: string, trialId: string, snapshot: TrialSnapshot, best: boolean): Promise<void> {
  const kinds = best ? [CHECKPOINT_KINDS.last, CHECKPOINT_KINDS.best] : [CHECKPOINT_KINDS.last];
  return storeTogether(kinds.map((kind) => ({ area: STORAGE_AREAS.checkpoints, name: checkpointName(experimentId, trialId, kind), value: snapshot })));
}

/** Saves one checkpoint of a trial. */
export function saveCheckpoint(experimentId: string, trialId: string, kind: CheckpointKind, snapshot: TrialSnapshot): Promise<void> {
  return checkpoints().set(checkpointName(experimentId, trialId, kind), snapshot);
}

/** One checkpoint of a trial, or null. */
export async function loadCheckpoint(experimentId: string, trialId: string, kind: CheckpointKind): Promise<TrialSnapshot | null> {
  return (await checkpoints().get<TrialSnapshot>(checkpointName(experimentId, trialId, kind))) ?? null;
}

/**
 * The last checkpoints of an experiment's unfinished trials, to resume them. Every pending trial is
 * looked up, not only those whose record lists an epoch: a tab closed between a trial's first
 * checkpoint and the experiment record that follows it leaves a checkpoint the record does not show.
 */
export async function loadResumeCheckpoints(experiment: StoredExperiment): Promise<Map<string, TrialSnapshot>> {
  const pending = experiment.state.trials.filter((t) => t.status === 'PENDING');
  const entries = await Promise.all(
    pending.map(async (t) => [t.id, await loadCheckpoint(experiment.id, t.id, CHECKPOINT_KINDS.last)] as const),
  );
  return new Map(entries.filter((e): e is readonly [string, TrialSnapshot] => e[1] !== null));
}

/** The newest experiment that still has trials to run, if any (offered for resume after a reload). */
export async function findUnfinishedExperiment(): Promise<StoredExperiment | null> {
  for (const summary of await listExperiments()) {
    if (!summary.finished) return loadExperiment(summary.id);
  }
  return null;
}
