/**
 * `npm run evaluate -- --checkpoint FILE [--val-limit N] [--backend B]`: evaluates a `.pt` or a
 * tfjs `model.json` (with its weight files beside it) headlessly, through the studio's own import
 * and inference Worker, on the first N test images. The last line printed is
 * `{"val_acc": ..., "val_loss": ..., "n": ...}`; a bad or refused file exits 1 with the reason.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { EvaluationRequestFiles } from '../src/automation';
import { BACKEND_CHOICES, type BackendChoice } from '../src/backend/choice';
import { architectureLabel } from '../src/model/registry';
import { openStudio } from './lib/studioSession';
import { messageOf } from '../src/studioError';

const USAGE = 'usage: npm run evaluate -- --checkpoint FILE.pt|model.json [--val-limit N] [--backend auto|webgpu|wasm|webgl|cpu]';

/** The checkpoint's files: a .pt alone, or model.json plus the weight files its manifest names. */
function checkpointFiles(path: string): EvaluationRequestFiles['files'] {
  const file = (p: string) => ({ name: basename(p), base64: readFileSync(p).toString('base64') });
  if (!path.endsWith('.json')) return [file(path)];
  const manifest = (JSON.parse(readFileSync(path, 'utf8')) as { weightsManifest?: { paths?: string[] }[] }).weightsManifest ?? [];
  const weights = manifest.flatMap((group) => group.paths ?? []).map((p) => join(dirname(path), p));
  return [file(path), ...weights.map(file)];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      checkpoint: { type: 'string' },
      'val-limit': { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.checkpoint) throw new Error(`--checkpoint is required\n${USAGE}`);
  const backend = values.backend as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend)) throw new Error(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got ${values.backend}`);
  const limit = values['val-limit'] === undefined ? undefined : Number(values['val-limit']);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Error(`--val-limit must be a positive integer, got ${values['val-limit']}`);
  const path = resolve(values.checkpoint);
  statSync(path);
  const request: EvaluationRequestFiles = { files: checkpointFiles(path), valLimit: limit, backend };

  const session = await openStudio(new URLSearchParams({ backend }));
  try {
    const summary = await session.page.evaluate((req) => window.digitStudio!.evaluateCheckpoint(req), request);
    for (const warning of summary.warnings) console.error(`warning: ${warning}`);
    console.error(`${architectureLabel(summary.model, summary.hyperparameters)}, ${summary.total_params} params, on ${summary.backend}`);
    console.log(JSON.stringify({ val_acc: summary.val_acc, val_loss: summary.val_loss, n: summary.n }));
    return 0;
  } finally {
    await session.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // The page's error arrives wrapped by the browser driver; its first line is the reason.
    const message = messageOf(error);
    console.error(`evaluate: ${message.replace(/^page\.evaluate: (Error: )?/, '').split('\n')[0]}`);
    process.exit(1);
  },
);
