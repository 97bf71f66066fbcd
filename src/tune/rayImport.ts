/**
 * Reads a Ray Tune results folder (`ray_results/<experiment>/`, as Ray writes it or as the
 * studio's own export writes it) into the studio's experiment state, as if the studio had run
 * the search: one trial per folder that holds `result.json` or `params.json`, its config from
 * `params.json` (else the rows' `config`), its epochs from `result.json` (else `progress.csv`),
 * and its checkpoints from `checkpoint_*` folders. Runs nothing from the files; `.pkl` files
 * (Ray's pickles) are never read.
 */
import { EXPERIMENT_VERSION, TRIAL_STATUS, bestTrial, type EpochMetrics, type ExperimentState, type TrialRecord, type TrialStatus } from './experiment';
import type { StoredExperiment } from './persistence';
import { createSchedulerState } from './scheduler';
import { serializeSpace } from './serialize';
import {
  DEFAULT_SETTINGS,
  DEFAULT_TRIAL_CONFIG,
  HYPERPARAMETERS,
  paramNumber,
  RECIPE_KEYS,
  SCHEDULERS,
  trialKeys,
  type Domain,
  type RunSettings,
  type SearchSpace,
} from './space';
import { parseJsonLine, rowsFromCsv, rowsFromJsonLines, type Row } from './rayResultFiles';

export { filesFromZip, parseCsv } from './rayResultFiles';

/** Files of a dropped folder or zip, by path relative to what was dropped ('/'-separated). */
export type RayResultsFiles = ReadonlyMap<string, Uint8Array>;

/** Why a folder could not be read as Ray Tune results (the message says what was expected). */
export class RayImportError extends Error {
  override name = 'RayImportError';
}

/** How to read the results: which field is val_acc, and how much to accept. */
export interface RayImportOptions {
  /** The result field read as the studio's val_acc (default: val_acc, else a known accuracy name). */
  metric?: string;
  /** Largest total size accepted, in bytes. */
  maxBytes?: number;
}

/** A trial checkpoint file found in the folder. */
export interface RayCheckpointFile {
  trialId: string;
  /** The epoch (training_iteration) it was saved after, when the results say so. */
  epoch: number | null;
  path: string;
  bytes: Uint8Array;
}

/** A ray_results folder read into the studio's terms. */
export interface RayImport {
  /** The experiment's folder name (the top folder of what was dropped, or the last one holding trials). */
  name: string;
  state: ExperimentState;
  /** The result field read as val_acc. */
  metric: string;
  /** The best trial's checkpoint (its best epoch's when kept, else its latest), when the folder has one. */
  bestCheckpoint: RayCheckpointFile | null;
  warnings: string[];
}

/** The largest folder or zip read by default (checkpoints included). */
const DEFAULT_MAX_RAY_RESULTS_BYTES = 256 * 1024 * 1024;

/** Accuracy-like result fields tried, in order, when the results have no val_acc. */
const METRIC_FALLBACKS = ['val_acc', 'val_accuracy', 'mean_accuracy', 'accuracy', 'acc'] as const;


