import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { exportRayProject, importRayResults } from './rayCli';
import { RAY_PROJECT_FILES } from '../../src/export/rayProject';

describe('npm run tune -- --export-ray / --import-ray', () => {
  it('writes the project for the bundled configuration with overrides', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'export-ray-')), 'my_search');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(exportRayProject(out, undefined, ['scheduler=asha', 'num_trials=5'])).toBe(0);
    log.mockRestore();
    expect(readdirSync(out).sort()).toEqual([...RAY_PROJECT_FILES].sort());
    const main = readFileSync(join(out, 'main.py'), 'utf8');
    expect(main).toContain('"lr": tune.choice([0.001, 0.01]),');
    expect(main).toContain('NUM_SAMPLES = 5');
    expect(main).toContain('EXPERIMENT_NAME = "my_search"');
    expect(main).toContain('ASHAScheduler(time_attr="training_iteration", max_t=20, grace_period=1, reduction_factor=2)');
  });

  it("reads a ray_results folder and writes the studio's results with the best trial's config", () => {
    const out = mkdtempSync(join(tmpdir(), 'import-ray-'));
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    const warn = vi.spyOn(console, 'error').mockImplementation(() => {});
    const source = join(import.meta.dirname, '../../src/tune/fixtures/ray-2.x-real/tune_train_func_2025-04-15_15-35-43');
    expect(importRayResults(source, 'r2', out)).toBe(0);
    log.mockRestore();
    warn.mockRestore();
    const summary = JSON.parse(lines[lines.length - 1]!) as { trials: number; best_trial_id: string; experiment: string };
    expect(summary).toMatchObject({ trials: 5, best_trial_id: '88f12_00001', experiment: 'tune_train_func_2025-04-15_15-35-43' });
    expect(readFileSync(join(out, 'config.yaml'), 'utf8')).toContain('batch_size: 32');
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { trials: unknown[] };
    expect(results.trials).toHaveLength(5);
  });
});
