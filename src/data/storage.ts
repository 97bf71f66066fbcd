import { createStore, del, delMany, get, keys, set, setMany, type UseStore } from 'idb-keyval';

/*
 * The studio's one door to IndexedDB. Every value lives in one object store under a key
 * `v<STORAGE_VERSION>/<area>/<name>`: areas keep features apart, and bumping the version
 * orphans every old entry at once instead of reading a layout the code no longer knows.
 */

/** The IndexedDB database and object store the studio keeps its data in. */
export const STORAGE_DB = { name: 'filenest-digit-studio', store: 'keyval' } as const;

/** Version of the key layout; part of every key. */
export const STORAGE_VERSION = 1;

/** The features that keep data in IndexedDB, each under its own key prefix. */
export const STORAGE_AREAS = {
  mnist: 'mnist',
  experiments: 'experiments',
  checkpoints: 'checkpoints',
  /** Experiment-tracking settings (W&B), kept only when the user asks to remember them. */
  tracking: 'tracking',
  /** The start-up training probe's result, one entry per adapter and browser. */
  backendProbe: 'backend-probe',
} as const;
export type StorageArea = (typeof STORAGE_AREAS)[keyof typeof STORAGE_AREAS];

/** Why a storage call failed, in terms of what the user can do about it. */
export const STORAGE_FAILURES = { quota: 'quota', unavailable: 'unavailable', failed: 'failed' } as const;
export type StorageFailure = (typeof STORAGE_FAILURES)[keyof typeof STORAGE_FAILURES];

const ADVICE: Record<StorageFailure, string> = {
  quota:
    "the browser's storage for this site is full. Free space (clear data of other sites, or this " +
    "studio's cache) or allow the site more storage, then reload.",
  unavailable:
    'IndexedDB is not available here (private window, site data blocked, or a broken profile). ' +
    'Allow site data for this page, or use a normal window, then reload.',
  failed: 'IndexedDB refused the operation. Reload the page; if it persists, clear this site\'s data.',
};

/** A failed IndexedDB operation, with what the user can do about it in its message. */
export class StorageError extends Error {
  readonly failure: StorageFailure;
  constructor(failure: StorageFailure, operation: string, cause: unknown) {
    super(`Could not ${operation}: ${ADVICE[failure]}`, { cause });
    this.name = 'StorageError';
    this.failure = failure;
  }
}

function classify(error: unknown): StorageFailure {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED') return STORAGE_FAILURES.quota;
  if (name === 'InvalidStateError' || name === 'SecurityError' || name === 'UnknownError' || name === 'ReferenceError') {
    return STORAGE_FAILURES.unavailable;
  }
  return STORAGE_FAILURES.failed;
}

let database: UseStore | undefined;

function store(): UseStore {
  if (typeof indexedDB === 'undefined') {
    throw new StorageError(STORAGE_FAILURES.unavailable, 'open IndexedDB', new Error('indexedDB is undefined'));
  }
  database ??= createStore(STORAGE_DB.name, STORAGE_DB.store);
  return database;
}

async function attempt<T>(operation: string, run: (db: UseStore) => Promise<T>): Promise<T> {
  try {
    return await run(store());
  } catch (error) {
    if (error instanceof StorageError) throw error;
    const failure = classify(error);
    // A connection that failed to open stays failed in idb-keyval; open afresh next time.
    if (failure !== STORAGE_FAILURES.quota) database = undefined;
    throw new StorageError(failure, operation, error);
  }
}

/** The full IndexedDB key of `name` within `area`. */
export function storageKey(area: StorageArea, name: string): string {
  return `v${STORAGE_VERSION}/${area}/${name}`;
}

/** One feature's slice of IndexedDB: values keyed by name, isolated from other areas and versions. */
export interface AreaStorage {
  /** The value stored under `name`, or undefined. */
  get<T>(name: string): Promise<T | undefined>;
  /** Stores `value` (anything structured-cloneable) under `name`. */
  set(name: string, value: unknown): Promise<void>;
  /** Removes `name`; no error when absent. */
  delete(name: string): Promise<void>;
  /** Names stored in this area (current key version only). */
  names(): Promise<string[]>;
  /** Removes every entry of this area, old key versions included. */
  clear(): Promise<void>;
}

function areaKeys(all: IDBValidKey[], area: StorageArea, everyVersion: boolean): string[] {
  const current = storageKey(area, '');
  const anyVersion = new RegExp(`^v\\d+/${area}/`);
  return all.filter(
    (key): key is string => typeof key === 'string' && (everyVersion ? anyVersion.test(key) : key.startsWith(current)),
  );
}

/** One value to store in {@link storeTogether}. */
export interface StorageWrite {
  area: StorageArea;
  name: string;
  value: unknown;
}

/**
 * Stores several values, of any areas, in one IndexedDB transaction: either all of them land or
 * none does, so a tab closed mid-save never leaves half an update behind.
 */
export function storeTogether(writes: readonly StorageWrite[]): Promise<void> {
  const what = writes.map((write) => `${write.area}/${write.name}`).join(', ');
  return attempt(`save ${what}`, (db) => setMany(writes.map((write) => [storageKey(write.area, write.name), write.value]), db));
}

/**
 * Asks the browser to keep this site's data under storage pressure (best effort: the browser
 * may say no, and older ones lack the call). Returns whether the data is now persistent.
 */
export async function requestPersistentStorage(): Promise<boolean> {
  try {
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    if (!storage || typeof storage.persist !== 'function') return false;
    return (await storage.persisted()) || (await storage.persist());
  } catch {
    return false;
  }
}

/** Storage scoped to one area; every failure is a StorageError. */
export function storageArea(area: StorageArea): AreaStorage {
  const prefix = storageKey(area, '');
  return {
    get: <T>(name: string) => attempt(`read ${area}/${name}`, (db) => get<T>(storageKey(area, name), db)),
    set: (name, value) => attempt(`save ${area}/${name}`, (db) => set(storageKey(area, name), value, db)),
    delete: (name) => attempt(`delete ${area}/${name}`, (db) => del(storageKey(area, name), db)),
    names: () =>
      attempt(`list ${area}`, async (db) => areaKeys(await keys(db), area, false).map((key) => key.slice(prefix.length))),
    clear: () => attempt(`clear ${area}`, async (db) => delMany(areaKeys(await keys(db), area, true), db)),
  };
}
