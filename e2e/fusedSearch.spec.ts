import { expect, test } from './fixtures';

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

test('a run on the fused WebGPU kernels stopped after an epoch and restored from its saved state ends exactly where an unbroken run ends', async ({ page, automation }) => {
  test.setTimeout(300_000);
  await page.goto('./?backend=webgpu');
  await automation.ready();
  // The page starts the requested backend itself; the check shares it rather than racing it.
  await expect(page.getByTestId('chosen-backend')).toContainText('webgpu', { timeout: 120_000 });
  const outcome = await page.evaluate(async () => {
    const load = <T>(path: string) => import(/* @vite-ignore */ path) as Promise<T>;
    const { initBackend } = await load<typeof import('../src/backend/init')>('/src/backend/init.ts');
    const { createTrainer } = await load<typeof import('../src/engine/trainer')>('/src/engine/trainer.ts');
    await initBackend('webgpu');
    // Seeded stand-in images and labels: the property holds for any data.
    const count = 96;
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const split = { count, images: Uint8Array.from({ length: count * 784 }, () => next() % 256), labels: Uint8Array.from({ length: count }, () => next() % 10) };
    const data = { train: split, test: split };
    const config = { lr: 1e-2, beta1: 0.9, beta2: 0.999, batch_size: 16, seed: 3, max_num_epochs: 2 };

    const unbroken = await createTrainer({ config, data, valLimit: 32 });
    const engine = unbroken.engine;
    await unbroken.run();
    const expected = await unbroken.readState();
    unbroken.dispose();

    const stop = new AbortController();
    let saved: Awaited<ReturnType<typeof unbroken.readState>> | null = null;
    const first = await createTrainer({
      config,
      data,
      valLimit: 32,
      signal: stop.signal,
      onEpoch: async () => {
        saved = await first.readState();
        stop.abort();
      },
    });
    const stopped = await first.run();
    first.dispose();
    if (!saved) throw new Error('no state was saved after the first epoch');
    const resumed = await createTrainer({ config, data, valLimit: 32 });
    resumed.restoreState(saved);
    await resumed.run();
    const actual = await resumed.readState();
    resumed.dispose();
    const differing = (a: Float32Array, b: Float32Array) => a.reduce((n, v, i) => n + (Object.is(v, b[i]) ? 0 : 1), 0);
    return {
      engine: engine.name,
      stopped: stopped.status,
      expected: expected.history,
      actual: actual.history,
      differingParams: differing(actual.network.params, expected.network.params),
      differingMoments: differing(actual.adam.expAvgSq, expected.adam.expAvgSq),
      differingRunningVars: differing(actual.network.runningVars, expected.network.runningVars),
      adamSteps: [actual.adam.step, expected.adam.step],
    };
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
