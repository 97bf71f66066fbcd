import { readFileSync } from 'node:fs';
import { ONE } from './drawing';
import { expect, test } from './fixtures';

test.describe('model: gapnet', () => {
  test('a link picks gapnet: the editor shows its widths with their parameter counts, and a tiny search trains it on tfjs ops', async ({ studio, search, pad, models }) => {
    await studio.open('?model=gapnet&c4=choice(12,16)');

    await test.step("the editor's width rows are gapnet's, counted with gapnet", async () => {
      await expect(search.parameter('c1')).toBeVisible();
      await expect(search.root.getByTestId('space-f1')).toHaveCount(0);
      await expect(search.parameter('c4').getByTestId('params-c4-16')).toHaveText('8,076 params');
      await expect(search.parameter('c4').getByTestId('params-c4-12')).toHaveText('5,636 params');
      await expect(search.parameter('c4').locator('.chip.over-budget')).toHaveCount(0);
    });

    await test.step('the trial trains on tfjs ops, says why, and its row shows c1..c4', async () => {
      await studio.open('?model=gapnet&num_trials=1&max_num_epochs=1');
      await search.run({ train: 256, val: 256 });
      await expect(search.root.getByTestId('live-search')).toHaveAttribute('data-status', 'finished', { timeout: 240_000 });
      await expect(search.trialStatus('t0001')).toHaveText('TERMINATED');
      await expect(search.root.getByTestId('search-engine')).toContainText('tfjs');
      await expect(search.root.getByTestId('search-engine')).toHaveAttribute('title', /trains? the Classifier only, not gapnet/);
      await expect(search.root.getByRole('button', { name: 'Sort by c1' })).toBeVisible();
      await expect(search.root.getByRole('button', { name: 'Sort by f1' })).toHaveCount(0);
      await expect(search.trialRow('t0001')).toContainText('8,076');
    });

    await test.step('the trained gapnet is selected, reads a drawn digit, and scores test images', async () => {
      const { page } = studio;
      await expect(page.getByTestId('selected-model')).toHaveAttribute('data-kind', 'trial');
      await expect(page.getByTestId('selected-model')).toContainText('t0001 ★ best');
      await expect(page.getByTestId('selected-model')).toContainText('gapnet c1=10 c2=16 c3=10 c4=16, 8,076 parameters');
      await expect(page.getByTestId('inference-backend')).toContainText('Predicting in a worker on', { timeout: 60_000 });
      await pad.draw(ONE);
      await expect(pad.prediction).toHaveText(/^\d/);
      const { summary } = await models.evaluate('1000');
      expect(summary).toMatch(/of 1,000 test images/);
    });

    await test.step('its checkpoint.pt and its tfjs model download, and each imports back as gapnet, with its widths, and scores the same', async () => {
      const { page } = studio;
      const trained = await models.evaluate('1000');
      const [download] = await models.download('export-pt');
      const tfjsFiles = await Promise.all((await models.download('export-tfjs', 2)).map(async (file) => ({ name: file.suggestedFilename(), path: await file.path() })));
      expect(tfjsFiles.map((file) => file.name).sort()).toEqual(['model.json', 'weights.bin']);
      await page.getByTestId('import-checkpoint').setInputFiles(await download!.path());
      await expect(page.getByTestId('import-status')).toContainText('gapnet(c1=10, c2=16, c3=10, c4=16), 8,076 parameters, PyTorch (model, optimizer) tuple');
      await expect(page.getByTestId('selected-model')).toHaveAttribute('data-kind', 'imported');
      const imported = await models.evaluate('1000');
      expect(imported.cells).toEqual(trained.cells);
      await page
        .getByTestId('import-checkpoint')
        .setInputFiles(tfjsFiles.map(({ name, path }) => ({ name, mimeType: 'application/octet-stream', buffer: readFileSync(path) })));
      await expect(page.getByTestId('import-status')).toContainText('Imported model.json: gapnet(c1=10, c2=16, c3=10, c4=16), 8,076 parameters, tfjs model');
      await expect(page.getByTestId('selected-model')).toContainText('model.json (imported)');
      const fromTfjs = await models.evaluate('1000');
      expect(fromTfjs.cells).toEqual(trained.cells);
    });
  });
});
