import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RuntimeProbe } from './choice';
import { initBackend } from './init';
import { currentUserAgent, forgetProbes, readCachedProbe, saveProbe } from './probeCache';
import { probeCacheKey, type TrainingProbeResult } from './probeDecision';

const noGpu: RuntimeProbe = { webgpuAvailable: false, webgpuProblem: 'this browser has no navigator.gpu', crossOriginIsolated: false, wasmSimd: true };
const isolated: RuntimeProbe = { ...noGpu, crossOriginIsolated: true };

/** A probe result for `runtime` that chose cpu, which Node can start. */
function resultFor(runtime: RuntimeProbe): TrainingProbeResult {
  return {
    cacheKey: probeCacheKey(runtime, currentUserAgent()),
    measuredAt: 1_700_000_000_000,
    wallMs: 800,
    batch: 64,
    candidates: [{ backend: 'wasm', status: 'failed', error: 'no wasm here' }],
    chosen: 'cpu',
    reason: 'Measured at start-up: no faster backend trained correctly, so cpu, the last resort.',
  };
}

describe('probe cache', () => {
  beforeEach(() => forgetProbes());

  it('misses before a probe, hits after one, and only for the same runtime', async () => {
    expect(await readCachedProbe(noGpu)).toBeUndefined();
    await saveProbe(resultFor(noGpu));
    expect(await readCachedProbe(noGpu)).toEqual(resultFor(noGpu));
    expect(await readCachedProbe(isolated)).toBeUndefined();
    expect(await readCachedProbe(noGpu, 'another browser')).toBeUndefined();
  });

  it('forgets every result, so that the next start measures again', async () => {
    await saveProbe(resultFor(noGpu));
    await saveProbe(resultFor(isolated));
    await forgetProbes();
    expect(await readCachedProbe(noGpu)).toBeUndefined();
    expect(await readCachedProbe(isolated)).toBeUndefined();
  });
});

describe('initBackend with a cached probe', () => {
  beforeEach(() => forgetProbes());

  it("follows the cached choice under auto, as every Worker does, and shows its figures", async () => {
    await saveProbe(resultFor(noGpu));
    const report = await initBackend('auto', noGpu);
    expect(report.chosen).toBe('cpu');
    expect(report.reason).toMatch(/^Measured at start-up/);
    expect(report.measured?.measuredAt).toBe(1_700_000_000_000);
  });

  it('lets an explicit request win over the cached choice', async () => {
    await saveProbe({ ...resultFor(noGpu), chosen: 'wasm' });
    const report = await initBackend('cpu', noGpu);
    expect(report.chosen).toBe('cpu');
    expect(report.reason).toMatch(/^Requested with \?backend=cpu/);
  });

  it('decides by rule without a probe result: wasm, which Node cannot fetch from page URLs, so it falls back to cpu and says so', async () => {
    const report = await initBackend('auto', noGpu, null);
    expect(report.reason).not.toContain('Measured');
    expect(report.measured).toBeUndefined();
    // The rule picks wasm on a machine without WebGPU; its binary's URL is a page path that Node's tfjs cannot open.
    expect(report.fallbackFrom?.backend).toBe('wasm');
    expect(report.chosen).toBe('cpu');
    expect(report.reason).toContain('wasm failed to start');
  });
});
