import { describe, expect, it, vi } from 'vitest';
import { STORAGE_AREAS, STORAGE_FAILURES, StorageError, storageArea } from './storage';

// No fake-indexeddb here: this file checks what happens when the browser refuses storage.
describe('storage failures', () => {
  it('reports a missing IndexedDB as "unavailable", with what to do', async () => {
    const error = await storageArea(STORAGE_AREAS.mnist).get('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).failure).toBe(STORAGE_FAILURES.unavailable);
    expect((error as StorageError).message).toMatch(/Allow site data/);
  });

  it('reports a full disk as "quota", with what to do', async () => {
    vi.stubGlobal('indexedDB', {});
    vi.resetModules();
    vi.doMock('idb-keyval', () => ({
      createStore: () => () => Promise.resolve(),
      get: () => Promise.resolve(undefined),
      keys: () => Promise.resolve([]),
      del: () => Promise.resolve(),
      delMany: () => Promise.resolve(),
      set: () => Promise.reject(new DOMException('full', 'QuotaExceededError')),
    }));
    const storage = await import('./storage');
    const error = await storage.storageArea(storage.STORAGE_AREAS.mnist).set('x', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(storage.StorageError);
    expect((error as StorageError).failure).toBe(STORAGE_FAILURES.quota);
    expect((error as StorageError).message).toMatch(/storage for this site is full/);
    vi.doUnmock('idb-keyval');
    vi.unstubAllGlobals();
  });
});
