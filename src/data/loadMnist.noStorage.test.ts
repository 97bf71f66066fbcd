import { describe, expect, it } from 'vitest';
import { FAKE_MANIFEST_URL, buildShardsToTemp, serveShards } from '../../scripts/lib/shardServer';
import { loadMnist } from './loadMnist';

// No fake-indexeddb here: the browser offers no IndexedDB (as in some private windows).
describe('loadMnist without IndexedDB', () => {
  it('still loads MNIST, in memory, with a warning that says what to do', async () => {
    const server = serveShards(await buildShardsToTemp());
    const result = await loadMnist({ manifestUrl: FAKE_MANIFEST_URL, fetchImpl: server.fetchImpl });
    expect(result.train.count).toBe(60_000);
    expect(result.source).toBe('network');
    expect(result.cached).toBe(false);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/IndexedDB is not available.*in memory for this visit/);
  });
});
