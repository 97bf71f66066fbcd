import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mnistDataDir } from '../lib/nodeMnist';
import { TORCH_PYTHON } from './fixtures';
import type { JsonAdamState, JsonTensor } from './jsonTensors';

/** One step of a reference case: PyTorch's loss, gradients, and state after it. */
export interface ReferenceStep {
  start: number;
  size: number;
  loss: number;
  grads: number[][];
  state: JsonTensor[];
  adam: JsonAdamState;
}

/** What `fused_cpu_reference.py` writes. */
export interface FusedCpuReference {
  torch_version: string;
  f1: number;
  f2: number;
  lr: number;
  betas: [number, number];
  order: number[];
  initial_state: JsonTensor[];
  eval_logits_count: number;
  cases: { name: string; steps: ReferenceStep[]; eval: { count: number; loss_sum: number; correct: number; logits: number[] } }[];
}

let cached: FusedCpuReference | undefined;

/** Runs scripts/torch/fused_cpu_reference.py under Debian's PyTorch (never skipped: throws when it is missing). */
export function fusedCpuReference(): FusedCpuReference {
  if (cached) return cached;
  const out = join(mkdtempSync(join(tmpdir(), 'fused-cpu-reference-')), 'reference.json');
  const script = join(dirname(fileURLToPath(import.meta.url)), 'fused_cpu_reference.py');
  execFileSync(TORCH_PYTHON, [script, mnistDataDir(), out], { stdio: ['ignore', 'inherit', 'inherit'] });
  cached = JSON.parse(readFileSync(out, 'utf8')) as FusedCpuReference;
  return cached;
}
