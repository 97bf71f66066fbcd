import { expect, test } from '@playwright/test';
import { toTorchTensors, torchFixture, type TorchFixture } from '../scripts/torch/fixtures';

/** What the page computes from the PyTorch fixture on one backend. */
interface BrowserRun {
  backend: string;
  evalLogits: number[];
  trainLogits: number[];
  loss: number;
  grads: number[][];
  stepLoss: number;
  paramsAfter: number[][];
}

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - (b[i] ?? Number.NaN))), 0);
}

for (const backend of ['wasm', 'webgpu'] as const) {
  test(`the Classifier on ${backend} in Chromium matches PyTorch (logits, loss, gradients, one Adam step)`, async ({ page }) => {
    const fx: TorchFixture = torchFixture();
    await page.goto(`./?backend=${backend}`);
    await page.waitForFunction(() => window.digitStudio !== undefined);
    // The page starts the requested backend itself; the check shares it rather than racing it.
    await expect(page.getByTestId('chosen-backend')).toContainText(backend, { timeout: 120_000 });
    const run: BrowserRun = await page.evaluate(
      async ({ fx, backend, initial, before }) => {
        // The studio's own modules, as the dev server serves them to the page.
        const load = <T>(path: string) => import(/* @vite-ignore */ path) as Promise<T>;
        const tf = await load<typeof import('@tensorflow/tfjs')>('/node_modules/.vite/deps/@tensorflow_tfjs.js');
        const { initBackend } = await load<typeof import('../src/backend/init')>('/src/backend/init.ts');
        const { Network } = await load<typeof import('../src/model/network')>('/src/model/network.ts');
        const { classifier } = await load<typeof import('../src/model/classifier')>('/src/model/classifier.ts');
        const sd = await load<typeof import('../src/model/stateDict')>('/src/model/stateDict.ts');
        const { Adam } = await load<typeof import('../src/train/adam')>('/src/train/adam.ts');
        const { lossAndGradient, trainStep } = await load<typeof import('../src/train/step')>('/src/train/step.ts');

        const report = await initBackend(backend);
        const spec = classifier.spec({ f1: fx.f1, f2: fx.f2 });
        const tensors = (state: typeof initial) =>
          state.map((t) =>
            t.dtype === 'int64'
              ? { key: t.key, shape: t.shape, dtype: 'int64' as const, data: BigInt64Array.from(t.data.map((v) => BigInt(v))) }
              : { key: t.key, shape: t.shape, dtype: 'float32' as const, data: Float32Array.from(t.data) },
          );
        const px = 28 * 28;
        const batch = (i: number) => ({
          x: tf.tensor4d(fx.images.slice(i * fx.batch * px, (i + 1) * fx.batch * px), [fx.batch, 28, 28, 1]),
          y: tf.oneHot(tf.tensor1d(fx.labels.slice(i * fx.batch, (i + 1) * fx.batch), 'int32'), 10).toFloat() as import('@tensorflow/tfjs').Tensor2D,
        });
        const read = async (t: import('@tensorflow/tfjs').Tensor) => Array.from(await t.data(), Number);

        const network = new Network(classifier, { f1: fx.f1, f2: fx.f2 }, sd.fromTorchStateDict(spec, tensors(initial)));
        const { x, y } = batch(0);
        const evalLogits = await read(tf.tidy(() => network.logits(x, 'eval')));
        const { loss, grad, logits } = lossAndGradient(network, x, y);
        const flatGrad = Float32Array.from(await grad.data());
        const grads = sd.splitParameters(spec, flatGrad).map((g) => Array.from(g.data));

        // One Adam step from PyTorch's state before its first step.
        const stepNet = new Network(classifier, { f1: fx.f1, f2: fx.f2 }, sd.fromTorchStateDict(spec, tensors(before.state)));
        const adam = new Adam(stepNet.totalParams, { lr: fx.lr, beta1: fx.betas[0], beta2: fx.betas[1] });
        const first = batch(before.batchIndex);
        const stepLoss = trainStep(stepNet, adam, first.x, first.y);
        const values = await stepNet.readValuesAsync();
        const paramsAfter = sd
          .toTorchStateDict(spec, values)
          .filter((_, k) => spec.entries[k]?.trainable)
          .map((t) => Array.from(t.data as Float32Array));
        return {
          backend: report.chosen,
          evalLogits,
          trainLogits: await read(logits),
          loss: (await read(loss))[0] ?? Number.NaN,
          grads,
          stepLoss: (await read(stepLoss))[0] ?? Number.NaN,
          paramsAfter,
        };
      },
      {
        fx: { f1: fx.f1, f2: fx.f2, batch: fx.batch, lr: fx.lr, betas: fx.betas, images: fx.images, labels: fx.labels },
        backend,
        initial: fx.initial_state,
        before: { state: fx.steps[0]!.before.state, batchIndex: fx.steps[0]!.batch_index },
      },
    );

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
