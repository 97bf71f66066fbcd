/** Backend selection for the studio: probe the runtime, measure the backends, decide, start tfjs, prove it computes. */
export {
  BACKEND_CHOICES,
  BACKEND_NAMES,
  BACKEND_URL_PARAM,
  chooseBackend,
  describeWasm,
  fallbackChain,
  parseBackendChoice,
  type AdapterSummary,
  type BackendChoice,
  type BackendDecision,
  type BackendName,
  type RuntimeProbe,
} from './choice';
export { initBackend, type BackendFailure, type BackendReport } from './init';
export { forgetProbes, readCachedProbe, saveProbe } from './probeCache';
export * from './probeDecision';
export { hasWasmSimd, isSoftwareAdapter, probeRuntime, summariseAdapter } from './probe';
export { runMatmulSelfTest, type SelfTestResult } from './selfTest';
