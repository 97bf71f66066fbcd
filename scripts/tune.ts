/**
 * `npm run tune -- --config FILE --out DIR [--train-limit N] [--val-limit N] [--backend B]
 * [--concurrency N] [key=value ...]`: runs the whole search headlessly in Chromium through the
 * studio's own page and Workers, prints a line per trial epoch and a final JSON summary, and
 * writes results.json, progress.csv, the best trial's config.yaml, checkpoint.pt and tfjs/ to DIR,
 * with Ray's per-trial folders (params.json, result.json, progress.csv) and experiment_state.json.
 *
 * `--export-ray DIR` writes the search as a Ray Tune project instead of running it, and
 * `--import-ray DIR|ZIP [--metric NAME] [--out DIR]` reads a ray_results folder back (no browser).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AutomationEvent, AutomationRequest, AutomationResult } from '../src/automation';
import { BACKEND_CHOICES, type BackendChoice } from '../src/backend/choice';
import { ENGINE_LABELS, type EngineName } from '../src/engine/stepEngine';
import { exportRayProject, importRayResults } from './lib/rayCli';
import { NodeWandbMirror, wandbSettingsFromEnv } from './lib/wandbNode';
import { openStudio } from './lib/studioSession';
import { messageOf } from '../src/studioError';

const USAGE =
  'usage: npm run tune -- --config FILE --out DIR [--train-limit N] [--val-limit N] ' +
  '[--backend auto|webgpu|wasm|webgl|cpu] [--concurrency N] [--wandb [--wandb-project NAME]] [key=value ...]\n' +
  '       npm run tune -- --export-ray DIR [--config FILE] [key=value ...]\n' +
  '       npm run tune -- --import-ray DIR|ZIP [--metric NAME] [--out DIR]';

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

function engineLabel(name: string): string {
  return Object.hasOwn(ENGINE_LABELS, name) ? ENGINE_LABELS[name as EngineName] : name;
}

function describeEvent(event: AutomationEvent): string {
  switch (event.kind) {
    case 'trial-started':
      // The adapter matters only where the trial trains on it.
      return (
        `[${event.trial_id}] started on ${event.backend}${event.backend === 'webgpu' && event.adapter ? ` (${event.adapter})` : ''}, ` +
        `${engineLabel(event.engine)}, ${event.total_params} params`
      );
    case 'epoch':
      return (
        `[${event.trial_id}] epoch ${event.epoch}: train_loss=${event.train_loss.toFixed(4)} ` +
        `val_loss=${event.val_loss.toFixed(4)} val_acc=${event.val_acc.toFixed(4)} ` +
        `time_s=${event.time_s.toFixed(1)} samples_per_s=${Math.round(event.samples_per_s)}`
      );
    case 'trial-ended':
      return `[${event.trial_id}] ${event.status}${event.error ? `: ${event.error}` : ''}`;
  }
}

function writeOutputs(out: string, result: AutomationResult): string[] {
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  const write = (path: string, data: string | Uint8Array) => {
    const target = join(out, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
    written.push(path);
  };
  write('results.json', `${JSON.stringify(result.results, null, 2)}\n`);
  write('progress.csv', result.progressCsv);
  // Ray's layout beside them: experiment_state.json and <trial_id>/{params.json,result.json,progress.csv}.
  for (const [path, text] of Object.entries(result.rayFiles)) {
    if (path === 'results.json' || path === 'progress.csv') continue;
    write(path, text);
  }
  for (const [path, data] of Object.entries(result.bestFiles ?? {})) {
    if (path === 'results.json') continue;
    write(path, Buffer.from(data, 'base64'));
  }
  return written;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      out: { type: 'string' },
      'train-limit': { type: 'string' },
      'val-limit': { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      concurrency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      'export-ray': { type: 'string' },
      'import-ray': { type: 'string' },
      metric: { type: 'string' },
      wandb: { type: 'boolean' },
      'wandb-project': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values['export-ray']) return exportRayProject(values['export-ray'], values.config, positionals);
  if (values['import-ray']) return importRayResults(values['import-ray'], values.metric, values.out);
  if (!values.out) throw new Error(`--out is required\n${USAGE}`);
  const backend = values.backend as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend)) throw new Error(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got ${values.backend}`);
  const badOverride = positionals.find((p) => !p.includes('='));
  if (badOverride) throw new Error(`overrides are key=value, got "${badOverride}"\n${USAGE}`);
  // Without --config the command line runs the original's config.yaml, whatever the page opens with.
  const configPath = resolve(values.config ?? 'configuration/config.yaml');
  const request: AutomationRequest = {
    configText: readFileSync(configPath, 'utf8'),
    overrides: positionals,
    trainLimit: positiveInt('train-limit', values['train-limit']),
    valLimit: positiveInt('val-limit', values['val-limit']),
    backend,
    concurrency: positiveInt('concurrency', values.concurrency),
  };

  // W&B from Node: the page's events feed the studio's logger here, where no CORS applies.
  const wandb = values.wandb ? new NodeWandbMirror(wandbSettingsFromEnv(process.env, values['wandb-project'])) : null;
  const started = Date.now();
  const session = await openStudio(new URLSearchParams({ backend }), (text) => console.error(`page: ${text}`));
  try {
    await session.page.exposeFunction('digitStudioReport', (event: AutomationEvent) => {
      console.log(describeEvent(event));
      wandb?.onEvent(event);
    });
    const result = await session.page.evaluate((req) => window.digitStudio!.runSearch(req), request);
    if (wandb) {
      const { activity, problem } = await wandb.finish();
      console.error(`wandb: ${activity?.runs ?? 0} run(s), ${activity?.entries ?? 0} epoch(s), ${activity?.finished ?? 0} finished${problem ? ` (${problem})` : ''}`);
    }
    const written = writeOutputs(resolve(values.out), result);
    for (const warning of result.warnings) console.error(`warning: ${warning}`);
    const best = result.results.trials.find((t) => t.trial_id === result.results.best_trial_id);
    console.log(
      JSON.stringify({
        best_trial_id: result.results.best_trial_id,
        best_val_acc: best?.best_val_acc ?? null,
        best_config: best?.config ?? null,
        trials: result.results.trials.length,
        statuses: Object.fromEntries(
          [...new Set(result.results.trials.map((t) => t.status))].map((s) => [s, result.results.trials.filter((t) => t.status === s).length]),
        ),
        seconds: (Date.now() - started) / 1000,
        out: resolve(values.out),
        files: written,
      }),
    );
    return result.results.trials.some((t) => t.status === 'ERROR') ? 1 : 0;
  } finally {
    await session.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`tune: ${messageOf(error)}`);
    process.exit(2);
  },
);
