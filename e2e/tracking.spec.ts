import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from '@playwright/test';
import { startWandbStandIn, type WandbStandIn } from '../scripts/lib/wandbStandIn';
import { expect, test } from './fixtures';

const TINY = { trainLimit: 256, valLimit: 200 };

/** Runs a search through the page's automation door and returns its trial statuses. */
async function runTinySearch(page: Page, overrides: string[]): Promise<string[]> {
  const result = await page.evaluate((request) => window.digitStudio!.runSearch(request), { overrides, ...TINY });
  return result.results.trials.map((t) => t.status);
}

/** Turns W&B on in the tracking panel, pointed at `baseUrl`. */
async function enableWandb(page: Page, baseUrl: string): Promise<void> {
  const panel = page.getByTestId('tracking-panel');
  await panel.getByLabel('Log searches to Weights & Biases').check();
  await panel.getByLabel('API key').fill('0123456789abcdef0123456789abcdef01234567');
  await panel.getByLabel('Project').fill('digits');
  await panel.getByLabel('Base URL').fill(baseUrl);
}

test.describe('experiment tracking', () => {
  test.use({ studioQuery: '?backend=wasm' });

  test('past experiments: compare two, download one as Ray results, re-run one', async ({ readyStudio, page }) => {
    const history = readyStudio.byTestId('experiment-history');

    await test.step('two tiny searches are listed with their space and duration', async () => {
      expect(await runTinySearch(page, ['num_trials=1', 'max_num_epochs=1'])).toEqual(['TERMINATED']);
      expect(await runTinySearch(page, ['num_trials=1', 'max_num_epochs=1', 'lr=0.01'])).toEqual(['TERMINATED']);
      await expect(history.getByTestId('experiment-space')).toHaveCount(2);
      await expect(history.getByTestId('experiment-space').first()).toContainText('1 trial × 1 epoch');
      await expect(history.getByTestId('experiment-space').first()).toContainText('lr=0.01');
    });

    await test.step('ticking both overlays their best curves and shows their spaces side by side', async () => {
      const boxes = history.getByRole('checkbox', { name: /^Compare experiment/ });
      await boxes.nth(0).check();
      await boxes.nth(1).check();
      const compare = page.getByTestId('experiment-compare');
      await expect(compare.getByTestId('compare-chart')).toHaveAttribute('data-series', '2');
      await expect(compare.getByTestId('compare-chart')).toHaveAttribute('data-points', '1');
      await expect(compare.locator('.recharts-line')).toHaveCount(2);
      await expect(compare.getByTestId('compare-row-lr')).toHaveClass(/differs/);
      await expect(compare.getByTestId('compare-row-lr')).toContainText('0.01');
      await expect(compare.getByTestId('compare-row-f1')).not.toHaveClass(/differs/);
    });

    await test.step('"Download results (zip)" gives the Ray layout', async () => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        history.getByRole('button', { name: /^Download results \(zip\)/ }).first().click(),
      ]);
      const files = unzipSync(readFileSync(await download.path()));
      const root = download.suggestedFilename().replace(/-results\.zip$/, '');
      for (const path of ['results.json', 'progress.csv', 'experiment_state.json', 't0001/params.json', 't0001/result.json', 't0001/progress.csv']) {
        expect(Object.keys(files)).toContain(`${root}/${path}`);
      }
      const rows = strFromU8(files[`${root}/t0001/result.json`]!).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const results = JSON.parse(strFromU8(files[`${root}/results.json`]!)) as { trials: { history: { val_acc: number }[] }[] };
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ training_iteration: 1, trial_id: 't0001', done: true, val_acc: results.trials[0]!.history[0]!.val_acc });
      expect((rows[0]!.config as Record<string, number>).lr).toBe(0.01);
    });

    await test.step('"Re-run" starts a new search with the same space and seed', async () => {
      await history.getByRole('button', { name: /^Re-run/ }).first().click();
      await expect(history.getByTestId('experiment-space')).toHaveCount(3);
      await expect(history.locator('tbody tr').first()).toContainText('yes', { timeout: 120_000 });
      const spaces = await history.getByTestId('experiment-space').allTextContents();
      expect(spaces[0]).toBe(spaces[1]);
    });
  });

  test.describe('W&B logging', () => {
    let standIn: WandbStandIn;
    test.afterEach(async () => standIn.close());

    test('each trial becomes one run with its config, one entry per epoch, and a finish', async ({ readyStudio, page }) => {
      standIn = await startWandbStandIn('ok');
      await enableWandb(readyStudio.page, standIn.url);
      expect(await runTinySearch(page, ['num_trials=1', 'max_num_epochs=2', 'lr=grid_search(0.001,0.01)'])).toEqual(['TERMINATED', 'TERMINATED']);

      await expect.poll(() => [...standIn.runs.values()].filter((r) => r.complete).length, { timeout: 60_000 }).toBe(2);
      const runs = [...standIn.runs.values()].sort((a, b) => String(a.displayName).localeCompare(String(b.displayName)));
      expect(runs.map((r) => [r.entity, r.project, r.displayName, r.exitcode])).toEqual([
        ['stand-in-user', 'digits', 't0001', 0],
        ['stand-in-user', 'digits', 't0002', 0],
      ]);
      expect(new Set(runs.map((r) => r.group)).size).toBe(1);
      expect(runs[0]!.group).toMatch(/^exp-/);
      for (const run of runs) {
        expect(run.config).toMatchObject({ trial_id: run.displayName, f1: 8, f2: 6, batch_size: 64, max_num_epochs: 2 });
        expect(run.history.map((h) => h.training_iteration)).toEqual([1, 2]);
        expect(run.summary).toMatchObject({ trial_status: 'TERMINATED' });
      }
      expect(runs.map((r) => r.config.lr).sort()).toEqual([0.001, 0.01]);
      expect([...standIn.authorizations]).toEqual([`Basic ${Buffer.from('api:0123456789abcdef0123456789abcdef01234567').toString('base64')}`]);
      await expect(page.getByTestId('wandb-activity')).toContainText('2 run(s), 4 epoch entries, 2 finished');
      await expect(page.getByTestId('wandb-notice')).toHaveCount(0);
    });

    test('a failing endpoint leaves training alone and shows one notice', async ({ readyStudio, page }) => {
      standIn = await startWandbStandIn('fail');
      await enableWandb(readyStudio.page, standIn.url);
      expect(await runTinySearch(page, ['num_trials=2', 'max_num_epochs=1'])).toEqual(['TERMINATED', 'TERMINATED']);
      await expect(page.getByTestId('wandb-notice')).toHaveCount(1, { timeout: 60_000 });
      await expect(page.getByTestId('wandb-notice')).toContainText('HTTP 500');
      await expect(page.getByTestId('wandb-notice')).toContainText('Training goes on');
      // A few tries of the first request, then nothing more.
      const sent = standIn.requests();
      expect(sent).toBeGreaterThan(1);
      expect(sent).toBeLessThanOrEqual(4);
      await page.waitForTimeout(1500);
      expect(standIn.requests()).toBe(sent);
      await expect(page.getByTestId('wandb-notice')).toHaveCount(1);
    });
  });
});
