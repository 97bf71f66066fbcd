import { describe, expect, it } from 'vitest';
import { parseBenchArgs, UsageError } from './benchArgs';
import { jsonLine, parseRow, ratioJsonLine, ratios, ratioText, table, type BenchRow } from './benchReport';

const row = (backend: string, batch: number, samples: number, dispatches: number | null = null, engine = backend.startsWith('torch') ? 'eager' : 'tfjs'): BenchRow => ({
  backend,
  engine,
  adapter: backend.startsWith('torch') ? 'CPU, 2 threads' : 'SwiftShader',
  runtime: backend.startsWith('torch') ? 'pytorch 1.13' : 'chromium',
  batch,
  samples_per_s: samples,
  ms_per_step: (batch * 1000) / samples,
  first_step_ms: 123.456,
  dispatches_per_step: dispatches,
  steps: 10,
});

describe('parseBenchArgs', () => {
  it('defaults to every backend at batch 64 and 512 in Chromium', () => {
    const options = parseBenchArgs([]);
    expect(options.backends).toEqual(['webgpu', 'wasm', 'webgl', 'cpu']);
    expect(options.batches).toEqual([64, 512]);
    expect(options).toMatchObject({ json: false, torch: false, runtime: 'chromium', seconds: 5 });
    expect(options.steps).toBeUndefined();
  });

  it('reads lists, flags and --flag=value', () => {
    const options = parseBenchArgs(['--json', '--backend', 'wasm,webgpu,wasm', '--batch=64,512,4096', '--steps', '7', '--torch', '--runtime', 'chromium']);
    expect(options.backends).toEqual(['wasm', 'webgpu']);
    expect(options.batches).toEqual([64, 512, 4096]);
    expect(options).toMatchObject({ json: true, torch: true, steps: 7 });
    expect(parseBenchArgs(['--backend', 'all']).backends).toHaveLength(4);
    expect(parseBenchArgs(['--seconds', '0.5']).seconds).toBe(0.5);
    expect(parseBenchArgs(['--torch-threads', '1']).torchThreads).toBe(1);
  });

  it('rejects what it cannot run, saying why', () => {
    expect(() => parseBenchArgs(['--backend', 'metal'])).toThrow(/unknown backend 'metal'/);
    expect(() => parseBenchArgs(['--batch', '64,0'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--batch', 'x'])).toThrow(/positive integers/);
    expect(() => parseBenchArgs(['--steps'])).toThrow(/needs a value/);
    expect(() => parseBenchArgs(['--seconds', '-1'])).toThrow(/positive number/);
    expect(() => parseBenchArgs(['--runtime', 'deno'])).toThrow(/unknown runtime 'deno'/);
    expect(parseBenchArgs(['--runtime', 'node']).runtime).toBe('node');
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown argument/);
  });
});

describe('benchmark output', () => {
  it('prints one JSON line with the agreed keys in order', () => {
    const line = jsonLine(row('webgpu', 64, 14.04, 312));
    expect(Object.keys(JSON.parse(line) as object)).toEqual([
      'backend', 'engine', 'adapter', 'runtime', 'batch', 'samples_per_s', 'ms_per_step', 'first_step_ms', 'dispatches_per_step', 'steps',
    ]);
    expect(JSON.parse(line)).toMatchObject({ samples_per_s: 14, first_step_ms: 123.5, dispatches_per_step: 312 });
    expect(JSON.parse(jsonLine(row('wasm', 64, 555)))).toMatchObject({ dispatches_per_step: null });
  });

  it('reads back the rows the PyTorch script prints', () => {
    const printed = '{"backend": "torch-cpu", "adapter": "CPU, 2 threads", "runtime": "pytorch 1.13.0a0", "batch": 64, "samples_per_s": 3800.0, "ms_per_step": 16.8, "first_step_ms": 40.1, "dispatches_per_step": null, "steps": 300}';
    expect(parseRow(printed)).toMatchObject({ backend: 'torch-cpu', engine: 'torch', batch: 64, samples_per_s: 3800, dispatches_per_step: null });
    expect(() => parseRow('{"backend": "torch-cpu"}')).toThrow(/not a benchmark row/);
  });

  it('divides each studio row by each PyTorch row of the same batch', () => {
    const rows = [row('wasm', 64, 570), row('webgpu', 64, 14), row('wasm', 512, 600), row('torch-cpu', 64, 3800), row('torch-cpu', 512, 6000)];
    const found = ratios(rows);
    expect(found.map(ratioText)).toEqual(['wasm / torch-cpu = 0.15x', 'webgpu / torch-cpu = 0.0037x', 'wasm / torch-cpu = 0.10x']);
    expect(found.map((r) => r.batch)).toEqual([64, 64, 512]);
    expect(JSON.parse(ratioJsonLine(found[0]!))).toEqual({ kind: 'ratio', batch: 64, studio: 'wasm', torch: 'torch-cpu', ratio: 0.15 });
    expect(ratios([row('wasm', 64, 570)])).toEqual([]);
    const fused = ratios([row('webgpu', 64, 90_000, 26, 'fused-webgpu'), row('webgpu', 64, 800, 644), row('torch-cuda-graph', 64, 80_000, null, 'cuda-graph')]);
    expect(fused.map(ratioText)).toEqual(['fused-webgpu / torch-cuda-graph = 1.13x', 'webgpu / torch-cuda-graph = 0.010x']);
  });

  it('lines the table up under its header', () => {
    const lines = table([row('wasm', 64, 570), row('torch-cpu', 512, 6000.4)]).split('\n');
    expect(lines[0]).toMatch(/^backend\s+batch\s+samples\/s/);
    expect(lines[2]).toContain('570');
    expect(lines[3]).toContain('6,000');
    // Figures are right-aligned, so they end in the same column.
    expect((lines[2]?.indexOf('570') ?? 0) + 3).toBe((lines[3]?.indexOf('6,000') ?? 0) + 5);
  });
});
