/** The end-to-end specs' PyTorch runs: Debian's PyTorch trains and judges checkpoints (DESIGN.md sections 3 and 6). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { requireTorch, TORCH_PYTHON, type TorchFixture } from '../scripts/torch/fixtures';
import { expect } from './fixtures';
import type { PageFixture } from './parityRun';

const TRAIN_SCRIPT = fileURLToPath(new URL('./torch/train_quick.py', import.meta.url));
const TORCH_SCRIPTS = fileURLToPath(new URL('../scripts/torch/', import.meta.url));

/** What the PyTorch training run reports: its own accuracy on the test split. */
export interface TorchTraining {
  test_correct: number;
  test_count: number;
  train_count: number;
  seconds: number;
}

/** Trains Classifier(8, 6) for one epoch on the first `images` training images with PyTorch and saves the original's (model, optimizer) tuple at `out`. */
export function trainWithTorch(out: string, images: number): TorchTraining {
  requireTorch();
  const output = execFileSync(TORCH_PYTHON, [TRAIN_SCRIPT, out, String(images)], { encoding: 'utf8', timeout: 240_000 });
  const last = output.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as TorchTraining;
}

/** What scripts/torch/pt_check.py reports about a checkpoint. */
export interface TorchReport {
  torch: string;
  pickle_globals: string[];
  strict_load: { missing: string[]; unexpected: string[] };
  model: { key: string; shape: number[] }[];
  after_step: { finite: boolean };
}

/** Has PyTorch load `checkpoint` strictly and take a step from it; the report is also written to `out`. */
export function judgeWithTorch(checkpoint: string, out: string): TorchReport {
  requireTorch();
  execFileSync(TORCH_PYTHON, ['pt_check.py', checkpoint, out], { cwd: TORCH_SCRIPTS, stdio: 'pipe', timeout: 120_000 });
  return JSON.parse(readFileSync(out, 'utf8')) as TorchReport;
}

/** The largest |a[i] - b[i]|, after checking that the two have the same length. */
export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - (b[i] ?? Number.NaN))), 0);
}

/** The part of a PyTorch fixture that the page's parity runs (e2e/parityRun.ts) take. */
export function pageFixture(fx: TorchFixture): PageFixture {
  return { f1: fx.f1, f2: fx.f2, batch: fx.batch, lr: fx.lr, betas: fx.betas, images: fx.images, labels: fx.labels };
}
