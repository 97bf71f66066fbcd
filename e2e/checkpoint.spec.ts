import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test as base, type Download, type Locator, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';

/** Debian's PyTorch judges the downloaded checkpoint (DESIGN.md sections 3 and 6). */
const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPTS = fileURLToPath(new URL('../scripts/torch/', import.meta.url));

/** What scripts/torch/pt_check.py reports about a checkpoint. */
interface TorchReport {
  torch: string;
  pickle_globals: string[];
  strict_load: { missing: string[]; unexpected: string[] };
  model: { key: string; shape: number[] }[];
  after_step: { finite: boolean };
}

function judgeWithTorch(checkpoint: string, out: string): TorchReport {
  if (!existsSync(PYTHON)) throw new Error(`This check needs PyTorch: ${PYTHON} is missing (apt-get install -y python3-torch)`);
  execFileSync(PYTHON, ['pt_check.py', checkpoint, out], { cwd: TORCH_SCRIPTS, stdio: 'pipe', timeout: 120_000 });
  return JSON.parse(readFileSync(out, 'utf8')) as TorchReport;
}

/** The models panel and test-set explorer, found by their test ids. */
class ModelsPanel {
  readonly root: Locator;
  readonly explorer: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('models-panel');
    this.explorer = page.getByTestId('test-set-explorer');
  }

  /** Clicks an export button and collects the `count` downloads it starts. */
  async download(testId: string, count = 1): Promise<Download[]> {
    const downloads: Download[] = [];
    const collect = (download: Download) => downloads.push(download);
    this.page.on('download', collect);
    try {
      await this.root.getByTestId(testId).click();
      await expect.poll(() => downloads.length).toBe(count);
    } finally {
      this.page.off('download', collect);
    }
    return downloads;
  }

  /** Evaluates the selected model on the first `limit` test images; returns the summary and the matrix. */
  async evaluate(limit: string): Promise<{ summary: string; cells: string[] }> {
    await this.explorer.getByTestId('evaluate-limit').selectOption(limit);
    await this.explorer.getByTestId('evaluate-test-set').click();
    const summary = this.explorer.getByTestId('test-accuracy');
    await expect(summary).toBeVisible({ timeout: 120_000 });
    const cells = await this.explorer.getByTestId('confusion-matrix').locator('tbody td').allTextContents();
    return { summary: (await summary.textContent()) ?? '', cells };
  }
}

const test = base.extend<{ models: ModelsPanel }>({
  models: async ({ page }, provide) => {
    await provide(new ModelsPanel(page));
  },
});

test('a searched trial exports a .pt PyTorch loads strictly, and a tfjs model that imports back', async ({ page, models }, testInfo) => {
  let bestTrialId = '';
  await test.step('run a tiny search in the page', async () => {
    await page.goto('./');
    const result = await page.evaluate(() =>
      window.digitStudio!.runSearch({ overrides: ['num_trials=1', 'max_num_epochs=1'], trainLimit: 512, valLimit: 256 }),
    );
    bestTrialId = result.results.best_trial_id ?? '';
    expect(bestTrialId).not.toBe('');
    await expect(page.getByTestId('selected-model')).toContainText(`${bestTrialId} ★ best`);
  });

  await test.step('checkpoint.pt loads strictly into the original Classifier', async () => {
    const [download] = await models.download('export-pt');
    expect(download!.suggestedFilename()).toBe(`${bestTrialId}-checkpoint.pt`);
    const path = testInfo.outputPath('checkpoint.pt');
    await download!.saveAs(path);
    const report = judgeWithTorch(path, testInfo.outputPath('torch-report.json'));
    expect(report.strict_load).toEqual({ missing: [], unexpected: [] });
    expect(report.pickle_globals).toEqual(['collections.OrderedDict', 'torch.FloatStorage', 'torch.LongStorage', 'torch._utils._rebuild_tensor_v2']);
    expect(report.model.find((t) => t.key === 'fc.weight')?.shape).toEqual([10, 12]);
    expect(report.after_step.finite).toBe(true);
  });

  let zipped: Record<string, Uint8Array> = {};
  await test.step('the zip holds the checkpoint, the tfjs model, config.yaml and results.json', async () => {
    const [download] = await models.download('export-zip');
    const path = testInfo.outputPath('export.zip');
    await download!.saveAs(path);
    zipped = unzipSync(new Uint8Array(readFileSync(path)));
    expect(Object.keys(zipped)).toEqual(expect.arrayContaining(['checkpoint.pt', 'tfjs/model.json', 'config.yaml', 'results.json']));
    const results = JSON.parse(new TextDecoder().decode(zipped['results.json'])) as { best_trial_id: string };
    expect(results.best_trial_id).toBe(bestTrialId);
  });

  await test.step('the tfjs download is the zip’s tfjs model', async () => {
    const downloads = await models.download('export-tfjs', 2);
    for (const download of downloads) {
      const bytes = new Uint8Array(readFileSync(await download.path()));
      expect(bytes).toEqual(zipped[`tfjs/${download.suggestedFilename()}`]);
    }
  });

  const trialRun = await test.step('evaluate the trial on 1,000 test images', () => models.evaluate('1000'));

  await test.step('the zip’s tfjs model.json imports back and scores the same', async () => {
    const files = Object.entries(zipped)
      .filter(([path]) => path.startsWith('tfjs/'))
      .map(([path, bytes]) => ({ name: path.slice('tfjs/'.length), mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) }));
    await page.getByTestId('import-checkpoint').setInputFiles(files);
    await expect(page.getByTestId('import-status')).toContainText('Imported model.json');
    await expect(page.getByTestId('selected-model')).toContainText('model.json (imported)');
    const importedRun = await models.evaluate('1000');
    testInfo.annotations.push({ type: 'trial', description: trialRun.summary }, { type: 'imported tfjs', description: importedRun.summary });
    expect(importedRun.cells).toEqual(trialRun.cells);
    expect(importedRun.summary.replace(/, in .*$/, '')).toBe(trialRun.summary.replace(/, in .*$/, ''));
  });
});