const decoder = new TextDecoder('utf-8');
const text = (bytes: Uint8Array): string => decoder.decode(bytes);
const dirOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
const baseOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** The trial id Ray wrote into the rows, if any. */
function rowTrialId(rows: readonly Row[]): string | undefined {
  for (const row of rows) if (typeof row.trial_id === 'string') return row.trial_id;
  return undefined;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

interface TrialFolder {
  dir: string;
  files: Map<string, Uint8Array>;
}

/** Folders holding a trial: those with a result.json or params.json of their own. */
function trialFolders(files: RayResultsFiles): TrialFolder[] {
  const dirs = new Set<string>();
  for (const path of files.keys()) {
    const base = baseOf(path);
    if (base === 'result.json' || base === 'params.json') dirs.add(dirOf(path));
  }
  return [...dirs].sort().map((dir) => {
    const prefix = dir === '' ? '' : `${dir}/`;
    const own = new Map<string, Uint8Array>();
    for (const [path, bytes] of files) if (path.startsWith(prefix)) own.set(path.slice(prefix.length), bytes);
    return { dir, files: own };
  });
}

/** The studio's own experiment_state.json (it carries the run settings and statuses), when present. */
interface StudioSummary {
  settings?: Partial<RunSettings>;
  trials?: { trial_id: string; status?: string }[];
}

function readStudioSummary(files: RayResultsFiles, root: string): StudioSummary | null {
  const bytes = files.get(root === '' ? 'experiment_state.json' : `${root}/experiment_state.json`);
  if (!bytes) return null;
  try {
    const value = JSON.parse(text(bytes)) as StudioSummary;
    return typeof value === 'object' && value !== null && typeof value.settings === 'object' ? value : null;
  } catch {
    return null;
  }
}

function chooseMetric(rows: readonly Row[], requested: string | undefined): string {
  if (requested !== undefined) {
    if (!rows.some((r) => num(r[requested]) !== undefined)) {
      throw new RayImportError(`no result has a numeric '${requested}'; fields seen: ${[...new Set(rows.flatMap(Object.keys))].join(', ')}`);
    }
    return requested;
  }
  const found = METRIC_FALLBACKS.find((name) => rows.some((r) => num(r[name]) !== undefined));
  if (!found) {
    const fields = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => num(r[k]) !== undefined)))];
    throw new RayImportError(`the results have no val_acc (nor ${METRIC_FALLBACKS.slice(1).join(', ')}); name the field to read as val_acc (numeric fields: ${fields.join(', ')})`);
  }
  return found;
}

