import { describe, expect, it } from 'vitest';
import type { RuntimeProbe } from './choice';
import {
  judgeTraining,
  pickBackend,
  probeCacheKey,
  skipReason,
  TRAINING_PROBE,
  type CandidateMeasurement,
  type CandidateOutcome,
  type ProbeCandidate,
} from './probeDecision';

const adapter = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200', isFallback: false, features: [], limits: {} };
const hardwareGpu: RuntimeProbe = { webgpuAvailable: true, adapter, crossOriginIsolated: false, wasmSimd: true };
const softwareGpu: RuntimeProbe = {
  ...hardwareGpu,
  adapter: { ...adapter, vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device (Subzero)', isFallback: true },
};
const noGpu: RuntimeProbe = { webgpuAvailable: false, webgpuProblem: 'this browser has no navigator.gpu', crossOriginIsolated: false, wasmSimd: true };

const good: CandidateMeasurement = {
  engine: 'tfjs',
  samplesPerSecond: 555,
  msPerStep: 115,
  timedSteps: 2,
  startMs: 100,
  firstStepMs: 200,
  maxLogitError: 1e-7,
  lossBefore: 2.31,
  lossAfter: 2.27,
};

function measured(backend: ProbeCandidate, samplesPerSecond: number, correct = true): CandidateOutcome {
  return { backend, status: 'measured', measurement: { ...good, samplesPerSecond }, correct };
}

describe('pickBackend', () => {
  it('takes the fastest backend that trains correctly and names the slower ones', () => {
    const decision = pickBackend([measured('webgpu', 40_000), measured('wasm', 555), { backend: 'cpu', status: 'skipped', reason: 'last resort' }]);
    expect(decision.backend).toBe('webgpu');
    expect(decision.reason).toContain('40000 samples/s at batch 64 against wasm 555 samples/s');
  });

  it('never takes a backend that trained wrongly, however fast', () => {
    expect(pickBackend([measured('webgpu', 40_000, false), measured('wasm', 555)]).backend).toBe('wasm');
  });

  it('falls back to cpu when nothing trained correctly', () => {
    const decision = pickBackend([
      measured('webgpu', 40_000, false),
      { backend: 'wasm', status: 'failed', error: 'no wasm' },
      { backend: 'cpu', status: 'skipped', reason: 'last resort' },
    ]);
    expect(decision.backend).toBe('cpu');
    expect(decision.reason).toContain('last resort');
  });

  it('mentions the fused kernels when they trained', () => {
    const fused: CandidateOutcome = { backend: 'webgpu', status: 'measured', measurement: { ...good, engine: 'fused-webgpu', samplesPerSecond: 9000 }, correct: true };
    expect(pickBackend([fused]).reason).toContain('webgpu with the fused WebGPU kernels');
  });
});

describe('judgeTraining', () => {
  it('accepts finite losses that go down and logits that match the cpu backend', () => {
    expect(judgeTraining(good)).toEqual({ correct: true });
  });

  it('rejects a NaN loss, a NaN or distant logit, and a loss that does not go down', () => {
    expect(judgeTraining({ ...good, lossAfter: NaN }).correct).toBe(false);
    expect(judgeTraining({ ...good, maxLogitError: NaN }).correct).toBe(false);
    const far = judgeTraining({ ...good, maxLogitError: 10 * TRAINING_PROBE.logitTolerance });
    expect(far).toMatchObject({ correct: false, problem: expect.stringContaining('cpu backend') as unknown });
    expect(judgeTraining({ ...good, lossAfter: good.lossBefore }).problem).toContain('did not go down');
  });

  it("holds the fused kernels' first loss to tfjs's loss on the same batch", () => {
    expect(judgeTraining({ ...good, engine: 'fused-webgpu', referenceLoss: good.lossBefore + 1e-5 }).correct).toBe(true);
    expect(judgeTraining({ ...good, engine: 'fused-webgpu', referenceLoss: good.lossBefore + 0.1 }).problem).toContain("against tfjs's");
  });
});

describe('skipReason', () => {
  it('measures WebGPU only on a hardware adapter', () => {
    expect(skipReason('webgpu', hardwareGpu, [])).toBeNull();
    expect(skipReason('webgpu', softwareGpu, [])).toMatch(/^a software adapter/);
    expect(skipReason('webgpu', noGpu, [])).toContain('no navigator.gpu');
  });

  it('measures wasm unless WebGPU already trains correctly beyond any CPU, and never times cpu', () => {
    expect(skipReason('wasm', softwareGpu, [])).toBeNull();
    expect(skipReason('wasm', hardwareGpu, [measured('webgpu', 2_000)])).toBeNull();
    expect(skipReason('wasm', hardwareGpu, [measured('webgpu', 65_000, false)])).toBeNull();
    expect(skipReason('wasm', hardwareGpu, [measured('webgpu', 65_000)])).toContain('webgpu already trains correctly at 65000 samples/s');
    expect(skipReason('cpu', softwareGpu, [measured('wasm', 555)])).toContain('wasm trains correctly');
    expect(skipReason('cpu', softwareGpu, [measured('wasm', 555, false)])).toContain('no faster backend trained correctly');
  });
});

describe('probeCacheKey', () => {
  const userAgent = 'Mozilla/5.0 Chrome/140';

  it('is the same for the same adapter, engine and browser', () => {
    expect(probeCacheKey(hardwareGpu, userAgent)).toBe(probeCacheKey({ ...hardwareGpu, adapter: { ...adapter } }, userAgent));
    expect(probeCacheKey(hardwareGpu, userAgent)).toContain(`v${TRAINING_PROBE.version}`);
  });

  it('changes with the adapter, the wasm build the page can run, and the browser', () => {
    const key = probeCacheKey(hardwareGpu, userAgent);
    const others = [
      probeCacheKey(softwareGpu, userAgent),
      probeCacheKey(noGpu, userAgent),
      probeCacheKey({ ...hardwareGpu, adapter: { ...adapter, description: 'NVIDIA H100' } }, userAgent),
      probeCacheKey({ ...hardwareGpu, crossOriginIsolated: true }, userAgent),
      probeCacheKey({ ...hardwareGpu, wasmSimd: false }, userAgent),
      probeCacheKey(hardwareGpu, 'Mozilla/5.0 Chrome/141'),
    ];
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
  });
});
