/**
 * `npm run accuracy [-- --independent] [--config FILE [--target PCT]] [--seeds N] [--epochs N] [--train-limit N]
 * [--val-limit N] [--torch-threads N] [--concurrency N] [--backend B]`:
 * trains the seed's recipe (Classifier(8, 6), Adam lr 1e-3, batch 64, full MNIST) for 20 epochs
 * on 3 seeds in the studio and in PyTorch, and prints the per-epoch table of test accuracy (mean
 * and min-max over the seeds) with the checks of scripts/lib/accuracyTable.ts. Raw rows go to
 * bench/results/accuracy-<date>.jsonl. A measurement, not a test: `npm test` does not run it.
 *
 * `--config FILE` (with `--independent`) trains a config.yaml whose every key is fixed, such as
 * configuration/best.yaml, instead of the seed's recipe, for its own max_num_epochs: seed i is
 * the config's trial i (trial seed `seed + i`, src/tune/space.ts trialSeed) in the studio
 * and `seed=<that>` in the exported project. Its checks are the issue's: the means at the last
 * epoch within BEST_TOLERANCE_POINTS, and the studio's mean at least `--target` percent.
 *
 * By default each seed is one run done twice: PyTorch draws the initial weights
 * (`torch.manual_seed(seed)`), the studio reads them from the .pt PyTorch saved, and both train
 * the studio's shuffle for that seed (scripts/torch/trajectory.py), the studio with its trainer and
 * the best engine Node has (the fused CPU step). The two curves then differ only by arithmetic. At
 * lr 1e-3 a rounding difference grows within the first epoch to the size of seed noise (PyTorch
 * against itself in float64 does the same: scripts/torch/rounding_spread.py), so the comparison
 * is of means and spreads over seeds, with the same starts and batches on both sides.
 *
 * With `--independent` the two sides share nothing but the seed number: the studio runs in its own
 * page and Workers in headless Chromium (the best engine the machine has, one trial at a time) and
 * PyTorch runs the Ray project the studio exports (`objective.py`, its own initial weights and
 * DataLoader shuffle), as a user reproducing a search would. They then agree in distribution,
 * not seed by seed. The two sides run at the same time.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { AutomationEvent, AutomationRequest } from '../src/automation';
import { BACKEND_CHOICES, type BackendChoice } from '../src/backend/choice';
import { createTrainer, type TrainConfig } from '../src/engine/trainer';
import { classifier } from '../src/model/classifier';
import { Rng } from '../src/train/rng';
import { rayProjectFiles } from '../src/export/rayProject';
import { parseConfigOrThrow, type TuneConfig } from '../src/tune/config';
import { paramValue, trialKeys, trialSeed } from '../src/tune/space';
import { checkAccuracy, describeChecks, markdownTable, summarize, type AccuracyRow } from './lib/accuracyTable';
import { torchPython } from './lib/benchTorch';
import { mnistDataDir, readMnistSplit } from './lib/nodeMnist';
import { openStudio } from './lib/studioSession';
import { torchTrajectory } from './torch/trajectory';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = join(ROOT, 'configuration', 'config.yaml');
/** The seed's recipe, on top of configuration/config.yaml (which searches lr over 1e-3 and 1e-2). */
const RECIPE = { f1: 8, f2: 6, lr: 1e-3, beta1: 0.9, beta2: 0.999, batch_size: 64 };
/** How far apart the two means may end for a `--config` recipe, in points. */
const BEST_TOLERANCE_POINTS = 0.1;

