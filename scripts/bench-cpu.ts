/**
 * The fused CPU step against PyTorch CPU, side by side on this machine: for each round, batch size
 * and thread count it times the fused step and then PyTorch's eager step with the same threads,
 * by wall clock and by CPU time (a shared machine's load moves the first, not the second), and
 * prints one JSON line per measurement plus the ratios; `--out FILE` appends the lines there with a
 * line describing the machine. `--profile` adds a per-stretch profile of one step (one thread).
 *
 * Usage: npm run bench:cpu -- [--batch 64,512] [--threads 1,2] [--seconds 3] [--rounds 2] [--profile] [--out FILE]
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { measureFusedCpu } from '../src/engine/cpu/measure';
import { torchPython } from './lib/benchTorch';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const list = (name: string, fallback: string): number[] => option(name, fallback).split(',').map(Number);
const batches = list('batch', '64,512');
const threadCounts = list('threads', '1,2');
const seconds = Number(option('seconds', '3'));
const rounds = Number(option('rounds', '2'));
const out = args.includes('--out') ? option('out', '') : '';
const torchScript = fileURLToPath(new URL('./torch/bench_torch_cpu.py', import.meta.url));

const emit = (row: object): void => {
  const line = JSON.stringify(row);
  console.log(line);
  if (out) appendFileSync(out, `${line}\n`);
};

const cpu = cpus()[0];
emit({
  machine: `${cpu?.model ?? 'unknown CPU'}, ${cpus().length} cores visible, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at start`,
  node: process.version,
  date: new Date().toISOString(),
  note: 'fused-cpu and torch-cpu timed one after the other in each round, same batch and threads; samples_per_cpu_s: torch-cpu counts the CPU time of its timed loop, fused-cpu that of its whole measurement (create, first step, warm-up included), which understates it',
});

const ratios: { batch: number; threads: number; wall: number; cpu: number }[] = [];
for (let round = 1; round <= rounds; round++) {
  for (const batch of batches) {
    for (const threads of threadCounts) {
      const c0 = process.cpuUsage();
      const ours = await measureFusedCpu({ batch, seconds, threads });
      const used = process.cpuUsage(c0);
      // CPU time covers the whole measurement (create, first step, warm-up): it understates our rate a little.
      const cpuSeconds = (used.user + used.system) / 1e6;
      const oursCpu = ((ours.steps + 3) * batch) / cpuSeconds;
      emit({ round, backend: 'fused-cpu', engine: 'wasm-simd', ...ours, samples_per_cpu_s: Math.round(oursCpu) });
      const torchLine = execFileSync(torchPython(), [torchScript, '--batch', String(batch), '--threads', String(threads), '--seconds', String(seconds)], {
        cwd: fileURLToPath(new URL('./torch/', import.meta.url)),
        encoding: 'utf8',
      }).trim();
      const torch = JSON.parse(torchLine) as { samples_per_s: number; samples_per_cpu_s: number };
      emit({ round, ...torch });
      const ratio = { batch, threads, wall: ours.samples_per_s / torch.samples_per_s, cpu: oursCpu / torch.samples_per_cpu_s };
      ratios.push(ratio);
      emit({ round, ratio: 'fused-cpu / torch-cpu', batch, threads, by_wall_clock: Number(ratio.wall.toFixed(2)), by_cpu_time: Number(ratio.cpu.toFixed(2)) });
    }
  }
}
// The first step (compile + instantiate + one batch) by wall clock and by this process's CPU time.
for (const batch of batches) {
  for (const threads of threadCounts) {
    const c0 = process.cpuUsage();
    const m = await measureFusedCpu({ batch, seconds: 0, threads });
    const used = process.cpuUsage(c0);
    emit({ first_step: 'fused-cpu', batch, threads, first_step_ms: m.first_step_ms, cpu_ms_whole_measurement: Math.round((used.user + used.system) / 1000), steps_in_measurement: m.steps + 3 });
  }
}
if (args.includes('--profile')) {
  for (const batch of batches) {
    const m = await measureFusedCpu({ batch, seconds, threads: 1, profile: true });
    emit({ profile: 'fused-cpu, one thread, ms per step', batch, ms_per_step: m.ms_per_step, stretches: m.profile });
  }
}
