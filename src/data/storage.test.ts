import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { get, set, createStore } from 'idb-keyval';
import { STORAGE_AREAS, STORAGE_DB, STORAGE_VERSION, storageArea, storageKey } from './storage';

const raw = createStore(STORAGE_DB.name, STORAGE_DB.store);

describe('storage module', () => {
  const mnist = storageArea(STORAGE_AREAS.mnist);
  const experiments = storageArea(STORAGE_AREAS.experiments);

  beforeEach(async () => {
    await mnist.clear();
    await experiments.clear();
  });

  it('keys every entry by version, area and name', () => {
    expect(storageKey(STORAGE_AREAS.mnist, 'shard/train-00.bin')).toBe(`v${STORAGE_VERSION}/mnist/shard/train-00.bin`);
  });

  it('stores, reads, lists and deletes binary values', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    await mnist.set('shard/a', { bytes, sha256: 'x' });
    expect(await mnist.get('shard/a')).toEqual({ bytes, sha256: 'x' });
    expect(await get(`v${STORAGE_VERSION}/mnist/shard/a`, raw)).toEqual({ bytes, sha256: 'x' });
    expect(await mnist.names()).toEqual(['shard/a']);
    await mnist.delete('shard/a');
    expect(await mnist.get('shard/a')).toBeUndefined();
    await mnist.delete('never-there');
  });

  it('keeps areas apart', async () => {
    await mnist.set('a', 1);
    await experiments.set('a', 2);
    expect(await mnist.get('a')).toBe(1);
    expect(await experiments.get('a')).toBe(2);
    await mnist.clear();
    expect(await mnist.names()).toEqual([]);
    expect(await experiments.names()).toEqual(['a']);
  });

  it('ignores entries of other key versions, and clears them with the area', async () => {
    await set(`v${STORAGE_VERSION + 1}/mnist/future`, 'new layout', raw);
    await set('v0/mnist/old', 'old layout', raw);
    await set('unrelated', 'kept', raw);
    expect(await mnist.names()).toEqual([]);
    await mnist.clear();
    expect(await get('v0/mnist/old', raw)).toBeUndefined();
    expect(await get(`v${STORAGE_VERSION + 1}/mnist/future`, raw)).toBeUndefined();
    expect(await get('unrelated', raw)).toBe('kept');
  });
});
