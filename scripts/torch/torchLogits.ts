import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTorch, TORCH_PYTHON } from './fixtures';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'pt_logits.py');

/** What `pt_logits.py judge` reports about a studio checkpoint loaded into the original Classifier. */
export interface TorchJudgement {
  torch: string;
  f1: number;
  f2: number;
  globals_outside_allow_list: string[];
  missing: string[];
  unexpected: string[];
  adam_states: number;
  adam_steps: number[];
  lr: number;
  betas: number[];
  step_after: number;
  finite_after: boolean;
  logits: number[];
}

/** The one check that PyTorch is installed (scripts/torch/fixtures.ts), for the checkpoint tests that import it from here. */
export { requireTorch };

function run(args: string[]): void {
  requireTorch();
  try {
    execFileSync(TORCH_PYTHON, [SCRIPT, ...args], { cwd: dirname(SCRIPT), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`${TORCH_PYTHON} pt_logits.py ${args.join(' ')} failed:\n${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
}

/** Writes 0..1 pixels as the raw float32 file the script reads. */
export function writeImages(dir: string, pixels: Float32Array): string {
  const path = join(dir, 'images.f32');
  writeFileSync(path, new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
  return path;
}

/** Loads a studio checkpoint in PyTorch (allow-listed unpickler, strict Classifier, Adam) and returns its eval logits. */
export function judgeCheckpoint(dir: string, checkpoint: string, images: string): TorchJudgement {
  const out = join(dir, 'judgement.json');
  run(['judge', checkpoint, images, out]);
  return JSON.parse(readFileSync(out, 'utf8')) as TorchJudgement;
}

/** Has PyTorch train Classifier(f1, f2) for 3 steps and save `tuple.pt` and `bare.pt` in `dir`; returns its eval logits. */
export function torchTrainedCheckpoint(dir: string, f1: number, f2: number, images: string): { torch: string; logits: number[] } {
  const out = join(dir, 'made.json');
  run(['make', String(f1), String(f2), dir, images, out]);
  return JSON.parse(readFileSync(out, 'utf8')) as { torch: string; logits: number[] };
}