function epochMetrics(row: Row, metric: string, index: number): EpochMetrics {
  const metrics: EpochMetrics = { epoch: num(row.training_iteration) ?? num(row.epoch) ?? index + 1, val_acc: num(row[metric]) ?? Number.NaN };
  const optional = {
    val_loss: num(row.val_loss),
    train_loss: num(row.train_loss),
    total_params: num(row.total_params),
    time_s: num(row.time_s) ?? num(row.time_this_iter_s),
    samples_per_s: num(row.samples_per_s),
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (metrics as unknown as Record<string, number>)[key] = value;
  return metrics;
}

function bestOf(history: readonly EpochMetrics[]): EpochMetrics | null {
  let best: EpochMetrics | null = null;
  for (const m of history) if (!Number.isNaN(m.val_acc) && (best === null || m.val_acc > best.val_acc)) best = m;
  return best;
}

interface ReadTrial {
  record: TrialRecord;
  model: string;
  maxEpochs: number | null;
  checkpoints: RayCheckpointFile[];
}

const STATUSES = new Set<string>(Object.values(TRIAL_STATUS));

function readTrial(folder: TrialFolder, metric: string, rows: Row[], params: Row | null, studioStatus: string | undefined, unknownKeys: Set<string>, defaulted: Set<string>): ReadTrial {
  const configSource: Row = params ?? (rows.find((r) => typeof r.config === 'object' && r.config !== null)?.config as Row | undefined) ?? {};
  const config = { ...DEFAULT_TRIAL_CONFIG };
  // Only the trial's own model's widths are expected (a Classifier trial has no c1).
  const expected = trialKeys(modelOf(configSource));
  for (const name of HYPERPARAMETERS) {
    const value = paramNumber(name, configSource[name]);
    if (value === undefined && !RECIPE_KEYS.includes(name) && expected.includes(name)) defaulted.add(name);
    if (value !== undefined) config[name] = value;
  }
  for (const key of Object.keys(configSource)) {
    if (!(HYPERPARAMETERS as readonly string[]).includes(key) && !['max_num_epochs', 'model', 'seed'].includes(key)) unknownKeys.add(key);
  }
  const trialId = rowTrialId(rows) ?? (baseOf(folder.dir) || 'trial');
  const history = rows.map((row, i) => epochMetrics(row, metric, i));
  const last = rows[rows.length - 1];
  const maxEpochs = num(configSource.max_num_epochs) ?? null;
  const lastEpoch = history[history.length - 1]?.epoch ?? 0;
  let status: TrialStatus;
  if (studioStatus && STATUSES.has(studioStatus)) status = studioStatus as TrialStatus;
  else if (folder.files.has('error.txt')) status = TRIAL_STATUS.error;
  else if (last?.done === true || (maxEpochs !== null && lastEpoch >= maxEpochs)) status = TRIAL_STATUS.terminated;
  else status = TRIAL_STATUS.stopped;
  const error = folder.files.has('error.txt') ? text(folder.files.get('error.txt') ?? new Uint8Array()).trim().split('\n').slice(-1)[0] ?? 'error' : null;

  // Ray 2.x names each result's checkpoint folder in `checkpoint_dir_name`.
  const epochOfCheckpoint = new Map<string, number>();
  rows.forEach((row, i) => {
    if (typeof row.checkpoint_dir_name === 'string') epochOfCheckpoint.set(row.checkpoint_dir_name, history[i]!.epoch);
  });
  const checkpoints: RayCheckpointFile[] = [];
  for (const [path, bytes] of folder.files) {
    // Ray's checkpoint_<n>/ folders, or a checkpoint.pt beside result.json (objective.py run alone: its last epoch).
    const match = /^(?:(checkpoint_[^/]+)\/(?:.*\/)?)?[^/]+\.(pt|pth)$/.exec(path);
    if (!match) continue;
    const epoch = match[1] === undefined ? lastEpoch : (epochOfCheckpoint.get(match[1]) ?? null);
    checkpoints.push({ trialId, epoch, path: folder.dir === '' ? path : `${folder.dir}/${path}`, bytes });
  }
  checkpoints.sort((a, b) => (a.epoch ?? -1) - (b.epoch ?? -1) || a.path.localeCompare(b.path));
  const record: TrialRecord = {
    id: trialId,
    config,
    totalParams: history.find((m) => m.total_params !== undefined)?.total_params ?? null,
    status,
    history,
    best: bestOf(history),
    failures: status === TRIAL_STATUS.error ? 1 : 0,
    error,
    stopReason: status === TRIAL_STATUS.stopped ? 'scheduler' : null,
  };
  return { record, maxEpochs, checkpoints, model: modelOf(configSource) };
}

/** The architecture a trial's config names (`model`, as main.py's param_space carries it), or the default. */
function modelOf(config: Row): string {
  return typeof config.model === 'string' ? config.model : DEFAULT_SETTINGS.model;
}

/** The space as the trials sampled it: one value is fixed, several are a choice among them. */
function sampledSpace(trials: readonly TrialRecord[]): SearchSpace {
  const space = {} as SearchSpace;
  for (const name of HYPERPARAMETERS) {
    const values = [...new Set(trials.map((t) => t.config[name]))].sort((a, b) => a - b);
    space[name] = values.length === 1 ? { kind: 'fixed', value: values[0]! } : ({ kind: 'choice', values } satisfies Domain);
  }
  return space;
}

/**
 * Reads a ray_results experiment folder (or a folder above one, or a zip of either) into the
 * studio's experiment state. Throws a `RayImportError` naming the problem when nothing fits.
 */
export function readRayResults(files: RayResultsFiles, options: RayImportOptions = {}): RayImport {
  const total = [...files.values()].reduce((n, b) => n + b.byteLength, 0);
  if (total > (options.maxBytes ?? DEFAULT_MAX_RAY_RESULTS_BYTES)) throw new RayImportError(`the results are ${total} bytes, over the size limit`);
  const folders = trialFolders(files);
  if (folders.length === 0) throw new RayImportError('no trial folders found: expected folders holding result.json or params.json, as Ray Tune writes under ray_results/<experiment>/');
  const warnings: string[] = [];
  const parsed = folders.map((folder) => {
    const json = folder.files.get('result.json');
    const csv = folder.files.get('progress.csv');
    const label = folder.dir || '.';
    const rows = json ? rowsFromJsonLines(`${label}/result.json`, text(json), warnings) : csv ? rowsFromCsv(text(csv)) : [];
    let params: Row | null = null;
    const paramsBytes = folder.files.get('params.json');
    if (paramsBytes) {
      try {
        params = parseJsonLine(text(paramsBytes)) as Row;
      } catch {
        warnings.push(`${label}/params.json is not JSON; the config comes from result.json`);
      }
    }
    return { folder, rows, params };
  });
  const metric = chooseMetric(parsed.flatMap((p) => p.rows), options.metric);
  if (metric !== 'val_acc') warnings.push(`'${metric}' is read as val_acc`);

  const root = folders.length === 1 ? dirOf(folders[0]!.dir) : commonDir(folders.map((f) => f.dir));
  const studio = readStudioSummary(files, root);
  const studioStatus = new Map((studio?.trials ?? []).map((t) => [t.trial_id, t.status]));
  const unknownKeys = new Set<string>();
  const defaulted = new Set<string>();
  const trials = parsed.map(({ folder, rows, params }) => {
    const trialId = rowTrialId(rows) ?? (baseOf(folder.dir) || 'trial');
    return readTrial(folder, metric, rows, params, studioStatus.get(trialId), unknownKeys, defaulted);
  });
  const ids = new Set<string>();
  for (const trial of trials) {
    if (ids.has(trial.record.id)) throw new RayImportError(`two trial folders have the trial id ${trial.record.id}; drop one experiment at a time`);
    ids.add(trial.record.id);
  }
  if (unknownKeys.size > 0) warnings.push(`config keys the studio does not search are ignored: ${[...unknownKeys].sort().join(', ')}`);
  if (defaulted.size > 0) warnings.push(`not in the trials' configs, so the studio's defaults are shown: ${[...defaulted].join(', ')}`);

  const records = trials.map((t) => t.record);
  const longest = Math.max(1, ...records.map((r) => r.history[r.history.length - 1]?.epoch ?? 0));
  const maxNumEpochs = Math.max(longest, ...trials.map((t) => t.maxEpochs ?? 0));
  const settings: RunSettings = {
    ...DEFAULT_SETTINGS,
    model: trials[0]?.model ?? DEFAULT_SETTINGS.model,
    scheduler: SCHEDULERS.fifo,
    ...(studio?.settings ?? {}),
    numTrials: studio?.settings?.numTrials ?? records.length,
    maxNumEpochs: studio?.settings?.maxNumEpochs ?? maxNumEpochs,
  };
  const state: ExperimentState = {
    version: EXPERIMENT_VERSION,
    space: sampledSpace(records),
    settings,
    trials: records,
    scheduler: createSchedulerState(settings),
    stopped: false,
  };

  const best = bestTrial(state);
  const bestCheckpoints = trials.find((t) => t.record === best)?.checkpoints ?? [];
  const bestCheckpoint = bestCheckpoints.find((c) => c.epoch !== null && c.epoch === best?.best?.epoch) ?? bestCheckpoints[bestCheckpoints.length - 1] ?? null;
  const name = baseOf(root) || baseOf(folders[0]!.dir) || 'ray_results';
  return { name, state, metric, bestCheckpoint, warnings };
}

function commonDir(dirs: readonly string[]): string {
  const parts = dirs.map((d) => d.split('/'));
  const first = parts[0] ?? [];
  let n = 0;
  while (n < first.length && parts.every((p) => p[n] === first[n])) n++;
  return first.slice(0, n).join('/');
}

/**
 * The imported search as a saved experiment, so the history lists it beside the studio's own:
 * its config.yaml is the space its trials sampled, and its backend reads `ray`.
 */
export function rayExperimentRecord(imported: RayImport, id: string, now: number): StoredExperiment {
  return {
    id,
    configText: `# Imported from the Ray Tune results folder ${imported.name} (metric ${imported.metric}).\n${serializeSpace(imported.state.space, imported.state.settings)}`,
    overrides: [],
    createdAt: now,
    updatedAt: now,
    backend: 'ray',
    state: imported.state,
  };
}
