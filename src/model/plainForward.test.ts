import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { torchFixture } from '../../scripts/torch/fixtures';
import { toTorchTensors } from '../../scripts/torch/jsonTensors';
import { pixelsToBatch } from '../train/dataset';
import { initialValues } from '../train/init';
import { Rng } from '../train/rng';
import { classifier } from './classifier';
import { Network } from './network';
import { plainLogits, plainPredictor } from './plainForward';
import { getArchitecture } from './registry';
import { toTorchStateDict } from './stateDict';

describe('plain forward pass', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    [8, 6],
    [5, 7],
  ])('gives the tfjs network eval-mode logits for Classifier(%i, %i)', (f1, f2) => {
    const h = { f1, f2 };
    const spec = classifier.spec(h);
    const rng = new Rng(11);
    const values = initialValues(spec, rng);
    // Running statistics away from 0 and 1, so that BatchNorm's evaluation path is exercised.
    values.runningMeans = values.runningMeans.map(() => rng.uniform(-0.5, 0.5));
    values.runningVars = values.runningVars.map(() => rng.uniform(0.5, 2));
    const stateDict = toTorchStateDict(spec, values);
    const pixels = Float32Array.from({ length: 784 }, () => rng.uniform(0, 1));

    const network = new Network(classifier, h, values);
    const expected = tf.tidy(() => network.logits(pixelsToBatch(pixels), 'eval').dataSync());
    network.dispose();

    const logits = plainLogits(classifier, h, stateDict, pixels);
    expect(logits).toHaveLength(10);
    for (let i = 0; i < 10; i++) expect(logits[i]).toBeCloseTo(expected[i] ?? NaN, 4);
    const probabilities = plainPredictor(classifier, h, stateDict)(pixels);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it("gives PyTorch's eval-mode logits for gapnet (bias-free convs, max pool, global average pool)", () => {
    const fx = torchFixture('gapnet');
    const stateDict = toTorchTensors(fx.initial_state);
    let worst = 0;
    for (let image = 0; image < fx.batch; image++) {
      const pixels = Float32Array.from(fx.images.slice(image * 784, (image + 1) * 784));
      const logits = plainLogits(getArchitecture('gapnet'), fx.hyperparameters, stateDict, pixels);
      expect(logits).toHaveLength(10);
      for (let i = 0; i < 10; i++) worst = Math.max(worst, Math.abs((logits[i] ?? NaN) - (fx.eval_logits[image * 10 + i] ?? NaN)));
    }
    // Float32 sums in another order than PyTorch's: ~1e-7 relative on logits of order 1.
    expect(worst).toBeLessThan(1e-5);
  });
});
