import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { torchFixture, type TorchFixture } from '../../scripts/torch/fixtures';
import { engineStateFromTorch, toTorchTensors } from '../../scripts/torch/jsonTensors';
import { getArchitecture } from '../model/registry';
import { fromTorchStateDict, joinParameters, splitParameters, toTorchStateDict } from '../model/stateDict';
import { startEngine } from './engines';
import { ENGINE_NAMES, type EngineName, type EngineSetup } from './stepEngine';

/**
 * The engines that run in Node (every step engine but the fused WebGPU one, tested in Chromium),
 * each with the registered models it trains: the fused CPU step trains the Classifier only.
 */
const NODE_CASES: [EngineName, string][] = [
  [ENGINE_NAMES.tfjs, 'Classifier'],
  [ENGINE_NAMES.fusedCpu, 'Classifier'],
  [ENGINE_NAMES.tfjs, 'gapnet'],
];

/** Below this, a PyTorch gradient is rounding noise around an exact zero (see make_fixtures.py). */
const NOISE_FLOOR = 1e-5;

/**
 * A ReLU input closer to zero than this may land on either side of the kink in two float32
 * implementations (BatchNorm outputs differ by ~1e-7), which passes or stops its whole gradient;
 * the fixtures are drawn so that none does (see make_fixtures.py).
 */
const RELU_KINK_MARGIN = 1e-6;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, skip: (j: number) => boolean = () => false): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) if (!skip(i)) worst = Math.max(worst, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return worst;
}

/** The fixture's images (stored /255) back as the bytes every engine takes. */
function fixtureSetup(fx: TorchFixture): EngineSetup {
  const architecture = getArchitecture(fx.model);
  const spec = architecture.spec(fx.hyperparameters);
  const images = Uint8Array.from(fx.images, (v) => Math.round(v * 255));
  const data = { count: fx.labels.length, images, labels: Uint8Array.from(fx.labels) };
  return {
    architecture,
    hyperparameters: fx.hyperparameters,
    adam: { lr: fx.lr, beta1: fx.betas[0], beta2: fx.betas[1] },
    batchSize: fx.batch,
    train: data,
    val: data,
    initial: fromTorchStateDict(spec, toTorchTensors(fx.initial_state)),
  };
}

describe.each(NODE_CASES)('the %s engine against PyTorch, training the %s', (name, model) => {
  let fx: TorchFixture;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    fx = torchFixture(model);
  });

  it("gives PyTorch's eval-mode logits for the initial weights", async () => {
    const { engine } = await startEngine(name, fixtureSetup(fx));
    try {
      const logits = await engine.predict(Uint8Array.from(fx.images.slice(0, fx.batch * 784), (v) => Math.round(v * 255)));
      expect(maxAbsDiff(logits, fx.eval_logits)).toBeLessThan(1e-5);
    } finally {
      engine.dispose();
    }
  });

  it("takes each of PyTorch's three Adam steps from PyTorch's own state", async () => {
    const spec = getArchitecture(fx.model).spec(fx.hyperparameters);
    const trainable = spec.entries.filter((e) => e.trainable);
    const errors = { loss: 0, params: 0, stats: 0, expAvg: 0, expAvgSq: 0 };
    const { engine } = await startEngine(name, fixtureSetup(fx));
    try {
      const order = Int32Array.from(fx.labels, (_, i) => i);
      for (const step of fx.steps) {
        if (step.relu_margin !== null) expect(step.relu_margin).toBeGreaterThan(RELU_KINK_MARGIN);
        engine.writeState(engineStateFromTorch(spec, step.before));
        engine.startEpoch();
        const loss = await engine.train(order, [{ start: step.batch_index * fx.batch, size: fx.batch }]);
        errors.loss = Math.max(errors.loss, Math.abs(loss - step.loss));
        expect(await engine.epochLossSum()).toBeCloseTo(loss * fx.batch, 4);

        const got = await engine.readState();
        const want = engineStateFromTorch(spec, step.after);
        expect(got.adam.step).toBe(want.adam.step);
        expect(got.network.batchesTracked).toBe(want.network.batchesTracked);
        // Elements whose PyTorch gradient is rounding noise around zero are left out: Adam turns
        // that noise into moves of about lr that differ between any two float32 implementations.
        const noisy = joinParameters(spec, step.grads.map((g) => Float32Array.from(g, (v) => (Math.abs(v) < NOISE_FLOOR ? 1 : 0))));
        const skip = (j: number) => noisy[j] === 1;
        errors.params = Math.max(errors.params, maxAbsDiff(got.network.params, want.network.params, skip));
        errors.expAvg = Math.max(errors.expAvg, maxAbsDiff(got.adam.expAvg, want.adam.expAvg, skip));
        errors.expAvgSq = Math.max(errors.expAvgSq, maxAbsDiff(got.adam.expAvgSq, want.adam.expAvgSq, skip));
        errors.stats = Math.max(
          errors.stats,
          maxAbsDiff(got.network.runningMeans, want.network.runningMeans),
          maxAbsDiff(got.network.runningVars, want.network.runningVars),
        );
        expect(splitParameters(spec, got.network.params).map((p) => p.key)).toEqual(trainable.map((e) => e.key));
      }
      // The state dict the engine's values make is PyTorch's, key for key.
      expect(toTorchStateDict(spec, (await engine.readState()).network).map((t) => t.key)).toEqual(fx.initial_state.map((t) => t.key));
    } finally {
      engine.dispose();
    }
    console.log(`${name}, ${model}: max |engine - torch| over 3 steps from PyTorch's state: ${Object.entries(errors).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
    expect(errors.loss).toBeLessThan(1e-5);
    expect(errors.params).toBeLessThan(1e-4);
    expect(errors.stats).toBeLessThan(1e-5);
    expect(errors.expAvg).toBeLessThan(1e-5);
    expect(errors.expAvgSq).toBeLessThan(1e-6);
  });
});