function positiveInt(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

interface Options {
  seeds: number;
  epochs: number;
  trainLimit?: number;
  valLimit?: number;
  torchThreads: number;
  backend: BackendChoice;
  independent: boolean;
  /** A config.yaml with every key fixed, trained instead of the seed's recipe. */
  config?: { path: string; text: string; seed: number };
  /** The studio's mean at the last epoch must reach this fraction (with `config`). */
  target?: number;
  /** Trials the studio trains at once. */
  concurrency: number;
}

function recipeOverrides(options: Options): string[] {
  if (options.config) return [`max_num_epochs=${options.epochs}`, `num_trials=${options.seeds}`, 'scheduler=fifo'];
  return [
    `f1=${RECIPE.f1}`,
    `f2=${RECIPE.f2}`,
    `lr=${RECIPE.lr}`,
    `betas=[${RECIPE.beta1},${RECIPE.beta2}]`,
    `batch_size=${RECIPE.batch_size}`,
    `max_num_epochs=${options.epochs}`,
    `num_trials=${options.seeds}`,
    'seed=0',
    'scheduler=fifo',
  ];
}

/** The seed of trial `index` (0-based) of the runs: the search runner's per-trial seed. */
function seedOfTrial(options: Options, index: number): number {
  return trialSeed(options.config?.seed ?? 0, index);
}

/** The studio's runs: one search of `seeds` trials (trial i trains with seed seedOfTrial(i)), `concurrency` at a time. */
async function studioRuns(options: Options, record: (row: AccuracyRow) => void): Promise<string> {
  const request: AutomationRequest = {
    configText: options.config?.text ?? readFileSync(CONFIG, 'utf8'),
    overrides: recipeOverrides(options),
    trainLimit: options.trainLimit,
    valLimit: options.valLimit,
    backend: options.backend,
    concurrency: options.concurrency,
  };
  const session = await openStudio(new URLSearchParams({ backend: options.backend }), (text) => console.error(`page: ${text}`));
  let engine = '';
  try {
    // Trial tNNNN is the search's trial NNNN - 1.
    const seedOf = (trialId: string) => seedOfTrial(options, Number(trialId.slice(1)) - 1);
    await session.page.exposeFunction('digitStudioReport', (event: AutomationEvent) => {
      if (event.kind === 'trial-started') {
        engine = `${event.backend}, ${event.engine}`;
        console.log(`studio seed ${seedOf(event.trial_id)}: ${engine}`);
      } else if (event.kind === 'epoch') {
        const seed = seedOf(event.trial_id);
        record({ runner: 'studio', seed, epoch: event.epoch, val_acc: event.val_acc, time_s: event.time_s });
        console.log(`studio seed ${seed} epoch ${event.epoch}: val_acc=${event.val_acc.toFixed(4)} time_s=${event.time_s.toFixed(1)}`);
      } else if (event.status === 'ERROR') {
        throw new Error(`studio trial ${event.trial_id} failed: ${event.error ?? 'unknown error'}`);
      }
    });
    const result = await session.page.evaluate((req) => window.digitStudio!.runSearch(req), request);
    const failed = result.results.trials.filter((t) => t.status === 'ERROR');
    if (failed.length > 0) throw new Error(`studio trials failed: ${failed.map((t) => `${t.trial_id}: ${t.error ?? ''}`).join('; ')}`);
  } finally {
    await session.close();
  }
  return engine;
}

/**
 * Each seed's run twice from one start: PyTorch's initial weights (after one warm-up Adam step on
 * the first batch, so the .pt holds Adam state too), along the studio's shuffle for the seed.
 * Returns the engine that trained the studio's side.
 */
async function pairedRuns(options: Options, record: (row: AccuracyRow) => void): Promise<string> {
  await tf.setBackend('cpu');
  const data = { train: readMnistSplit('train'), test: readMnistSplit('test') };
  const trainCount = Math.min(options.trainLimit ?? data.train.count, data.train.count);
  const valCount = Math.min(options.valLimit ?? data.test.count, data.test.count);
  const spec = classifier.spec({ f1: RECIPE.f1, f2: RECIPE.f2 });
  let engine = '';
  for (let seed = 0; seed < options.seeds; seed++) {
    const config: TrainConfig = { f1: RECIPE.f1, f2: RECIPE.f2, lr: RECIPE.lr, beta1: RECIPE.beta1, beta2: RECIPE.beta2, batch_size: RECIPE.batch_size, seed, max_num_epochs: options.epochs };
    const trainer = await createTrainer({
      config, data, trainLimit: trainCount, valLimit: valCount, progressEvery: 100,
      onEpoch: (report) => {
        record({ runner: 'studio', seed, epoch: report.epoch, val_acc: report.val_acc, time_s: report.time_s });
        console.log(`studio seed ${seed} epoch ${report.epoch}: val_acc=${report.val_acc.toFixed(4)} time_s=${report.time_s.toFixed(1)}`);
      },
    });
    try {
      engine = trainer.engine.name;
      const fresh = await trainer.readState();
      // The trainer's shuffle for this seed, drawn ahead from its generator as it stands before epoch 1.
      const rng = new Rng(fresh.rng);
      const epochs = Array.from({ length: options.epochs }, () => ({ order: Array.from(rng.permutation(trainCount)) }));
      const started = performance.now();
      const torch = torchTrajectory(spec, {
        f1: RECIPE.f1, f2: RECIPE.f2, lr: RECIPE.lr, betas: [RECIPE.beta1, RECIPE.beta2], batch: RECIPE.batch_size,
        seed, train: 'train', train_count: trainCount, val_count: valCount, epochs,
      });
      const perEpoch = (performance.now() - started) / 1000 / options.epochs;
      torch.epochs.forEach((e, i) => {
        record({ runner: 'pytorch', seed, epoch: i + 1, val_acc: e.val_acc, time_s: perEpoch });
        console.log(`pytorch seed ${seed} epoch ${i + 1}: val_acc=${e.val_acc.toFixed(4)} train_loss=${e.train_loss.toFixed(5)}`);
      });
      console.log(`studio seed ${seed}: ${engine}, from PyTorch's start`);
      trainer.restoreState({ ...fresh, network: torch.start.network, adam: torch.start.adam, epochLossSum: 0 });
      const result = await trainer.run();
      const first = result.history[0];
      const torchFirst = torch.epochs[0];
      // The pairing shows in epoch 1's training loss: the same batches give it to ~1e-5, another order to ~1e-2.
      if (first && torchFirst) console.log(`seed ${seed}: epoch 1 train_loss studio ${first.train_loss.toFixed(6)}, PyTorch ${torchFirst.train_loss.toFixed(6)} (relative difference ${(Math.abs(first.train_loss - torchFirst.train_loss) / torchFirst.train_loss).toExponential(1)})`);
    } finally {
      trainer.dispose();
    }
  }
  return engine;
}

/** PyTorch's runs: the exported project's objective.py, one seed after another. */
async function torchRuns(options: Options, record: (row: AccuracyRow) => void): Promise<void> {
  const project = mkdtempSync(join(tmpdir(), 'digit-accuracy-'));
  try {
    const config = parseConfigOrThrow(options.config?.text ?? readFileSync(CONFIG, 'utf8'), recipeOverrides(options));
    for (const [path, text] of Object.entries(rayProjectFiles(config))) {
      mkdirSync(dirname(join(project, path)), { recursive: true });
      writeFileSync(join(project, path), text);
    }
    for (let index = 0; index < options.seeds; index++) {
      const seed = seedOfTrial(options, index);
      const args = [join(project, 'objective.py'), '--data-dir', mnistDataDir(), '--out', join(project, `seed-${seed}`), '--device', 'cpu'];
      if (options.trainLimit) args.push('--train-limit', String(options.trainLimit));
      if (options.valLimit) args.push('--val-limit', String(options.valLimit));
      // objective.py run alone starts from its own defaults (the seed's recipe): every key is passed.
      args.push(...recipeArgs(config, options), `max_num_epochs=${options.epochs}`, `seed=${seed}`);
      const threads = String(options.torchThreads);
      await runPython(args, { ...process.env, OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads }, (line) => {
        const m = JSON.parse(line) as { epoch: number; val_acc: number; time_s: number };
        record({ runner: 'pytorch', seed, epoch: m.epoch, val_acc: m.val_acc, time_s: m.time_s });
        console.log(`pytorch seed ${seed} epoch ${m.epoch}: val_acc=${m.val_acc.toFixed(4)} time_s=${m.time_s.toFixed(1)}`);
      });
    }
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

/** objective.py's key=value arguments for the recipe: a --config's every fixed key and its model, or the seed's recipe. */
function recipeArgs(config: TuneConfig, options: Options): string[] {
  if (!options.config) return Object.entries(RECIPE).map(([k, v]) => `${k}=${v}`);
  const keys = trialKeys(config.settings.model);
  const unfixed = keys.filter((key) => config.space[key].kind !== 'fixed');
  if (unfixed.length > 0) throw new Error(`${options.config.path}: --config needs every key fixed; ${unfixed.join(', ')} are searched`);
  return [`model=${config.settings.model}`, ...keys.map((key) => {
    const domain = config.space[key];
    return `${key}=${domain.kind === 'fixed' ? paramValue(key, domain.value) : ''}`;
  })];
}

function runPython(args: string[], env: NodeJS.ProcessEnv, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(torchPython(), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.trim().startsWith('{')) onLine(line);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`objective.py exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

/** A config.yaml to train as it stands: its text, its run seed and its epochs. */
function readRecipe(path: string): { path: string; text: string; seed: number; epochs: number } {
  const text = readFileSync(path, 'utf8');
  const config = parseConfigOrThrow(text);
  return { path, text, seed: config.settings.seed, epochs: config.settings.maxNumEpochs };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      epochs: { type: 'string' },
      'train-limit': { type: 'string' },
      'val-limit': { type: 'string' },
      'torch-threads': { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      independent: { type: 'boolean', default: false },
      config: { type: 'string' },
      target: { type: 'string' },
      concurrency: { type: 'string' },
    },
  });
  const backend = values.backend as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend)) throw new Error(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got ${values.backend}`);
  const config = values.config === undefined ? undefined : readRecipe(values.config);
  if (config && !values.independent) throw new Error('--config trains a recipe of its own: add --independent (the paired runs start from PyTorch with the seed\'s recipe)');
  const target = values.target === undefined ? undefined : Number(values.target) / 100;
  if (target !== undefined && !(target > 0 && target <= 1)) throw new Error(`--target must be a percentage, got ${values.target}`);
  const options: Options = {
    seeds: positiveInt('seeds', values.seeds, 3) ?? 3,
    epochs: positiveInt('epochs', values.epochs, config?.epochs ?? 20) ?? 20,
    trainLimit: positiveInt('train-limit', values['train-limit']),
    valLimit: positiveInt('val-limit', values['val-limit']),
    // The studio's CPU step uses every core; PyTorch gets the same.
    torchThreads: positiveInt('torch-threads', values['torch-threads'], cpus().length) ?? 1,
    backend,
    independent: values.independent ?? false,
    config: config && { path: config.path, text: config.text, seed: config.seed },
    target,
    concurrency: positiveInt('concurrency', values.concurrency, 1) ?? 1,
  };
  const date = new Date().toISOString().slice(0, 10);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const out = join(ROOT, 'bench', 'results', `accuracy-${date}.jsonl`);
  const run = { date, cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', ...options, config: options.config?.path, started: new Date().toISOString() };
  appendFileSync(out, `${JSON.stringify({ run })}\n`);
  const rows: AccuracyRow[] = [];
  const record = (row: AccuracyRow) => {
    rows.push(row);
    appendFileSync(out, `${JSON.stringify(row)}\n`);
  };
  let engine: string;
  if (options.independent) {
    // The two sides share nothing, so they run at the same time (their times are then of a shared machine).
    [engine] = await Promise.all([studioRuns(options, record), torchRuns(options, record)]);
  } else {
    engine = await pairedRuns(options, record);
  }

  const summary = summarize(rows);
  const tolerance = options.config ? BEST_TOLERANCE_POINTS : undefined;
  const checks = checkAccuracy(summary, tolerance);
  const last = summary.at(-1)?.studio;
  const targetOk = options.target === undefined || (last !== null && last !== undefined && last.mean >= options.target - 1e-12);
  appendFileSync(out, `${JSON.stringify({ engine, torch_threads: options.torchThreads, checks, target: options.target, target_ok: targetOk })}\n`);
  const seconds = (runner: AccuracyRow['runner']) => rows.filter((r) => r.runner === runner).reduce((a, r) => a + r.time_s, 0);
  const against = options.independent ? `PyTorch (the exported project, ${options.torchThreads} thread(s))` : 'PyTorch (1 thread) from the same start along the same shuffle';
  console.log(`\nstudio (${engine}) against ${against}, ${run.cores} cores (${run.cpu}), ${date}:\n`);
  console.log(markdownTable(summary));
  console.log(`\ntraining and evaluation time: studio ${seconds('studio').toFixed(0)} s, PyTorch ${seconds('pytorch').toFixed(0)} s`);
  for (const line of describeChecks(checks, tolerance)) console.log(line);
  if (options.target !== undefined) console.log(`studio mean at the last epoch >= ${(options.target * 100).toFixed(2)}%: ${targetOk ? 'yes' : 'NO'}`);
  console.log(`raw rows: ${out}`);
  return checks.ok && targetOk ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`accuracy: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
