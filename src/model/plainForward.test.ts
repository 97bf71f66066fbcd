import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { pixelsToBatch } from '../train/dataset';
import { initialValues } from '../train/init';
import { Rng } from '../train/rng';
import { classifier } from './classifier';
import { Network } from './network';
import { plainLogits, plainPredictor } from './plainForward';
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
});
