import { describe, expect, it } from 'vitest';
import type { RuntimeProbe } from './choice';
import { initBackend } from './init';
import { runMatmulSelfTest } from './selfTest';

// Node has no WebGPU, so a probe that claims a hardware adapter makes the webgpu start fail.
const claimsHardwareGpu: RuntimeProbe = {
  webgpuAvailable: true,
  adapter: { vendor: 'nvidia', architecture: 'hopper', device: '', description: '', isFallback: false, features: [], limits: {} },
  crossOriginIsolated: false,
  wasmSimd: true,
};

describe('initBackend', () => {
  it('starts an explicitly requested cpu backend and computes on it', async () => {
    const report = await initBackend('cpu', claimsHardwareGpu);
    expect(report.chosen).toBe('cpu');
    expect(report.requested).toBe('cpu');
    expect(report.fallbackFrom).toBeUndefined();
    const selfTest = await runMatmulSelfTest(16);
    expect(selfTest).toMatchObject({ backend: 'cpu', ok: true });
  });

  it('falls back from webgpu and records why', async () => {
    const report = await initBackend('auto', claimsHardwareGpu);
    expect(report.fallbackFrom?.backend).toBe('webgpu');
    expect(report.fallbackFrom?.error).toMatch(/webgpu/);
    expect(['wasm', 'cpu']).toContain(report.chosen);
    expect(report.reason).toContain('webgpu failed to start');
  });
});
