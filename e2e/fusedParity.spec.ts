import { torchFixture, type TorchFixture } from '../scripts/torch/fixtures';
import { toTorchTensors } from '../scripts/torch/jsonTensors';
import { expect, openOnBackend, test } from './fixtures';
import type { FusedRun } from './parityRun';
import { maxAbsDiff, pageFixture } from './torch';

test('the fused WebGPU training step matches PyTorch step by step (loss, BN statistics, Adam moments, parameters)', async ({ page }) => {
  test.setTimeout(300_000);
  const fx: TorchFixture = torchFixture();
  await openOnBackend(page, 'webgpu');
  const steps = fx.steps.map((s) => ({ batchIndex: s.batch_index, state: s.before.state, adam: s.before.adam }));
  const { runs, rejected }: { runs: FusedRun[]; rejected: string } = await page.evaluate(async (input) => {
    const load = <T>(path: string) => import(/* @vite-ignore */ path) as Promise<T>;
    return (await load<typeof import('./parityRun')>('/e2e/parityRun.ts')).fusedParityRun(input);
  }, { fixture: pageFixture(fx), steps });

  expect(rejected).toMatch(/^the fused WebGPU training step was rejected by WebGPU: .*aliasing/s);
  expect(runs).toHaveLength(fx.steps.length);
  runs.forEach((run, k) => {
    const step = fx.steps[k]!;
    const after = toTorchTensors(step.after.state);
    const trainable = after.filter((t) => !t.key.includes('running_') && !t.key.includes('num_batches'));
    const stat = (name: string) => after.filter((t) => t.key.endsWith(name)).flatMap((t) => Array.from(t.data as Float32Array));
    const errors = { loss: Math.abs(run.loss - step.loss), runningMean: 0, runningVar: 0, expAvg: 0, expAvgSq: 0, params: 0 };
    errors.runningMean = maxAbsDiff(run.runningMeans, stat('running_mean'));
    errors.runningVar = maxAbsDiff(run.runningVars, stat('running_var'));
    run.params.forEach((p, i) => {
      errors.expAvg = Math.max(errors.expAvg, maxAbsDiff(run.expAvg[i]!, step.after.adam[i]!.exp_avg));
      errors.expAvgSq = Math.max(errors.expAvgSq, maxAbsDiff(run.expAvgSq[i]!, step.after.adam[i]!.exp_avg_sq));
      // A parameter whose PyTorch gradient is rounding noise around an exact zero moves by up to lr
      // in any float32 implementation (see make_fixtures.py); the others must agree.
      const keep = (j: number) => Math.abs(step.grads[i]![j]!) >= 1e-5;
      const expected = Array.from(trainable[i]!.data as Float32Array);
      errors.params = Math.max(errors.params, maxAbsDiff(p.filter((_, j) => keep(j)), expected.filter((_, j) => keep(j))));
    });
    console.log(`fused step ${k + 1}: ${run.dispatches} dispatches, max |studio - torch| ${JSON.stringify(Object.fromEntries(Object.entries(errors).map(([n, v]) => [n, v.toExponential(2)])))}`);
    for (const [name, error] of Object.entries(errors)) expect(error, `step ${k + 1} ${name}`).toBeLessThan(1e-4);
  });
});
