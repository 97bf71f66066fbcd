/**
 * Asks the runtime what it offers before any tfjs backend starts: a WebGPU adapter (and whether it
 * is a software one), cross-origin isolation and WebAssembly SIMD. Works in the page and a Worker.
 */
import type { AdapterSummary, RuntimeProbe } from './choice';
import { messageOf } from '../studioError';

// The few WebGPU shapes the probe reads, declared here so the studio needs no global GPU typings.
/** GPUAdapterInfo as Chrome reports it; `isFallbackAdapter` moved here from the adapter in 2025. */
export interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
/** The parts of GPUAdapter the probe reads. */
export interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  isFallbackAdapter?: boolean;
  features?: { has(name: string): boolean };
  limits?: object;
  requestAdapterInfo?: () => Promise<GpuAdapterInfoLike>;
}
/** The parts of `navigator.gpu` the probe calls. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}

/** Optional adapter features the trainer may use. */
const FEATURES_OF_INTEREST = ['shader-f16', 'timestamp-query', 'subgroups'] as const;

/** Adapter limits that bound buffer sizes and compute kernels. */
const LIMITS_OF_INTEREST = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
] as const;

/** Names of software rasterisers that expose WebGPU on the CPU. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

/** True when the adapter is a software one: flagged as fallback, or named like SwiftShader or llvmpipe. */
export function isSoftwareAdapter(info: GpuAdapterInfoLike, adapterFlag = false): boolean {
  if (adapterFlag || info.isFallbackAdapter === true) return true;
  const names = [info.architecture, info.device, info.description].filter(Boolean).join(' ');
  return SOFTWARE_ADAPTER.test(names);
}

/** The adapter's self-description reduced to what the studio shows and the trainer needs. */
export async function summariseAdapter(adapter: GpuAdapterLike): Promise<AdapterSummary> {
  const info = adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo() : {});
  const limits: Record<string, number> = {};
  for (const name of LIMITS_OF_INTEREST) {
    const value: unknown = adapter.limits ? (adapter.limits as Record<string, unknown>)[name] : undefined;
    if (typeof value === 'number') limits[name] = value;
  }
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallback: isSoftwareAdapter(info, adapter.isFallbackAdapter === true),
    features: FEATURES_OF_INTEREST.filter((name) => adapter.features?.has(name) === true),
    limits,
  };
}

/** Whether this engine validates a module with a SIMD instruction (the same check tfjs makes). */
export function hasWasmSimd(): boolean {
  try {
    // (module (func (result v128) i32.const 0 i8x16.splat ...)): a minimal SIMD function.
    return WebAssembly.validate(
      new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]),
    );
  } catch {
    return false;
  }
}

/** Where the runtime's WebGPU, isolation and SIMD come from; tests pass their own. */
export interface ProbeSources {
  gpu?: GpuLike;
  crossOriginIsolated?: boolean;
  wasmSimd?: boolean;
}

function runtimeSources(): ProbeSources {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return {
    gpu: nav?.gpu,
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    wasmSimd: hasWasmSimd(),
  };
}

/** Probes WebGPU (adapter and whether it is software), cross-origin isolation and wasm SIMD. */
export async function probeRuntime(sources: ProbeSources = runtimeSources()): Promise<RuntimeProbe> {
  const base = { crossOriginIsolated: sources.crossOriginIsolated ?? false, wasmSimd: sources.wasmSimd ?? false };
  if (!sources.gpu) {
    return { ...base, webgpuAvailable: false, webgpuProblem: 'this browser has no navigator.gpu' };
  }
  try {
    const adapter = await sources.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      return { ...base, webgpuAvailable: false, webgpuProblem: 'navigator.gpu returned no adapter' };
    }
    return { ...base, webgpuAvailable: true, adapter: await summariseAdapter(adapter) };
  } catch (error) {
    return { ...base, webgpuAvailable: false, webgpuProblem: `requesting an adapter failed: ${messageOf(error)}` };
  }
}

