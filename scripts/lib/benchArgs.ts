import { BACKEND_NAMES, type BackendName } from '../../src/backend/choice';

/** Where the studio's code runs for the benchmark. */
const BENCH_RUNTIMES = ['chromium', 'node'] as const;
export type BenchRuntime = (typeof BENCH_RUNTIMES)[number];

/** What `npm run bench` was asked to do. */
export interface BenchOptions {
  json: boolean;
  backends: BackendName[];
  batches: number[];
  /** A fixed number of timed steps; without it each measurement fills `seconds`. */
  steps?: number;
  /** Roughly how long each timed loop runs when `steps` is not given. */
  seconds: number;
  runtime: BenchRuntime;
  torch: boolean;
  /** PyTorch's CPU threads; without it, as many as the browser reports cores. */
  torchThreads?: number;
  /** WebGPU on the machine's GPU instead of SwiftShader. */
  hardwareGpu: boolean;
  /** Also time each fused WebGPU kernel of one step with timestamp queries. */
  profile: boolean;
  help: boolean;
}

/** A command line the benchmark cannot run, with the reason for the user. */
export class UsageError extends Error {}

export const BENCH_USAGE = `Usage: npm run bench -- [options]
  --backend LIST   webgpu, wasm, webgl, cpu, a comma list of them, or all (default: all)
  --batch LIST     batch sizes, e.g. 64,512,4096 (default: 64,512)
  --steps N        time exactly N steady-state steps (default: fill --seconds)
  --seconds S      target length of each timed loop (default: 5): at least 3 steps, or one step where a step alone takes that long
  --runtime NAME   chromium (default), or node: WebGPU through the webgpu npm package (Dawn) and cpu
  --torch          also time the PyTorch reference model and print the ratios
  --torch-threads N  PyTorch CPU threads (default: the browser's core count)
  --profile        also print each fused WebGPU kernel's GPU time for one step (needs timestamp queries)
  --hardware-gpu   give Chromium the machine's GPU for WebGPU instead of SwiftShader
  --json           print JSON lines only
  --help           print this help`;

const DEFAULTS: BenchOptions = {
  json: false,
  backends: [...BACKEND_NAMES],
  batches: [64, 512],
  seconds: 5,
  runtime: 'chromium',
  torch: false,
  hardwareGpu: false,
  profile: false,
  help: false,
};

function positiveInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`${flag} takes positive integers, not '${text}'`);
  return Number(text);
}

function parseBackends(text: string): BackendName[] {
  const names = text.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0) throw new UsageError('--backend needs a backend name');
  if (names.includes('all')) return [...BACKEND_NAMES];
  const backends: BackendName[] = [];
  for (const name of names) {
    const backend = BACKEND_NAMES.find((known) => known === name);
    if (!backend) throw new UsageError(`unknown backend '${name}'; known: ${BACKEND_NAMES.join(', ')}, all`);
    if (!backends.includes(backend)) backends.push(backend);
  }
  return backends;
}

function parseRuntime(text: string): BenchRuntime {
  const runtime = BENCH_RUNTIMES.find((known) => known === text.trim().toLowerCase());
  if (!runtime) throw new UsageError(`unknown runtime '${text}'; known: ${BENCH_RUNTIMES.join(', ')}`);
  return runtime;
}

/** Reads `npm run bench` arguments (`--flag value` or `--flag=value`); throws UsageError on a bad one. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULTS, backends: [...DEFAULTS.backends], batches: [...DEFAULTS.batches] };
  const args = argv.flatMap((arg) => (arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg]));
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] ?? '';
    const value = (): string => {
      const next = args[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--json':
        options.json = true;
        break;
      case '--profile':
        options.profile = true;
        break;
      case '--torch':
        options.torch = true;
        break;
      case '--hardware-gpu':
        options.hardwareGpu = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--backend':
        options.backends = parseBackends(value());
        break;
      case '--batch':
        options.batches = [...new Set(value().split(',').filter(Boolean).map((text) => positiveInteger('--batch', text)))];
        if (options.batches.length === 0) throw new UsageError('--batch needs at least one batch size');
        break;
      case '--steps':
        options.steps = positiveInteger('--steps', value());
        break;
      case '--torch-threads':
        options.torchThreads = positiveInteger('--torch-threads', value());
        break;
      case '--seconds': {
        const text = value();
        const seconds = Number(text);
        if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--seconds takes a positive number, not '${text}'`);
        options.seconds = seconds;
        break;
      }
      case '--runtime':
        options.runtime = parseRuntime(value());
        break;
      default:
        throw new UsageError(`unknown argument '${flag}'`);
    }
  }
  return options;
}
