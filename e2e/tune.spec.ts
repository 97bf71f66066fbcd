import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, runScript, test } from './fixtures';

interface TrialResult {
  trial_id: string;
  status: string;
  config: Record<string, number>;
  backend: string | null;
  total_params: number;
  best_val_acc: number | null;
  history: { epoch: number; val_acc: number }[];
}

const runTune = (args: string[]) => runScript('tune', args, 600_000);

test.describe('npm run tune', () => {
  test('a 4-trial ASHA search in Hydra grammar finishes with consistent results and a loadable checkpoint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tune-asha-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'config:',
        '  f1: [8]',
        '  f2: choice(4, 6)',
        "  lr: tag(log, interval(1e-3, 3e-2))",
        '  betas: [0.9, 0.999]',
        '  max_num_epochs: 4',
        '  num_trials: 4',
        '  scheduler: asha',
        '  grace_period: 1',
        '  reduction_factor: 2',
        '  max_concurrent_trials: 2',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const run = runTune(['--config', config, '--out', out, '--train-limit', '256', '--val-limit', '200', 'seed=3']);
    expect(run.status, run.stderr).toBe(0);

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      metric: string;
      mode: string;
      best_trial_id: string;
      trials: TrialResult[];
    };
    expect(results.metric).toBe('val_acc');
    expect(results.mode).toBe('max');
    expect(results.trials).toHaveLength(4);
    for (const trial of results.trials) {
      expect(['TERMINATED', 'STOPPED']).toContain(trial.status);
      expect(trial.history.map((h) => h.epoch)).toEqual(Array.from({ length: trial.history.length }, (_, i) => i + 1));
      expect(trial.history.length === 4).toBe(trial.status === 'TERMINATED');
      expect(trial.backend).toBe('wasm');
      expect(trial.config.lr).toBeGreaterThanOrEqual(1e-3);
      expect(trial.config.lr).toBeLessThan(3e-2);
      expect([4, 6]).toContain(trial.config.f2);
      expect(trial.best_val_acc).toBe(Math.max(...trial.history.map((h) => h.val_acc)));
    }
    const best = Math.max(...results.trials.map((t) => t.best_val_acc ?? 0));
    expect(results.trials.find((t) => t.trial_id === results.best_trial_id)?.best_val_acc).toBe(best);

    // One progress line per trial epoch, and one CSV row per trial epoch.
    const epochs = results.trials.reduce((n, t) => n + t.history.length, 0);
    expect(run.stdout.split('\n').filter((line) => /^\[t\d{4}\] epoch \d+:/.test(line))).toHaveLength(epochs);
    expect(readFileSync(join(out, 'progress.csv'), 'utf8').trim().split('\n')).toHaveLength(epochs + 1);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { best_trial_id: string };
    expect(summary.best_trial_id).toBe(results.best_trial_id);

    // The best trial's config.yaml and checkpoint.pt, loaded by PyTorch into the original Classifier.
    const bestTrial = results.trials.find((t) => t.trial_id === results.best_trial_id)!;
    expect(readFileSync(join(out, 'config.yaml'), 'utf8')).toContain(`f2: ${bestTrial.config.f2}`);
    const verdict = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        [
          'import sys, json, torch',
          "sys.path.insert(0, 'scripts/torch')",
          'from pt_classifier import Classifier',
          'model_sd, optim_sd = torch.load(sys.argv[1])',
          'model = Classifier(int(sys.argv[2]), int(sys.argv[3]))',
          'r = model.load_state_dict(model_sd, strict=True)',
          'print(json.dumps({"missing": r.missing_keys, "unexpected": r.unexpected_keys, "states": len(optim_sd["state"])}))',
        ].join('\n'),
        join(out, 'checkpoint.pt'),
        String(bestTrial.config.f1),
        String(bestTrial.config.f2),
      ],
      { encoding: 'utf8' },
    );
    const loaded = JSON.parse(verdict) as { missing: string[]; unexpected: string[]; states: number };
    expect(loaded.missing).toEqual([]);
    expect(loaded.unexpected).toEqual([]);
    expect(loaded.states).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(out, 'tfjs', 'model.json'), 'utf8'))).toHaveProperty('modelTopology');
  });

  test('the original config.yaml runs as it is, with overrides on top', () => {
    const out = mkdtempSync(join(tmpdir(), 'tune-seed-'));
    const run = runTune([
      '--config', 'configuration/config.yaml', '--out', out, '--train-limit', '128', '--val-limit', '100', 'max_num_epochs=1', 'num_trials=2',
    ]);
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { trials: TrialResult[] };
    expect(results.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED']);
    for (const trial of results.trials) {
      expect(trial.total_params).toBe(9994);
      expect([0.001, 0.01]).toContain(trial.config.lr);
      expect(trial.config).toMatchObject({ f1: 8, f2: 6, beta1: 0.9, beta2: 0.999 });
    }
  });

  test('a broken config is refused with the line and column of the problem, and nothing runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tune-bad-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'config:\n  f1: [8]\n  lr: interval(0.1, 0.01)\n');
    const run = runTune(['--config', config, '--out', join(dir, 'out')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/lr \(line 3, col \d+\):/);
    expect(run.stdout).not.toMatch(/epoch/);
  });
});
