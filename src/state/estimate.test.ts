import { describe, expect, it } from 'vitest';
import type { BackendReport, TrainingProbeResult } from '../backend';
import { parseConfigOrThrow } from '../tune/config';
import { initialProbeState, type BackendState } from './backendSlice';
import { estimateSearch, formatDuration, probeSamplesPerSecond } from './estimate';
import { backendChipText } from '../ui/BackendChip';

const probe: TrainingProbeResult = {
  cacheKey: 'k',
  measuredAt: 0,
  wallMs: 900,
  batch: 64,
  candidates: [
    { backend: 'wasm', status: 'measured', correct: true, measurement: { samplesPerSecond: 4100.4, msPerStep: 15.6, timedSteps: 8, engine: 'tfjs' } as never },
    { backend: 'webgpu', status: 'skipped', reason: 'a software adapter' },
  ],
  chosen: 'wasm',
  reason: 'Measured at start-up: wasm is the fastest backend',
};
const ready = (status: 'measured' | 'cached' | 'measuring'): BackendState => ({
  status: 'ready',
  report: { requested: 'auto', chosen: 'wasm' } as BackendReport,
  selfTest: { status: 'running' },
  probe: status === 'measuring' ? { status } : { status, result: probe },
});

describe('the backend chip', () => {
  it('reads "CPU, 4,100 samples/s" from the probe', () => {
    expect(backendChipText(ready('measured'))).toBe('CPU, 4,100 samples/s');
    expect(backendChipText(ready('cached'))).toBe('CPU, 4,100 samples/s');
    expect(backendChipText(ready('measuring'))).toBe('CPU, measuring…');
  });

  it('never reads "chosen by hand" while the probe is on its way under auto', () => {
    expect(initialProbeState('auto').status).toBe('checking');
    expect(initialProbeState('wasm').status).toBe('not-run');
    expect(backendChipText({ status: 'starting', requested: 'auto', probe: initialProbeState('auto') })).toBe('Starting the backend…');
  });
});

describe('the cost of a search, said before it starts', () => {
  const quick = parseConfigOrThrow('config:\n  lr: grid_search(0.002, 0.004)\n  max_num_epochs: 1\n  num_trials: 1\n');
  const original = parseConfigOrThrow('config:\n  lr: [1e-3, 1e-2]\n  max_num_epochs: 20\n  num_trials: 3\n');
  const full = { trainImages: 60_000, valImages: 10_000 };

  it('counts trials, epochs and images, and times them from the probe’s samples/s', () => {
    const estimate = estimateSearch(quick, full, 4000, 2);
    expect(estimate).toMatchObject({ trials: 2, epochs: 2, samples: 120_000 });
    // 120,000 trained + 20,000 evaluated at a third of the cost, two trials at once on 1.5x.
    expect(estimate.seconds).toBeCloseTo((120_000 + 20_000 / 3) / 4000 / 1.5, 6);
    expect(formatDuration(estimate.seconds ?? 0)).toBe('about 20 seconds');
    expect(estimateSearch(quick, full, null, 2).seconds).toBeNull();
  });

  it('says hours for the original config.yaml on a CPU', () => {
    const estimate = estimateSearch(original, full, 400, 2);
    expect(estimate.trials).toBe(3);
    expect(formatDuration(estimate.seconds ?? 0)).toMatch(/^about [\d.]+ hours$/);
    expect(probeSamplesPerSecond(ready('cached'))).toBeCloseTo(4100.4);
  });
});
