import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseRow, type BenchRow } from './benchReport';

const SCRIPT = fileURLToPath(new URL('../torch/bench_torch.py', import.meta.url));

/**
 * The interpreter that runs PyTorch: $TORCH_PYTHON when set, else Debian's python3 (which carries
 * python3-torch) when it has torch, else the python3 on PATH.
 */
export function torchPython(): string {
  if (process.env.TORCH_PYTHON) return process.env.TORCH_PYTHON;
  const debian = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
  return debian.status === 0 ? '/usr/bin/python3' : 'python3';
}

/** What to time in PyTorch: the same batch sizes, budget and (on CPU) thread count as the studio. */
export interface TorchPlan {
  batches: readonly number[];
  threads: number;
  steps?: number;
  seconds: number;
  minSteps: number;
}

/** Runs scripts/torch/bench_torch.py, handing each row to `onRow` as it is printed. */
export function runTorchBench(plan: TorchPlan, onRow: (row: BenchRow) => void): Promise<BenchRow[]> {
  const args = [SCRIPT, '--batch', plan.batches.join(','), '--threads', String(plan.threads), '--seconds', String(plan.seconds), '--min-steps', String(plan.minSteps)];
  if (plan.steps !== undefined) args.push('--steps', String(plan.steps));
  const child = spawn(torchPython(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const rows: BenchRow[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.trim()) return;
    const row = parseRow(line);
    rows.push(row);
    onRow(row);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(rows);
      else reject(new Error(`the PyTorch benchmark exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}
