/**
 * Which tfjs backend the studio trains on, and why: a pure decision over what the probe found
 * and what the user asked for. No tfjs, no DOM: the page, a Worker and Node unit tests share it.
 */

/** The tfjs backends the studio knows how to start. */
export const BACKEND_NAMES = ['webgpu', 'wasm', 'webgl', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What the user may ask for: one backend, or `auto` to let the studio decide. */
export const BACKEND_CHOICES = ['auto', ...BACKEND_NAMES] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** The URL parameter that overrides the choice, e.g. `?backend=wasm`. */
export const BACKEND_URL_PARAM = 'backend';

/** What a WebGPU adapter says about itself (GPUAdapterInfo), reduced to what the studio shows. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for a software adapter (SwiftShader, llvmpipe, ...): WebGPU works there but slowly. */
  isFallback: boolean;
  /** Optional features the trainer cares about that this adapter offers (e.g. `shader-f16`). */
  features: string[];
  /** Limits that bound kernel and buffer sizes. */
  limits: Record<string, number>;
}

/** What probing the runtime found, before any tfjs backend is started. */
export interface RuntimeProbe {
  /** `navigator.gpu` exists and handed out an adapter. */
  webgpuAvailable: boolean;
  adapter?: AdapterSummary;
  /** Why there is no adapter, when there is none (no `navigator.gpu`, null adapter, an error). */
  webgpuProblem?: string;
  /** Whether the page may use SharedArrayBuffer, which multi-threaded wasm needs. */
  crossOriginIsolated: boolean;
  /** Whether this engine validates WebAssembly SIMD, which makes the wasm backend ~4x faster. */
  wasmSimd: boolean;
}

/** A backend to start, and the sentence that explains the decision to the user. */
export interface BackendDecision {
  backend: BackendName;
  reason: string;
}

/** Reads `auto`, `webgpu`, `wasm`, `webgl` or `cpu` (any case); anything else is `auto`. */
export function parseBackendChoice(value: string | null | undefined): BackendChoice {
  const lower = (value ?? '').trim().toLowerCase();
  return BACKEND_CHOICES.find((choice) => choice === lower) ?? 'auto';
}

/** How the wasm backend will run here: SIMD or not, threads only under cross-origin isolation. */
export function describeWasm(probe: Pick<RuntimeProbe, 'crossOriginIsolated' | 'wasmSimd'>): string {
  const simd = probe.wasmSimd ? 'with SIMD' : 'without SIMD (this engine lacks it, so it is slower)';
  const threads = probe.crossOriginIsolated
    ? 'multi-threaded'
    : 'single-threaded, as the page is not cross-origin isolated';
  return `${simd}, ${threads}`;
}

function adapterName(adapter: AdapterSummary): string {
  const parts = [adapter.vendor, adapter.architecture].filter(Boolean);
  return parts.length > 0 ? parts.join(' / ') : adapter.description || 'an unnamed adapter';
}

/**
 * Picks the backend: an explicit request is honoured where it can run; `auto` follows the
 * start-up training probe's measured choice when there is one, and otherwise takes WebGPU on a
 * hardware adapter and wasm elsewhere, the fastest backend that trains this model on a CPU
 * (measured on 2 cores: wasm 555 samples/s, webgl 32, cpu 23, WebGPU on SwiftShader 14).
 */
export function chooseBackend(probe: RuntimeProbe, requested: BackendChoice, measured?: BackendDecision): BackendDecision {
  if (requested === 'auto' && measured) return measured;
  const wasm = describeWasm(probe);
  if (requested === 'webgpu' && !probe.webgpuAvailable) {
    return {
      backend: 'wasm',
      reason: `WebGPU was requested, but ${probe.webgpuProblem ?? 'this browser offers no WebGPU adapter'}; using wasm (${wasm}).`,
    };
  }
  if (requested !== 'auto') {
    const detail = requested === 'wasm' ? ` (${wasm})` : '';
    const software =
      requested === 'webgpu' && probe.adapter?.isFallback
        ? ` It runs on the software adapter ${adapterName(probe.adapter)}, which trains slowly.`
        : '';
    return { backend: requested, reason: `Requested with ?${BACKEND_URL_PARAM}=${requested}${detail}.${software}` };
  }
  if (probe.webgpuAvailable && probe.adapter && !probe.adapter.isFallback) {
    return { backend: 'webgpu', reason: `WebGPU on the hardware adapter ${adapterName(probe.adapter)}.` };
  }
  if (probe.adapter?.isFallback) {
    return {
      backend: 'wasm',
      reason:
        `The only WebGPU adapter is a software one (${adapterName(probe.adapter)}), where training is ` +
        `~40x slower than on wasm; using wasm (${wasm}).`,
    };
  }
  return {
    backend: 'wasm',
    reason: `No WebGPU here (${probe.webgpuProblem ?? 'no adapter'}); wasm is the fastest backend that trains on a CPU (${wasm}).`,
  };
}

/** The backends to try in order when `first` fails to start: webgpu, then wasm, then cpu. */
export function fallbackChain(first: BackendName): BackendName[] {
  const chain: BackendName[] = [first];
  if (first !== 'wasm' && first !== 'cpu') chain.push('wasm');
  if (first !== 'cpu') chain.push('cpu');
  return chain;
}
