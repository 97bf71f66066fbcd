/**
 * `npm run pretrain [-- --from DIR]`: trains the studio's pretrained model with
 * configuration/pretrain.yaml through `npm run tune` (the studio's own search, headless), then
 * copies the best trial's tfjs model into public/pretrained/ with a provenance record
 * (pretrained.json: config, seed, epochs, accuracy on the 10,000 test images, date). `--from DIR`
 * skips training and takes the files of an earlier `npm run tune -- --out DIR` run.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfigOrThrow } from '../src/tune/config';
import type { SearchResults } from '../src/tune/results';
import { PRETRAINED_FILES, type PretrainedProvenance } from '../src/pretrained/provenance';

const CONFIG = 'configuration/pretrain.yaml';
const TARGET = resolve('public', PRETRAINED_FILES.folder);

function train(out: string): void {
  const run = spawnSync('npx', ['tsx', 'scripts/tune.ts', '--config', CONFIG, '--out', out, '--backend', 'wasm'], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`npm run tune failed (exit ${run.status ?? 'signal'})`);
}

function main(): void {
  const { values } = parseArgs({ options: { from: { type: 'string' } } });
  const out = values.from ? resolve(values.from) : mkdtempSync(join(tmpdir(), 'pretrain-'));
  if (!values.from) train(out);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as SearchResults;
  const best = results.trials.find((t) => t.trial_id === results.best_trial_id);
  if (!best || best.best_val_acc === null || best.best_epoch === null) throw new Error(`${out} has no finished best trial`);
  const model = JSON.parse(readFileSync(join(out, 'tfjs', 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  const weightFiles = model.weightsManifest.flatMap((group) => group.paths);
  mkdirSync(TARGET, { recursive: true });
  copyFileSync(join(out, 'tfjs', 'model.json'), join(TARGET, PRETRAINED_FILES.model));
  for (const path of weightFiles) copyFileSync(join(out, 'tfjs', path), join(TARGET, path));
  const lastEpoch = best.history.at(-1);
  const configText = readFileSync(CONFIG, 'utf8');
  const provenance: PretrainedProvenance = {
    config: CONFIG,
    configText,
    trainedConfig: best.config,
    seed: parseConfigOrThrow(configText).settings.seed,
    epochs: best.best_epoch,
    valAcc: best.best_val_acc,
    valImages: 10_000,
    trainImages: 60_000,
    backend: best.backend ?? 'wasm',
    samplesPerSecond: lastEpoch?.samples_per_s ?? null,
    trainedAt: new Date().toISOString().slice(0, 10),
  };
  writeFileSync(join(TARGET, PRETRAINED_FILES.provenance), `${JSON.stringify(provenance, null, 2)}\n`);
  console.log(JSON.stringify({ out, target: TARGET, ...provenance, configText: undefined }));
}

main();
