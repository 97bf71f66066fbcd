import { expect, test } from './fixtures';
import { trainFusedCpu, type CpuRun } from './fusedCpuRun';

test('the fused CPU step trains in the page, on one thread and on Workers over shared memory, bit for bit as in Node', async ({ page, automation }) => {
  test.setTimeout(300_000);
  await page.goto('./');
  await automation.ready();
  const runs: (CpuRun & { isolated: boolean })[] = await page.evaluate(async () => {
    const load = <T>(path: string) => import(/* @vite-ignore */ path) as Promise<T>;
    const { trainFusedCpu } = await load<typeof import('./fusedCpuRun')>('/e2e/fusedCpuRun.ts');
    const out = [];
    for (const threads of [1, 2]) out.push({ ...(await trainFusedCpu(threads)), isolated: crossOriginIsolated });
    return out;
  });
  const node = await trainFusedCpu(1);
  expect(runs.map((r) => r.threads)).toEqual([1, 2]);
  for (const run of runs) {
    expect(run.isolated).toBe(true);
    expect(run.losses).toEqual(node.losses);
    expect(run.params).toEqual(node.params);
    expect(run.runningVars).toEqual(node.runningVars);
    expect(run.evalLossSum).toBe(node.evalLossSum);
  }
  expect(node.losses.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
});

test('a search on a machine without WebGPU trains with the fused CPU step, says so, and learns', async ({ page, automation }) => {
  test.setTimeout(300_000);
  const results = await automation.searchOn('wasm', {
    overrides: ['num_trials=1', 'max_num_epochs=2', 'lr=choice(0.01)'],
    trainLimit: 8000,
    valLimit: 1000,
  });
  const started = automation.startedTrials();
  expect(started).toHaveLength(1);
  expect(started[0]?.engine).toMatch(/^fused CPU step, \d+ threads?$/);
  const trial = results.results.trials[0];
  expect(trial?.status).toBe('TERMINATED');
  const accuracy = trial?.history.map((h) => h.val_acc) ?? [];
  console.log(`fused CPU search, 8,000 images x 2 epochs: val_acc ${accuracy.join(', ')}; ${trial?.history.map((h) => Math.round(h.samples_per_s ?? NaN)).join(', ')} samples/s`);
  // A silent training break (a wrong gradient, a skipped batch) stays near chance (0.1).
  expect(accuracy.at(-1)).toBeGreaterThan(0.85);
  await expect(page.getByTestId('search-engine')).toContainText('trains on fused CPU step');
});
