import { torchFixture, type TorchFixture } from '../scripts/torch/fixtures';
import { toTorchTensors } from '../scripts/torch/jsonTensors';
import { expect, openOnBackend, test } from './fixtures';
import type { ClassifierRun } from './parityRun';
import { maxAbsDiff, pageFixture } from './torch';

for (const backend of ['wasm', 'webgpu'] as const) {
  test(`the Classifier on ${backend} in Chromium matches PyTorch (logits, loss, gradients, one Adam step)`, async ({ page }) => {
    const fx: TorchFixture = torchFixture();
    await openOnBackend(page, backend);
    const run: ClassifierRun = await page.evaluate(async (input) => {
      const load = <T>(path: string) => import(/* @vite-ignore */ path) as Promise<T>;
      return (await load<typeof import('./parityRun')>('/e2e/parityRun.ts')).classifierParityRun(input);
    }, { backend, fixture: pageFixture(fx), initial: fx.initial_state, before: { state: fx.steps[0]!.before.state, batchIndex: fx.steps[0]!.batch_index } });

    expect(run.backend).toBe(backend);
    const errors = {
      evalLogits: maxAbsDiff(run.evalLogits, fx.eval_logits),
      trainLogits: maxAbsDiff(run.trainLogits, fx.train_logits),
      loss: Math.abs(run.loss - fx.loss),
      grads: Math.max(...run.grads.map((g, i) => maxAbsDiff(g, fx.grads[i]!.data))),
      stepLoss: Math.abs(run.stepLoss - fx.steps[0]!.loss),
      // Parameters whose PyTorch gradient is rounding noise around an exact zero are left out:
      // Adam's first step turns any such noise into a move of about lr (see make_fixtures.py).
      paramsAfter: 0,
    };
    const step = fx.steps[0]!;
    const after = toTorchTensors(step.after.state).filter((t) => !t.key.includes('running_') && !t.key.includes('num_batches'));
    run.paramsAfter.forEach((p, i) => {
      const expected = Array.from(after[i]!.data as Float32Array);
      const keep = (j: number) => Math.abs(step.grads[i]![j]!) >= 1e-5;
      errors.paramsAfter = Math.max(errors.paramsAfter, maxAbsDiff(p.filter((_, j) => keep(j)), expected.filter((_, j) => keep(j))));
    });
    console.log(`${backend}: max |studio - torch| ${JSON.stringify(Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.toExponential(2)])))}`);
    for (const [name, error] of Object.entries(errors)) expect(error, name).toBeLessThan(1e-4);
  });
}
