import { describe, expect, it } from 'vitest';
import {
  chooseBackend,
  fallbackChain,
  parseBackendChoice,
  type AdapterSummary,
  type RuntimeProbe,
} from './choice';

const swiftshader: AdapterSummary = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: '',
  description: 'SwiftShader Device (Subzero)',
  isFallback: true,
  features: [],
  limits: {},
};
const nvidia: AdapterSummary = { ...swiftshader, vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', isFallback: false };

const base = { crossOriginIsolated: false, wasmSimd: true } as const;
const noWebGpu: RuntimeProbe = { ...base, webgpuAvailable: false, webgpuProblem: 'this browser has no navigator.gpu' };
const softwareGpu: RuntimeProbe = { ...base, webgpuAvailable: true, adapter: swiftshader };
const hardwareGpu: RuntimeProbe = { ...base, webgpuAvailable: true, adapter: nvidia };

describe('chooseBackend', () => {
  it('takes WebGPU on a hardware adapter', () => {
    const decision = chooseBackend(hardwareGpu, 'auto');
    expect(decision.backend).toBe('webgpu');
    expect(decision.reason).toContain('nvidia / hopper');
  });

  it('takes wasm when the only adapter is a software one, and says so', () => {
    const decision = chooseBackend(softwareGpu, 'auto');
    expect(decision.backend).toBe('wasm');
    expect(decision.reason).toMatch(/software one \(google \/ swiftshader\)/);
    expect(decision.reason).toContain('with SIMD');
    expect(decision.reason).toContain('not cross-origin isolated');
  });

  it('takes wasm without WebGPU and names the problem', () => {
    const decision = chooseBackend(noWebGpu, 'auto');
    expect(decision.backend).toBe('wasm');
    expect(decision.reason).toContain('no navigator.gpu');
  });

  it('mentions threads under cross-origin isolation and a missing SIMD', () => {
    const decision = chooseBackend({ ...noWebGpu, crossOriginIsolated: true, wasmSimd: false }, 'auto');
    expect(decision.reason).toContain('multi-threaded');
    expect(decision.reason).toContain('without SIMD');
  });

  it('honours an explicit request, even WebGPU on a software adapter', () => {
    const decision = chooseBackend(softwareGpu, 'webgpu');
    expect(decision.backend).toBe('webgpu');
    expect(decision.reason).toMatch(/^Requested with \?backend=webgpu\./);
    expect(decision.reason).toContain('software adapter');
    for (const requested of ['wasm', 'webgl', 'cpu'] as const) {
      expect(chooseBackend(hardwareGpu, requested).backend).toBe(requested);
    }
  });

  it('follows the measured decision under auto, and an explicit request over it', () => {
    const measured = { backend: 'cpu', reason: 'Measured at start-up: cpu.' } as const;
    expect(chooseBackend(hardwareGpu, 'auto', measured)).toEqual(measured);
    expect(chooseBackend(hardwareGpu, 'wasm', measured).backend).toBe('wasm');
  });

  it('falls back to wasm when WebGPU is requested but missing', () => {
    const decision = chooseBackend(noWebGpu, 'webgpu');
    expect(decision.backend).toBe('wasm');
    expect(decision.reason).toMatch(/^WebGPU was requested, but this browser has no navigator.gpu/);
  });
});

describe('parseBackendChoice', () => {
  it('reads known names in any case and defaults to auto', () => {
    expect(parseBackendChoice('WASM')).toBe('wasm');
    expect(parseBackendChoice(' webgpu ')).toBe('webgpu');
    expect(parseBackendChoice('tpu')).toBe('auto');
    expect(parseBackendChoice(null)).toBe('auto');
  });
});

describe('fallbackChain', () => {
  it('tries webgpu, then wasm, then cpu', () => {
    expect(fallbackChain('webgpu')).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(fallbackChain('webgl')).toEqual(['webgl', 'wasm', 'cpu']);
    expect(fallbackChain('wasm')).toEqual(['wasm', 'cpu']);
    expect(fallbackChain('cpu')).toEqual(['cpu']);
  });
});
