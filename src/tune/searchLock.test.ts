import { describe, expect, it } from 'vitest';
import { holdSearchLock, isSearchLockHeld, searchLockName, whenSearchLockFree, type SearchLocks } from './searchLock';

/**
 * Exclusive Web Locks in memory, as one origin's tabs share them: a held name queues later
 * requests (in order), `ifAvailable` gets null instead of waiting, and a lock is released when its
 * callback's promise settles (as a closed tab's locks are).
 */
function memoryLocks(): SearchLocks {
  type Callback = (lock: { name: string } | null) => unknown;
  interface Options {
    ifAvailable?: boolean;
    signal?: AbortSignal;
  }
  const held = new Set<string>();
  const queues = new Map<string, (() => void)[]>();
  const grant = (name: string, callback: Callback): Promise<unknown> => {
    held.add(name);
    const done = Promise.resolve().then(() => callback({ name }));
    void done
      .catch(() => undefined)
      .finally(() => {
        held.delete(name);
        queues.get(name)?.shift()?.();
      });
    return done;
  };
  const request = (name: string, optionsOrCallback: Options | Callback, maybeCallback?: Callback): Promise<unknown> => {
    const options: Options = typeof optionsOrCallback === 'function' ? {} : optionsOrCallback;
    const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback;
    if (!callback) return Promise.reject(new Error('no callback'));
    if (!held.has(name)) return grant(name, callback);
    if (options.ifAvailable) return Promise.resolve().then(() => callback(null));
    return new Promise((resolve, reject) => {
      const queue = queues.get(name) ?? [];
      queues.set(name, queue);
      const turn = () => void grant(name, callback).then(resolve, reject);
      queue.push(turn);
      options.signal?.addEventListener('abort', () => {
        queue.splice(queue.indexOf(turn), 1);
        reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
      });
    });
  };
  return {
    request: request as unknown as SearchLocks['request'],
    query: () => Promise.resolve({ held: [...held].map((name) => ({ name, mode: 'exclusive' as const })), pending: [] }),
  };
}

const settledWithin = async <T>(promise: Promise<T>, ms = 20): Promise<boolean> =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describe('one search per experiment across tabs', () => {
  it('lets one tab hold an experiment; another finds it held, waits, and can take it once the first lets go', async () => {
    const locks = memoryLocks();
    const first = await holdSearchLock('exp-a', locks);
    expect(first).not.toBeNull();
    expect(await isSearchLockHeld('exp-a', locks)).toBe(true);
    // The second tab: read-only while the first holds it.
    expect(await holdSearchLock('exp-a', locks)).toBeNull();
    // Another experiment is not held.
    expect(await isSearchLockHeld('exp-b', locks)).toBe(false);
    expect(await holdSearchLock('exp-b', locks)).not.toBeNull();

    const free = whenSearchLockFree('exp-a', locks);
    expect(await settledWithin(free)).toBe(false);
    first!.release();
    expect(await settledWithin(free)).toBe(true);
    expect(await isSearchLockHeld('exp-a', locks)).toBe(false);
    const second = await holdSearchLock('exp-a', locks);
    expect(second).not.toBeNull();
    second!.release();
  });

  it('stops waiting when asked to', async () => {
    const locks = memoryLocks();
    const held = await holdSearchLock('exp-a', locks);
    const stop = new AbortController();
    const free = whenSearchLockFree('exp-a', locks, stop.signal);
    stop.abort(new Error('the tab moved on'));
    await expect(free).rejects.toThrow('the tab moved on');
    held!.release();
  });

  it('names the lock after the experiment', () => {
    expect(searchLockName('exp-20260101T000000Z-ab12')).toBe('filenest-digit-studio/search/exp-20260101T000000Z-ab12');
  });

  it('runs every search where the browser has no Web Locks', async () => {
    const held = await holdSearchLock('exp-a', null);
    expect(held).not.toBeNull();
    expect(await holdSearchLock('exp-a', null)).not.toBeNull();
    expect(await isSearchLockHeld('exp-a', null)).toBe(false);
    await expect(whenSearchLockFree('exp-a', null)).resolves.toBeUndefined();
  });
});
