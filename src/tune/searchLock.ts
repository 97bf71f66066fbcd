/**
 * One search per experiment across the browser's tabs, through Web Locks: a tab that runs (or
 * resumes) a search holds a lock named after its experiment until the search ends or the tab
 * closes, when the browser releases it. Another tab that opens the same experiment finds the lock
 * held, shows it read-only, and waits for the lock to come free before it offers to resume. Where
 * the browser has no `navigator.locks`, every tab may run it (as before locks existed).
 */

/** The part of `navigator.locks` the studio uses; tests pass an in-memory one. */
export type SearchLocks = Pick<LockManager, 'request' | 'query'>;

/** The browser's lock manager, or null where it has none (older browsers, insecure origins). */
function browserLocks(): SearchLocks | null {
  return typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null;
}

/** The lock a running search of this experiment holds. */
export function searchLockName(experimentId: string): string {
  return `filenest-digit-studio/search/${experimentId}`;
}

/** A held search lock; `release` lets another tab take the experiment. */
export interface HeldSearchLock {
  release(): void;
}

/**
 * Takes the experiment's lock if no tab holds it, and keeps it until `release`; resolves null
 * when another tab holds it. Without Web Locks it always succeeds and guards nothing.
 */
export function holdSearchLock(experimentId: string, locks: SearchLocks | null = browserLocks()): Promise<HeldSearchLock | null> {
  if (!locks) return Promise.resolve({ release: () => undefined });
  return new Promise((resolve, reject) => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((done) => {
      release = done;
    });
    locks
      .request(searchLockName(experimentId), { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(null);
          return undefined;
        }
        resolve({ release });
        return released;
      })
      .catch(reject);
  });
}

/** Whether some tab (this one included) holds the experiment's lock now; false without Web Locks. */
export async function isSearchLockHeld(experimentId: string, locks: SearchLocks | null = browserLocks()): Promise<boolean> {
  if (!locks) return false;
  const name = searchLockName(experimentId);
  const { held = [] } = await locks.query();
  return held.some((lock) => lock.name === name);
}

/**
 * Resolves once the experiment's lock is free (its tab finished the search or closed), without
 * keeping it; rejects with the signal's reason when `signal` aborts first. Resolves at once
 * without Web Locks.
 */
export async function whenSearchLockFree(
  experimentId: string,
  locks: SearchLocks | null = browserLocks(),
  signal?: AbortSignal,
): Promise<void> {
  if (!locks) return;
  await locks.request(searchLockName(experimentId), signal ? { signal } : {}, () => undefined);
}
