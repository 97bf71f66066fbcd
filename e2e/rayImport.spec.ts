/**
 * Ray Tune round trip in the page: a ray_results folder written by Ray (as a zip) and the
 * studio's own export (as a folder) import into Past experiments, and an experiment downloads as
 * a Ray Tune project.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@playwright/test';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { SEEDED_EXPERIMENT, test } from './fixtures';
import { RAY_PROJECT_FILES } from '../src/export/rayProject';

const FIXTURES = fileURLToPath(new URL('../src/tune/fixtures/', import.meta.url));

function zipFolder(root: string): Buffer {
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(join(root, '..'), path)] = new Uint8Array(readFileSync(path));
    }
  };
  walk(root);
  return Buffer.from(zipSync(files));
}

test('a ray_results zip and folder import into Past experiments, with the best checkpoint in the models list', async ({ readyStudio: studio, page }) => {
  const history = studio.byTestId('experiment-history');
  const importer = studio.byTestId('ray-import');

  await test.step('a folder Ray wrote, zipped, with its metric named', async () => {
    await importer.getByLabel('Metric read as val_acc').fill('r2');
    await importer.getByLabel('Choose a ray_results zip').setInputFiles({
      name: 'ray_results.zip',
      mimeType: 'application/zip',
      buffer: zipFolder(join(FIXTURES, 'ray-2.x-real', 'tune_train_func_2025-04-15_15-35-43')),
    });
    await expect(importer.getByRole('status')).toContainText('Imported tune_train_func_2025-04-15_15-35-43: 5 trial(s)');
    // weight_decay is one of the studio's recipe keys, so only dropout_prob is left out.
    await expect(importer.getByRole('status')).toContainText('config keys the studio does not search are ignored: dropout_prob');
    await expect(importer.getByRole('status')).not.toContainText('weight_decay');
    await expect(history.locator('table.history-table > tbody > tr')).toHaveCount(1);
    await expect(history.locator('table.history-table > tbody > tr').first()).toContainText('89.82%');
  });

  await test.step('it opens with its trials as the studio shows its own', async () => {
    await history.getByRole('button', { name: /^Open experiment/ }).first().click();
    const reopened = studio.byTestId('reopened-experiment');
    await expect(reopened).toContainText('88f12_00001');
    await expect(reopened).toContainText('88f12_00004');
  });

  await test.step("the studio's own export, as a folder", async () => {
    await importer.getByLabel('Metric read as val_acc').fill('');
    await importer.getByLabel('Choose a ray_results folder').setInputFiles(SEEDED_EXPERIMENT.folder);
    await expect(importer.getByRole('status')).toContainText('3 trial(s)');
    await expect(history.locator('table.history-table > tbody > tr')).toHaveCount(2);
  });

  await test.step("the best trial's checkpoint joins the models list", async () => {
    // Classifier(6, 4) saved by PyTorch 2.11, in Ray's checkpoint_<n>/ folder of the best trial.
    const pt = new Uint8Array(readFileSync(join(FIXTURES, '../../export/fixtures/torch-2.11-tuple.pt')));
    const row = (trial: string, epoch: number, acc: number) =>
      JSON.stringify({ val_acc: acc, training_iteration: epoch, trial_id: trial, checkpoint_dir_name: `checkpoint_00000${epoch - 1}`, config: { f1: 6, f2: 4 } });
    const zip = zipSync({
      'cluster_run/a/result.json': new TextEncoder().encode(`${row('a', 1, 0.7)}\n`),
      'cluster_run/b/result.json': new TextEncoder().encode(`${row('b', 1, 0.8)}\n`),
      'cluster_run/b/checkpoint_000000/checkpoint.pt': pt,
    });
    await importer.getByLabel('Choose a ray_results zip').setInputFiles({ name: 'cluster_run.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
    await expect(importer.getByRole('status')).toContainText("the best trial's checkpoint (b) is in the models list");
    await expect(page.getByTestId('model-select')).toContainText('b/checkpoint.pt');
  });

});

test('an experiment downloads as a Ray Tune project of its own settings', async ({ page, seededExperiment }) => {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    seededExperiment.getByRole('button', { name: /^Download Ray Tune project/ }).click(),
  ]);
  const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
  const names = Object.keys(files).map((path) => path.split('/').pop());
  expect(names.sort()).toEqual([...RAY_PROJECT_FILES].sort());
  const main = strFromU8(Object.entries(files).find(([path]) => path.endsWith('main.py'))![1]);
  const state = JSON.parse(readFileSync(join(SEEDED_EXPERIMENT.folder, 'experiment_state.json'), 'utf8')) as { settings: { numTrials: number; seed: number } };
  expect(main).toContain(`NUM_SAMPLES = ${state.settings.numTrials}\n`);
  expect(main).toContain(`SEED = ${state.settings.seed}\n`);
});
