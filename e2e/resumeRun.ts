/**
 * The in-page half of the resume check: two runs of the studio's trainer on seeded stand-in data,
 * one unbroken and one stopped after its first epoch and restored from its saved state. The page
 * imports this module from the dev server.
 */
import { initBackend } from '../src/backend/init';
import { createTrainer, type EpochReport, type TrainingState } from '../src/engine/trainer';

/** How the restored run ended against the unbroken one: their histories, and how many values differ. */
export interface ResumeOutcome {
  engine: string;
  /** How the first half of the broken run ended. */
  stopped: string;
  expected: EpochReport[];
  actual: EpochReport[];
  differingParams: number;
  differingMoments: number;
  differingRunningVars: number;
  /** Adam's step count at the end of the restored and the unbroken run. */
  adamSteps: [number, number];
}

/** Trains two epochs on WebGPU unbroken, then again stopped after the first epoch and restored into a new trainer. */
export async function stoppedAndResumedRun(): Promise<ResumeOutcome> {
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
  let saved: TrainingState | null = null;
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
}
