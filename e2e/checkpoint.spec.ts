import { unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { judgeWithTorch } from './torch';

test('a searched trial exports a .pt PyTorch loads strictly, and a tfjs model that imports back', async ({ page, models, trainedModel }, testInfo) => {
  const bestTrialId = trainedModel.trialId;

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
