/**
 * `npm run tune -- --export-ray DIR` and `--import-ray DIR`: the Ray Tune project written from a
 * configuration, and a ray_results folder (or zip) read back, both in Node without a browser.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readFolder } from './readFolder';
import { rayProjectFiles } from '../../src/export/rayProject';
import { importModel, type ImportedModel } from '../../src/export/importModel';
import { trialConfigYaml } from '../../src/export/trialConfig';
import { ARCHITECTURES } from '../../src/model/registry';
import { parseConfigOrThrow } from '../../src/tune/config';
import { filesFromZip, readRayResults } from '../../src/tune/rayImport';
import { rayResultFiles } from '../../src/tune/rayResults';
import { searchResults } from '../../src/tune/results';
import { DEFAULT_SETTINGS } from '../../src/tune/space';

/** The bundled configuration, used when --config is not given. */
const DEFAULT_CONFIG_PATH = 'configuration/config.yaml';

function writeFiles(out: string, files: Readonly<Record<string, string | Uint8Array>>): string[] {
  for (const [path, data] of Object.entries(files)) {
    const target = join(out, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
  return Object.keys(files);
}

/** Writes the Ray Tune project for a configuration and its overrides to `out`; prints a JSON summary. */
export function exportRayProject(out: string, configPath: string | undefined, overrides: readonly string[]): number {
  const path = resolve(configPath ?? DEFAULT_CONFIG_PATH);
  const config = parseConfigOrThrow(readFileSync(path, 'utf8'), overrides, { models: Object.keys(ARCHITECTURES) });
  for (const warning of config.warnings) console.error(`warning: line ${warning.line}: ${warning.message}`);
  const name = out.split(/[\\/]/).filter(Boolean).pop()?.replace(/[^A-Za-z0-9_.-]/g, '_') || 'digit_studio_search';
  const written = writeFiles(resolve(out), rayProjectFiles(config, name));
  console.log(JSON.stringify({ out: resolve(out), files: written, run: `cd ${out} && pip install -r requirements.txt && python main.py --data-dir data/MNIST/raw` }));
  return 0;
}

/** Ray's pickles and TensorBoard logs are never read. */
const NOT_READ = /\.pkl$|events\.out\.tfevents/;

/**
 * Reads a ray_results experiment folder or zip, prints each trial and the best, and with `out`
 * writes the studio's results layout there with the best trial's config.yaml and checkpoint.pt.
 */
export function importRayResults(source: string, metric: string | undefined, out: string | undefined): number {
  const path = resolve(source);
  const files = statSync(path).isDirectory() ? readFolder(path, { base: dirname(path), skip: NOT_READ }) : filesFromZip(new Uint8Array(readFileSync(path)));
  const imported = readRayResults(files, { metric });
  for (const warning of imported.warnings) console.error(`warning: ${warning}`);
  for (const trial of imported.state.trials) {
    const best = trial.best ? `best val_acc=${trial.best.val_acc.toFixed(4)} at epoch ${trial.best.epoch}` : 'no result';
    console.log(`[${trial.id}] ${trial.status}, ${trial.history.length} epoch(s), ${best}, config ${JSON.stringify(trial.config)}`);
  }
  const results = searchResults(imported.state);
  let checkpoint: Pick<ImportedModel, 'model' | 'hyperparameters'> & { path: string } | null = null;
  if (imported.bestCheckpoint) {
    const model = importModel([{ name: imported.bestCheckpoint.path, bytes: imported.bestCheckpoint.bytes }]);
    checkpoint = { path: imported.bestCheckpoint.path, model: model.model, hyperparameters: model.hyperparameters };
  }
  const written: string[] = [];
  if (out) {
    const files: Record<string, string | Uint8Array> = { ...rayResultFiles(imported.state, imported.name) };
    const best = imported.state.trials.find((t) => t.id === results.best_trial_id);
    if (best) {
      files['config.yaml'] = trialConfigYaml({ ...best.config, max_num_epochs: imported.state.settings.maxNumEpochs, seed: DEFAULT_SETTINGS.seed, model: imported.state.settings.model }, best.id);
    }
    if (imported.bestCheckpoint) files['checkpoint.pt'] = imported.bestCheckpoint.bytes;
    written.push(...writeFiles(resolve(out), files));
  }
  console.log(
    JSON.stringify({
      experiment: imported.name,
      metric: imported.metric,
      trials: imported.state.trials.length,
      best_trial_id: results.best_trial_id,
      best_val_acc: results.trials.find((t) => t.trial_id === results.best_trial_id)?.best_val_acc ?? null,
      best_checkpoint: checkpoint,
      out: out ? resolve(out) : null,
      files: written,
    }),
  );
  return 0;
}
