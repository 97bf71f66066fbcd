import { describe, expect, it } from 'vitest';
import { hasWasmSimd, isSoftwareAdapter, probeRuntime, type GpuAdapterLike, type GpuLike } from './probe';

function gpuWith(adapter: GpuAdapterLike | null): GpuLike {
  return { requestAdapter: () => Promise.resolve(adapter) };
}

const swiftshaderAdapter: GpuAdapterLike = {
  info: { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device (Subzero)' },
  features: new Set(['timestamp-query', 'float32-filterable']),
  limits: { maxBufferSize: 268435456, maxComputeWorkgroupSizeX: 256, maxTextureDimension2D: 8192 },
};

describe('isSoftwareAdapter', () => {
  it('flags SwiftShader, llvmpipe and the fallback flags, not real GPUs', () => {
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia' }, true)).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3' })).toBe(false);
  });
});

describe('probeRuntime', () => {
  it('summarises a software adapter with its features and limits of interest', async () => {
    const probe = await probeRuntime({ gpu: gpuWith(swiftshaderAdapter), crossOriginIsolated: false, wasmSimd: true });
    expect(probe.webgpuAvailable).toBe(true);
    expect(probe.adapter).toEqual({
      vendor: 'google',
      architecture: 'swiftshader',
      device: '',
      description: 'SwiftShader Device (Subzero)',
      isFallback: true,
      features: ['timestamp-query'],
      limits: { maxBufferSize: 268435456, maxComputeWorkgroupSizeX: 256 },
    });
  });

  it('reads info from requestAdapterInfo on older browsers', async () => {
    const adapter: GpuAdapterLike = {
      requestAdapterInfo: () => Promise.resolve({ vendor: 'intel', architecture: 'gen-12lp' }),
    };
    const probe = await probeRuntime({ gpu: gpuWith(adapter) });
    expect(probe.adapter?.vendor).toBe('intel');
    expect(probe.adapter?.isFallback).toBe(false);
  });

  it('reports why WebGPU is missing', async () => {
    expect((await probeRuntime({})).webgpuProblem).toBe('this browser has no navigator.gpu');
    expect((await probeRuntime({ gpu: gpuWith(null) })).webgpuProblem).toBe('navigator.gpu returned no adapter');
    const failing: GpuLike = { requestAdapter: () => Promise.reject(new Error('GPU process crashed')) };
    const probe = await probeRuntime({ gpu: failing });
    expect(probe.webgpuAvailable).toBe(false);
    expect(probe.webgpuProblem).toContain('GPU process crashed');
  });

  it('detects WebAssembly SIMD in this engine', () => {
    expect(hasWasmSimd()).toBe(true);
  });
});
