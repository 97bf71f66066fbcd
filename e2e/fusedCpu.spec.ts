import { expect, test } from '@playwright/test';
import { FusedCpuStep } from '../src/engine/cpu/fusedCpu';
import { classifier } from '../src/model/classifier';
import { initialValues } from '../src/train/init';
import { Rng } from '../src/train/rng';

/** A few Adam steps on seeded random images; the same code runs in Node and in the page. */
interface CpuRun {
  isolated: boolean;
  threads: number;
  losses: number[];
  params: number[];
  runningVars: number[];
  evalLossSum: number;
}

const BATCH = 24;
const IMAGES = 96;

async function trainInNode(threads: number): Promise<CpuRun> {
  const rng = new Rng(5);
  const images = Uint8Array.from({ length: IMAGES * 784 }, () => Math.floor(rng.uniform(0, 256)));
  const labels = Uint8Array.from({ length: IMAGES }, () => Math.floor(rng.uniform(0, 10)));
  const step = await FusedCpuStep.create({ f1: 8, f2: 6, lr: 1e-3, beta1: 0.9, beta2: 0.999, maxBatch: BATCH, threads });
  step.setData('train', images, labels);
  step.setData('val', images, labels);
  const values = initialValues(classifier.spec({ f1: 8, f2: 6 }), rng);
  const zeros = new Float32Array(values.params.length);
  step.writeState(values, { step: 0, expAvg: zeros, expAvgSq: zeros.slice() });
  const order = Int32Array.from({ length: IMAGES }, (_, i) => (i * 37) % IMAGES);
  const losses: number[] = [];
  for (let start = 0; start < IMAGES; start += BATCH) losses.push(await step.run(order, [{ start, size: BATCH }]));
  const { network } = step.readState();
  const { lossSum } = await step.evaluate();
  step.dispose();
  return { isolated: true, threads: step.threads, losses, params: Array.from(network.params), runningVars: Array.from(network.runningVars), evalLossSum: lossSum };
}

test('the fused CPU step trains in the page, on one thread and on Workers over shared memory, bit for bit as in Node', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('./');
  await page.waitForFunction(() => window.digitStudio !== undefined);
  const runs: CpuRun[] = await page.evaluate(
    async ({ BATCH, IMAGES }) => {
      const load = <T>(path: string) => import(/* @vite-ignore */ path) as Promise<T>;
      const { FusedCpuStep } = await load<typeof import('../src/engine/cpu/fusedCpu')>('/src/engine/cpu/fusedCpu.ts');
      const { classifier } = await load<typeof import('../src/model/classifier')>('/src/model/classifier.ts');
      const { initialValues } = await load<typeof import('../src/train/init')>('/src/train/init.ts');
      const { Rng } = await load<typeof import('../src/train/rng')>('/src/train/rng.ts');
      const out = [];
      for (const threads of [1, 2]) {
        const rng = new Rng(5);
        const images = Uint8Array.from({ length: IMAGES * 784 }, () => Math.floor(rng.uniform(0, 256)));
        const labels = Uint8Array.from({ length: IMAGES }, () => Math.floor(rng.uniform(0, 10)));
        const step = await FusedCpuStep.create({ f1: 8, f2: 6, lr: 1e-3, beta1: 0.9, beta2: 0.999, maxBatch: BATCH, threads });
        step.setData('train', images, labels);
        step.setData('val', images, labels);
        const values = initialValues(classifier.spec({ f1: 8, f2: 6 }), rng);
        const zeros = new Float32Array(values.params.length);
        step.writeState(values, { step: 0, expAvg: zeros, expAvgSq: zeros.slice() });
        const order = Int32Array.from({ length: IMAGES }, (_, i) => (i * 37) % IMAGES);
        const losses: number[] = [];
        for (let start = 0; start < IMAGES; start += BATCH) losses.push(await step.run(order, [{ start, size: BATCH }]));
        const { network } = step.readState();
        const { lossSum } = await step.evaluate();
        step.dispose();
        out.push({ isolated: crossOriginIsolated, threads: step.threads, losses, params: Array.from(network.params), runningVars: Array.from(network.runningVars), evalLossSum: lossSum });
      }
      return out;
    },
    { BATCH, IMAGES },
  );
  const node = await trainInNode(1);
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

test('a search on a machine without WebGPU trains with the fused CPU step, says so, and learns', async ({ page }) => {
  test.setTimeout(300_000);
  const started: { engine: string; backend: string }[] = [];
  await page.exposeFunction('digitStudioReport', (event: { kind: string; engine?: string; backend?: string }) => {
    if (event.kind === 'trial-started') started.push({ engine: event.engine ?? '', backend: event.backend ?? '' });
  });
  await page.goto('./?backend=wasm');
  await page.waitForFunction(() => window.digitStudio !== undefined);
  const results = await page.evaluate(() =>
    window.digitStudio!.runSearch({
      backend: 'wasm',
      overrides: ['num_trials=1', 'max_num_epochs=2', 'lr=choice(0.01)'],
      trainLimit: 8000,
      valLimit: 1000,
    }),
  );
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
