import { expect, test } from '@playwright/test';

test('a search on WebGPU trains its trials with the fused kernels and says so', async ({ page }) => {
  test.setTimeout(300_000);
  const started: { engine: string; backend: string }[] = [];
  await page.exposeFunction('digitStudioReport', (event: { kind: string; engine?: string; backend?: string }) => {
    if (event.kind === 'trial-started') started.push({ engine: event.engine ?? '', backend: event.backend ?? '' });
  });
  await page.goto('./?backend=webgpu');
  await page.waitForFunction(() => window.digitStudio !== undefined);
  const results = await page.evaluate(() =>
    window.digitStudio!.runSearch({
      backend: 'webgpu',
      overrides: ['num_trials=1', 'max_num_epochs=1', 'batch_size=16'],
      trainLimit: 64,
      valLimit: 64,
    }),
  );
  expect(started).toEqual([{ engine: 'fused WebGPU kernels', backend: 'webgpu' }]);
  const trial = results.results.trials[0];
  expect(trial?.status).toBe('TERMINATED');
  const epoch = trial?.history[0];
  expect(epoch?.epoch).toBe(1);
  expect(Number.isFinite(epoch?.train_loss)).toBe(true);
  expect(epoch?.val_acc).toBeGreaterThanOrEqual(0);
  await expect(page.getByTestId('search-engine')).toContainText('trains on fused WebGPU kernels');
});
