import { expect, test } from '@playwright/test';
import { toTorchTensors, torchFixture, type TorchFixture } from '../scripts/torch/fixtures';

/** What the fused WebGPU kernels give for one of PyTorch's Adam steps, started from PyTorch's own state. */
interface FusedRun {
  engine: string;
  dispatches: number;
  loss: number;
  params: number[][];
  expAvg: number[][];
  expAvgSq: number[][];
  runningMeans: number[];
  runningVars: number[];
}

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - (b[i] ?? Number.NaN))), 0);
}

test('the fused WebGPU training step matches PyTorch step by step (loss, BN statistics, Adam moments, parameters)', async ({ page }) => {
  test.setTimeout(300_000);
  const fx: TorchFixture = torchFixture();
  await page.goto('./?backend=webgpu');
  await page.waitForFunction(() => window.digitStudio !== undefined);
  await expect(page.getByTestId('chosen-backend')).toContainText('webgpu', { timeout: 120_000 });
  const steps = fx.steps.map((s) => ({ batchIndex: s.batch_index, state: s.before.state, adam: s.before.adam }));
  const { runs, rejected }: { runs: FusedRun[]; rejected: string } = await page.evaluate(
    async ({ fx, steps }) => {
      const load = <T>(path: string) => import(/* @vite-ignore */ path) as Promise<T>;
      const tf = await load<typeof import('@tensorflow/tfjs')>('/node_modules/.vite/deps/@tensorflow_tfjs.js');
      const { initBackend } = await load<typeof import('../src/backend/init')>('/src/backend/init.ts');
      const { Network } = await load<typeof import('../src/model/network')>('/src/model/network.ts');
      const { classifier } = await load<typeof import('../src/model/classifier')>('/src/model/classifier.ts');
      const sd = await load<typeof import('../src/model/stateDict')>('/src/model/stateDict.ts');
      const { Adam } = await load<typeof import('../src/train/adam')>('/src/train/adam.ts');
      const { FusedTrainingStep, currentWebGpuBackend, fusedTensors } = await load<typeof import('../src/train/fused/engine')>('/src/train/fused/engine.ts');
      const { fusedLayout } = await load<typeof import('../src/train/fused/layout')>('/src/train/fused/layout.ts');

      await initBackend('webgpu');
      const backend = currentWebGpuBackend();
      if (!backend) throw new Error(`tfjs runs on ${tf.getBackend()}, not webgpu`);
      const h = { f1: fx.f1, f2: fx.f2 };
      const spec = classifier.spec(h);
      const config = { lr: fx.lr, beta1: fx.betas[0], beta2: fx.betas[1] };
      const fused = await FusedTrainingStep.create(backend, fusedLayout(fx.f1, fx.f2, fx.batch), config);
      const count = fx.labels.length;
      const images = tf.tensor2d(fx.images, [count, 28 * 28]);
      const labels = tf.tensor1d(fx.labels, 'int32');
      const order = tf.tensor1d(Array.from({ length: count }, (_, i) => i), 'int32');
      const read = async (t: import('@tensorflow/tfjs').Tensor) => Float32Array.from((await t.data()) as Float32Array);
      const torchLayout = (flat: Float32Array) => sd.splitParameters(spec, flat).map((p) => Array.from(p.data));
      const torchTensors = (state: (typeof steps)[number]['state']) =>
        state.map((t) =>
          t.dtype === 'int64'
            ? { key: t.key, shape: t.shape, dtype: 'int64' as const, data: BigInt64Array.from(t.data.map((v) => BigInt(v))) }
            : { key: t.key, shape: t.shape, dtype: 'float32' as const, data: Float32Array.from(t.data) },
        );

      const out = [];
      for (const step of steps) {
        const network = new Network(classifier, h, sd.fromTorchStateDict(spec, torchTensors(step.state)));
        const adam = new Adam(network.totalParams, config);
        adam.writeState({
          step: step.adam[0]?.step ?? 0,
          expAvg: sd.joinParameters(spec, step.adam.map((a) => Float32Array.from(a.exp_avg))),
          expAvgSq: sd.joinParameters(spec, step.adam.map((a) => Float32Array.from(a.exp_avg_sq))),
        });
        const epochLoss = tf.variable(tf.scalar(0));
        fused.run([{ start: step.batchIndex * fx.batch, size: fx.batch, adamStep: adam.step + 1 }], fusedTensors({ network, adam }, { images, labels, order, epochLoss }));
        const values = await network.readValuesAsync();
        out.push({
          engine: 'fused WebGPU kernels',
          dispatches: fused.dispatchesPerStep,
          loss: await fused.lastLoss(),
          params: torchLayout(values.params),
          expAvg: torchLayout(await read(adam.expAvg)),
          expAvgSq: torchLayout(await read(adam.expAvgSq)),
          runningMeans: Array.from(values.runningMeans),
          runningVars: Array.from(values.runningVars),
        });
        epochLoss.dispose();
        adam.dispose();
        network.dispose();
      }
      // A step WebGPU rejects (here Adam's two moments in one buffer) is reported, not trained silently.
      const network = new Network(classifier, h, sd.fromTorchStateDict(spec, torchTensors(steps[0]!.state)));
      const adam = new Adam(network.totalParams, config);
      const aliased = fusedTensors({ network, adam }, { images, labels, order, epochLoss: tf.variable(tf.scalar(0)) });
      fused.run([{ start: 0, size: fx.batch, adamStep: 1 }], { ...aliased, expAvgSq: adam.expAvg });
      const rejected = await fused.lastLoss().then(
        () => 'not rejected',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      fused.dispose();
      return { runs: out, rejected };
    },
    { fx: { f1: fx.f1, f2: fx.f2, batch: fx.batch, lr: fx.lr, betas: fx.betas, images: fx.images, labels: fx.labels }, steps },
  );

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
