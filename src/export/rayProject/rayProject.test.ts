/**
 * The generated Ray Tune project, run as far as this machine allows: Ray is not installed here,
 * so main.py is parsed (python's ast) for what it hands to Ray, while objective.py and
 * architecture.py run for real with Debian's PyTorch and their checkpoint comes back through the
 * studio's importer.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mnistDataDir, readMnistSplit } from '../../../scripts/lib/nodeMnist';
import { TORCH_PYTHON } from '../../../scripts/torch/fixtures';
import { requireTorch } from '../../../scripts/torch/torchLogits';
import { createTrainer, type TrainConfig } from '../../engine/trainer';
import { plainLogits } from '../../model/plainForward';
import { getArchitecture } from '../../model/registry';
import { countParameters } from '../../model/spec';
import { fromTorchStateDict } from '../../model/stateDict';
import { readCheckpoint } from '../ptReader';
import { writeCheckpoint } from '../ptWriter';
import { snapshotCheckpoint } from '../trialCheckpoint';
import { parseConfigOrThrow } from '../../tune/config';
import { readRayResults } from '../../tune/rayImport';
import { importModel } from '../importModel';
import { createImportedPredictor } from '../importedPredictor';
import { RAY_PROJECT_FILES, rayProjectFiles } from '.';

const CHECK = join(import.meta.dirname, '../../../scripts/torch/ray_project_check.py');

const CONFIG = `config:
  lr: tag(log, interval(1e-4, 1e-2))
  beta1: interval(0.85, 0.95)
  beta2: choice(0.99, 0.999)
  f1: [4, 8]
  f2: range(4, 10, 2)
  batch_size: grid_search(32, 64)
  num_trials: 3
  max_num_epochs: 6
  scheduler: asha
  grace_period: 2
  reduction_factor: 3
  seed: 11
  max_concurrent_trials: 2
`;

interface PyCall {
  call?: string;
  args?: unknown[];
  keywords?: Record<string, unknown>;
  value?: unknown;
}

interface AstReport {
  param_space: Record<string, PyCall>;
  scheduler: PyCall;
  constants: Record<string, unknown>;
  tuner: Record<string, string>;
  tune_config: Record<string, string>;
  run_config: Record<string, string>;
  checkpoint_config: Record<string, string>;
  imports: string[];
}

function python(args: string[], cwd?: string): string {
  try {
    return execFileSync(TORCH_PYTHON, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`${TORCH_PYTHON} ${args.join(' ')} failed:\n${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
}

function check<T>(dir: string, args: string[]): T {
  const out = join(dir, `check-${args[0]}.json`);
  const [command, ...rest] = args;
  python([CHECK, command!, ...(command === 'ast' ? [rest[0]!, out] : [rest[0]!, out, ...rest.slice(1)])]);
  return JSON.parse(readFileSync(out, 'utf8')) as T;
}

describe('Ray Tune project', () => {
  let dir: string;
  let files: Record<string, string>;

  beforeAll(() => {
    requireTorch();
    dir = mkdtempSync(join(tmpdir(), 'ray-project-'));
    files = rayProjectFiles(parseConfigOrThrow(CONFIG), 'mnist_search');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    // Importing torch takes seconds on a loaded machine: more than vitest's 10 s hook default allows.
  }, 60_000);

  it('has the original layout, and only main.py imports ray', () => {
    expect(Object.keys(files).sort()).toEqual([...RAY_PROJECT_FILES].sort());
    for (const name of ['objective.py', 'architecture.py']) expect(files[name]).not.toMatch(/^\s*(import|from)\s+ray\b/m);
    const report = check<AstReport>(dir, ['ast', join(dir, 'main.py')]);
    expect(report.imports).toEqual(expect.arrayContaining(['ray', 'ray.tune.schedulers', 'objective']));
  });

  it('main.py hands Ray the search space in its own API', () => {
    const { param_space: space } = check<AstReport>(dir, ['ast', join(dir, 'main.py')]);
    expect(space.lr).toMatchObject({ call: 'tune.loguniform', args: [0.0001, 0.01] });
    expect(space.beta1).toMatchObject({ call: 'tune.uniform', args: [0.85, 0.95] });
    expect(space.beta2).toMatchObject({ call: 'tune.choice', args: [[0.99, 0.999]] });
    expect(space.f1).toMatchObject({ call: 'tune.choice', args: [[4, 8]] });
    // Hydra's range(4, 10, 2) is stop-exclusive, exactly as Python's range.
    expect(space.f2).toMatchObject({ call: 'tune.choice', args: [{ call: 'list', args: [{ call: 'range', args: [4, 10, 2] }] }] });
    expect(space.batch_size).toMatchObject({ call: 'tune.grid_search', args: [[32, 64]] });
    expect(space.max_num_epochs).toEqual({ value: 6 });
    expect(space.seed).toEqual({ value: 11 });
    expect(space.model).toEqual({ value: 'Classifier' });
  });

  it('main.py runs ASHA on training_iteration with the studio settings, val_acc mode max', () => {
    const report = check<AstReport>(dir, ['ast', join(dir, 'main.py')]);
    expect(report.scheduler).toMatchObject({
      call: 'ASHAScheduler',
      keywords: { time_attr: 'training_iteration', max_t: 6, grace_period: 2, reduction_factor: 3 },
    });
    expect(report.constants).toMatchObject({ METRIC: 'val_acc', MODE: 'max', NUM_SAMPLES: 3, MAX_CONCURRENT_TRIALS: 2, SEED: 11 });
    expect(report.tuner).toMatchObject({ param_space: 'PARAM_SPACE' });
    expect(report.tune_config).toMatchObject({
      metric: 'METRIC',
      mode: 'MODE',
      num_samples: 'NUM_SAMPLES',
      scheduler: 'make_scheduler()',
      max_concurrent_trials: 'MAX_CONCURRENT_TRIALS',
    });
    expect(Object.keys(report.run_config)).toEqual(expect.arrayContaining(['name', 'storage_path', 'callbacks', 'checkpoint_config']));
    expect(report.checkpoint_config).toMatchObject({ checkpoint_score_attribute: 'METRIC', checkpoint_score_order: 'MODE' });
    expect(files['main.py']).toContain('from ray.air.integrations.wandb import WandbLoggerCallback');
    expect(files['main.py']).toContain('report(metrics, checkpoint=Checkpoint.from_directory(checkpoint_folder))');
  });

  it('writes FIFO as no scheduler', () => {
    const fifo = rayProjectFiles(parseConfigOrThrow('config:\n  lr: [1e-3, 1e-2]\n  num_trials: 2\n'));
    writeFileSync(join(dir, 'fifo_main.py'), fifo['main.py']!);
    const report = check<AstReport>(dir, ['ast', join(dir, 'fifo_main.py')]);
    expect(report.scheduler).toEqual({ value: null });
    expect(report.param_space.lr).toMatchObject({ call: 'tune.choice', args: [[0.001, 0.01]] });
  });

  it("architecture.py's Classifier has the registry's state_dict, key for key and shape for shape", () => {
    const pairs = [[8, 6], [8, 8], [4, 12], [3, 5]] as const;
    const report = check<{ f1: number; f2: number; total_params: number; entries: [string, number[]][] }[]>(dir, [
      'arch',
      dir,
      ...pairs.map(([a, b]) => `${a},${b}`),
    ]);
    const arch = getArchitecture('Classifier');
    for (const model of report) {
      const spec = arch.spec({ f1: model.f1, f2: model.f2 });
      expect(model.entries).toEqual(spec.entries.map((e) => [e.key, [...e.torchShape]]));
      expect(model.total_params).toBe(countParameters(spec));
    }
    expect(report[0]!.total_params).toBe(9994);
  });

  it('objective.py trains a trial with PyTorch, and its checkpoint imports into the studio with the same logits', async () => {
    const out = join(dir, 'trial');
    mkdirSync(out);
    const stdout = python(
      [
        'objective.py',
        '--data-dir',
        mnistDataDir(),
        '--out',
        out,
        '--train-limit',
        '1024',
        '--val-limit',
        '256',
        '--device',
        'cpu',
        'max_num_epochs=1',
        'f1=8',
        'f2=6',
        'lr=0.01',
        'batch_size=32',
      ],
      dir,
    );
    const rows = readFileSync(join(out, 'result.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(Object.keys(row)).toEqual(
      expect.arrayContaining(['epoch', 'training_iteration', 'train_loss', 'val_loss', 'val_acc', 'total_params', 'time_s', 'samples_per_s']),
    );
    expect(row).toMatchObject({ epoch: 1, training_iteration: 1, total_params: 9994 });
    expect(row.val_acc).toBeGreaterThan(0.2); // 1,024 images, one epoch: above chance (0.1)
    expect(row.val_acc).toBeLessThanOrEqual(1);
    expect(Number(row.train_loss)).toBeLessThan(2.3);
    expect(stdout).toContain('"val_acc"');

    const model = importModel([{ name: 'checkpoint.pt', bytes: new Uint8Array(readFileSync(join(out, 'checkpoint.pt'))) }]);

    // The trial's folder imports as a (one-trial) ray_results folder, checkpoint included.
    const folder = new Map(['params.json', 'result.json', 'checkpoint.pt'].map((name) => [`trial/${name}`, new Uint8Array(readFileSync(join(out, name)))]));
    const imported = readRayResults(folder);
    expect(imported.warnings).toEqual([]);
    expect(imported.state.trials[0]).toMatchObject({ id: 'trial', status: 'TERMINATED', config: { lr: 0.01, f1: 8, f2: 6, batch_size: 32 } });
    expect(imported.state.trials[0]!.best).toMatchObject({ epoch: 1, val_acc: row.val_acc, total_params: 9994 });
    expect(imported.bestCheckpoint).toMatchObject({ trialId: 'trial', epoch: 1 });
    expect(model).toMatchObject({ model: 'Classifier', hyperparameters: { f1: 8, f2: 6 }, totalParams: 9994, source: { kind: 'pt', format: 'tuple', hasOptimizer: true } });

    const test = readMnistSplit('test');
    const count = 8;
    const pixels = Float32Array.from(test.images.subarray(0, count * 784), (v) => v / 255);
    writeFileSync(join(dir, 'images.f32'), new Uint8Array(pixels.buffer));
    const torch = check<{ logits: number[]; optimizer_states: number }>(dir, ['logits', dir, join(out, 'checkpoint.pt'), join(dir, 'images.f32')]);
    expect(torch.optimizer_states).toBeGreaterThan(0);
    await tf.setBackend('cpu');
    const predictor = createImportedPredictor(model);
    const studio = await predictor.predict(pixels);
    predictor.dispose();
    expect(studio).toHaveLength(torch.logits.length);
    studio.forEach((value, i) => expect(value).toBeCloseTo(torch.logits[i]!, 3));
  });
  it('objective.py trains with every recipe key, and its params.json reads back as the same recipe', () => {
    const out = join(dir, 'recipe-trial');
    mkdirSync(out);
    const recipe = [
      'optimizer=adamw',
      'weight_decay=0.05',
      'lr_schedule=onecycle',
      'pct_start=0.2',
      'label_smoothing=0.1',
      'augment_translate=2',
      'augment_degrees=10',
      'augment_scale=0.1',
    ];
    const args = ['objective.py', '--data-dir', mnistDataDir(), '--out', out, '--train-limit', '512', '--val-limit', '256', '--device', 'cpu'];
    python([...args, 'max_num_epochs=2', 'lr=0.01', 'batch_size=64', ...recipe], dir);
    const rows = readFileSync(join(out, 'result.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    expect(rows.map((r) => r.epoch)).toEqual([1, 2]);
    expect(rows[1]!.train_loss).toBeLessThan(2.3);
    const folder = new Map(['params.json', 'result.json'].map((name) => [`trial/${name}`, new Uint8Array(readFileSync(join(out, name)))]));
    const imported = readRayResults(folder);
    expect(imported.warnings).toEqual([]);
    // Categorical keys come back as the schema's indices (adamw = 1, onecycle = 2).
    expect(imported.state.trials[0]!.config).toMatchObject({ optimizer: 1, weight_decay: 0.05, lr_schedule: 2, pct_start: 0.2, label_smoothing: 0.1, augment_translate: 2 });
  });
});

describe("Ray Tune project with model: gapnet", () => {
  let dir: string;

  beforeAll(() => {
    requireTorch();
    dir = mkdtempSync(join(tmpdir(), 'ray-project-gapnet-'));
    const files = rayProjectFiles(parseConfigOrThrow(`config:\n  model: gapnet\n  c4: [12, 16]\n  lr: 0.01\n`), 'gapnet_search');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  }, 60_000);

  /** 0..1 pixels of the first `count` test images, and the raw float32 file the checks read. */
  function testImages(count: number): Float32Array {
    const pixels = Float32Array.from(readMnistSplit('test').images.subarray(0, count * 784), (v) => v / 255);
    writeFileSync(join(dir, 'images.f32'), new Uint8Array(pixels.buffer));
    return pixels;
  }

  it("architecture.py's build_model makes gapnet from the model key, with the registry's state_dict key for key", () => {
    const configs: Record<string, string | number>[] = [{ model: 'gapnet' }, { model: 'gapnet', c1: 8, c2: 12, c3: 6, c4: 20 }, { model: 'gapnet', c1: 3, c2: 5, c3: 7, c4: 2 }, {}];
    const report = check<{ class: string; total_params: number; entries: [string, number[]][] }[]>(dir, ['models', dir, ...configs.map((c) => JSON.stringify(c))]);
    configs.slice(0, 3).forEach((config, i) => {
      const widths = Object.fromEntries(Object.entries(config).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
      const spec = getArchitecture('gapnet').spec(widths);
      expect(report[i]).toMatchObject({ class: 'GapNet', total_params: countParameters(spec) });
      expect(report[i]!.entries).toEqual(spec.entries.map((e) => [e.key, [...e.torchShape]]));
    });
    expect(report[0]!.total_params).toBe(8076);
    // No model key: the seed's Classifier, as before.
    expect(report[3]).toMatchObject({ class: 'Classifier', total_params: 9994 });
  });

  it("the studio trains gapnet on tfjs for an epoch, and its checkpoint.pt loads strictly into architecture.py's GapNet with the same logits", async () => {
    await tf.setBackend('wasm');
    const config: TrainConfig = { model: 'gapnet', lr: 0.005, beta1: 0.9, beta2: 0.999, batch_size: 32, seed: 1, max_num_epochs: 1 };
    const trainer = await createTrainer({
      config,
      data: { train: readMnistSplit('train'), test: readMnistSplit('test') },
      trainLimit: 2048,
      valLimit: 500,
      engine: 'auto',
    });
    try {
      const { history } = await trainer.run();
      expect(trainer.engine.engine).toBe('tfjs');
      expect(trainer.totalParams).toBe(8076);
      console.log(`gapnet, tfjs wasm, 1 epoch on 2,048 training images: val_acc ${history[0]?.val_acc} on 500 test images`);
      expect(history[0]?.val_acc).toBeGreaterThan(0.5); // one epoch of 64 steps: far above chance (0.1)

      const state = await trainer.readState();
      const checkpoint = join(dir, 'studio-gapnet.pt');
      writeFileSync(checkpoint, writeCheckpoint(snapshotCheckpoint({ config, state, stateDict: await trainer.torchStateDict() })));
      const pixels = testImages(16);
      const torch = check<{ logits: number[]; optimizer_states: number }>(dir, ['logits', dir, checkpoint, join(dir, 'images.f32'), JSON.stringify(config)]);
      expect(torch.optimizer_states).toBe(getArchitecture('gapnet').spec({}).entries.filter((e) => e.trainable).length);
      const studio = await trainer.predict(pixels);
      expect(torch.logits).toHaveLength(studio.length);
      const worst = Math.max(...torch.logits.map((v, i) => Math.abs(v - (studio[i] ?? NaN))));
      console.log(`gapnet studio -> PyTorch: max |torch - studio| eval logits over 16 test images = ${worst.toExponential(2)}`);
      // Float32 sums in another order; trained BatchNorm scales them up a little.
      expect(worst).toBeLessThan(1e-4);
    } finally {
      trainer.dispose();
    }
  }, 120_000);

  it('objective.py trains a gapnet trial from model=gapnet, and the studio reads its checkpoint strictly with the same logits', () => {
    const out = join(dir, 'trial');
    mkdirSync(out);
    const args = ['objective.py', '--data-dir', mnistDataDir(), '--out', out, '--train-limit', '1024', '--val-limit', '256', '--device', 'cpu'];
    python([...args, 'model=gapnet', 'max_num_epochs=1', 'lr=0.01', 'batch_size=32'], dir);
    const rows = readFileSync(join(out, 'result.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ epoch: 1, total_params: 8076 });
    expect(rows[0]!.train_loss).toBeLessThan(2.3);

    const folder = new Map(['params.json', 'result.json'].map((name) => [`trial/${name}`, new Uint8Array(readFileSync(join(out, name)))]));
    const imported = readRayResults(folder);
    expect(imported.warnings).toEqual([]);
    expect(imported.state.settings.model).toBe('gapnet');

    const read = readCheckpoint(new Uint8Array(readFileSync(join(out, 'checkpoint.pt'))));
    const arch = getArchitecture('gapnet');
    // fromTorchStateDict checks every key, shape and dtype against the spec: PyTorch's strict load, the other way.
    fromTorchStateDict(arch.spec({}), read.model);
    const pixels = testImages(4);
    const torch = check<{ logits: number[] }>(dir, ['logits', dir, join(out, 'checkpoint.pt'), join(dir, 'images.f32'), JSON.stringify({ model: 'gapnet' })]);
    for (let image = 0; image < 4; image++) {
      const studio = plainLogits(arch, {}, read.model, pixels.subarray(image * 784, (image + 1) * 784));
      studio.forEach((value, i) => expect(Math.abs(value - torch.logits[image * 10 + i]!)).toBeLessThan(1e-4));
    }
  }, 120_000);
});
