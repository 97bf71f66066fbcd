/**
 * `npm run bench`: training throughput of the Classifier on each tfjs backend in headless Chromium
 * (the studio's own step, in a Worker), optionally beside the reference PyTorch model, with ratios.
 */
import type { MeasurePlan } from '../src/bench/protocol';
import { autoOrder } from '../src/engine/engines';
import { BENCH_USAGE, parseBenchArgs, UsageError, type BenchOptions } from './lib/benchArgs';
// Chromium's harness is loaded only when used, so the Node runtime runs where no browser tooling is installed.
import { openNodeBench } from './lib/benchNode';
import { jsonLine, ratioJsonLine, ratios, ratioText, rowOf, table, type BenchRow } from './lib/benchReport';
import { runTorchBench } from './lib/benchTorch';
import { messageOf } from '../src/studioError';

/** Fewest timed steps, unless one steady-state step alone fills the time budget (SwiftShader WebGPU). */
const MIN_STEPS = 3;
const MAX_STEPS = 2000;

const say = (text: string, options: BenchOptions): void => {
  if (!options.json) process.stderr.write(`${text}\n`);
};

async function studioRows(options: BenchOptions, print: (row: BenchRow) => void): Promise<{ rows: BenchRow[]; cores: number }> {
  const rows: BenchRow[] = [];
  const browser =
    options.runtime === 'node'
      ? await openNodeBench()
      : await (await import('./lib/benchBrowser')).openBenchBrowser({ hardwareGpu: options.hardwareGpu, onConsoleError: (text) => say(`  [chromium] ${text}`, options) });
  try {
    for (const backend of options.backends) {
      say(`${backend}: starting`, options);
      try {
        const started = await browser.start(backend);
        say(`${backend}: ${started.adapter}`, options);
        // Every engine the studio may train with on this backend: its fused step, and tfjs's own ops beside it.
        for (const engine of autoOrder(backend)) {
          for (const batch of options.batches) {
            const plan: MeasurePlan = { engine, batch, steps: options.steps, budgetSeconds: options.seconds, minSteps: MIN_STEPS, maxSteps: MAX_STEPS, seed: 0, profile: options.profile };
            try {
              const measurement = await browser.measure(backend, plan);
              const row = rowOf(measurement, options.runtime);
              rows.push(row);
              print(row);
              if (measurement.kernels) {
                const line = JSON.stringify({ kind: 'profile', backend, engine, batch, kernels: measurement.kernels.map((k) => ({ label: k.label, ms: Number(k.ms.toFixed(4)) })) });
                if (options.json) console.log(line);
                else say(`  ${line}`, options);
              }
            } catch (error) {
              process.stderr.write(`${backend} ${engine} batch ${batch}: failed: ${messageOf(error)}\n`);
            }
          }
        }
      } catch (error) {
        process.stderr.write(`${backend}: failed: ${messageOf(error)}\n`);
      } finally {
        await browser.stop(backend);
      }
    }
    return { rows, cores: browser.cores };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  if (options.help) {
    console.log(BENCH_USAGE);
    return;
  }
  const print = (row: BenchRow): void => (options.json ? console.log(jsonLine(row)) : say(`  ${jsonLine(row)}`, options));
  const { rows, cores } = await studioRows(options, print);
  if (options.torch) {
    const threads = options.torchThreads ?? cores;
    say(`PyTorch: ${threads} CPU threads where there is no CUDA`, options);
    rows.push(...(await runTorchBench({ batches: options.batches, threads, steps: options.steps, seconds: options.seconds, minSteps: MIN_STEPS }, print)));
  }
  const found = ratios(rows);
  if (options.json) {
    for (const ratio of found) console.log(ratioJsonLine(ratio));
  } else {
    console.log(table(rows));
    for (const batch of options.batches) {
      const line = found.filter((r) => r.batch === batch).map(ratioText);
      if (line.length > 0) console.log(`batch ${batch}: ${line.join(', ')}`);
    }
  }
  if (rows.length === 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${BENCH_USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
});
