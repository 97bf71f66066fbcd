import { expect, openOnBackend, test } from './fixtures';
import type { ResumeOutcome } from './resumeRun';

test('a search on WebGPU trains its trials with the fused kernels and says so', async ({ page, automation }) => {
  test.setTimeout(300_000);
  const results = await automation.searchOn('webgpu', {
    overrides: ['num_trials=1', 'max_num_epochs=1', 'batch_size=16'],
    trainLimit: 64,
    valLimit: 64,
  });
  expect(automation.startedTrials()).toEqual([{ engine: 'fused WebGPU kernels', backend: 'webgpu' }]);
  const trial = results.results.trials[0];
  expect(trial?.status).toBe('TERMINATED');
  const epoch = trial?.history[0];
  expect(epoch?.epoch).toBe(1);
  expect(Number.isFinite(epoch?.train_loss)).toBe(true);
  expect(epoch?.val_acc).toBeGreaterThanOrEqual(0);
  await expect(page.getByTestId('search-engine')).toContainText('trains on fused WebGPU kernels');
});

test('a run on the fused WebGPU kernels stopped after an epoch and restored from its saved state ends exactly where an unbroken run ends', async ({ page }) => {
  test.setTimeout(300_000);
  await openOnBackend(page, 'webgpu');
  const outcome: ResumeOutcome = await page.evaluate(async () => {
    const load = <T>(path: string) => import(/* @vite-ignore */ path) as Promise<T>;
    return (await load<typeof import('./resumeRun')>('/e2e/resumeRun.ts')).stoppedAndResumedRun();
  });
  expect(outcome.engine).toBe('fused WebGPU kernels');
  expect(outcome.stopped).toBe('stopped');
  const metrics = (history: typeof outcome.expected) => history.map(({ epoch, train_loss, val_loss, val_acc }) => ({ epoch, train_loss, val_loss, val_acc }));
  // The fused kernels sum in a fixed order, so a restored run repeats the unbroken one bit for bit.
  expect(metrics(outcome.actual)).toEqual(metrics(outcome.expected));
  expect(outcome.differingParams).toBe(0);
  expect(outcome.differingMoments).toBe(0);
  expect(outcome.differingRunningVars).toBe(0);
  expect(outcome.adamSteps).toEqual([12, 12]);
});
