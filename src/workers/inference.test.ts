import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMnistSplit } from '../../scripts/lib/nodeMnist';
import type { BackendReport } from '../backend/init';
import type { MnistSplit } from '../data/idx';
import { classifier } from '../model/classifier';
import { gapnet } from '../model/gapnet';
import { plainLogits } from '../model/plainForward';
import { listModels } from '../state/modelsSlice';
import { modelLabel } from '../ui/models/ModelSelector';
import type { TrainingState } from '../engine/trainer';
import type { TrialSnapshot } from '../tune/trial';
import { Network } from '../model/network';
import { toTorchStateDict, type TorchStateDict } from '../model/stateDict';
import { pixelsToBatch } from '../train/dataset';
import { initialValues } from '../train/init';
import { Rng } from '../train/rng';
import { createLocalInferenceEngine } from './inferenceEngine';
import { inProcessPort } from './inProcessPort';
import { inferenceHandlers } from './inferenceHost';
import type { InferenceEngine } from './inferenceProtocol';
import { createInferenceWorkerEngine } from './inferenceWorkerEngine';

const CPU_REPORT: BackendReport = {
  requested: 'cpu',
  chosen: 'cpu',
  reason: 'requested',
  webgpuAvailable: false,
  crossOriginIsolated: false,
  wasmSimd: false,
};
const MANIFEST = 'http://studio.test/data/mnist/manifest.json';
const EVALUATED = 200;
const HYPERPARAMETERS = { f1: 8, f2: 6 };

/** A Worker stand-in: requests go through the real inference host, replies come back structured-cloned. */
const inferencePort = (engine: InferenceEngine) => inProcessPort(inferenceHandlers(engine));

/** Eval-mode predicted digits of `network` for the first `count` test images, straight from the Network. */
function networkPredictions(network: Network, split: MnistSplit, count: number): number[] {
  return tf.tidy(() => {
    const logits = network.logits(pixelsToBatch(split.images.subarray(0, count * 784)), 'eval');
    return Array.from(tf.argMax(logits, 1).dataSync());
  });
}

describe('inference engine over the worker protocol (tfjs CPU)', () => {
  let test: MnistSplit;
  let stateDict: TorchStateDict;
  let network: Network;
  let engine: InferenceEngine;
  let port: ReturnType<typeof inferencePort>;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const full = readMnistSplit('test');
    test = { count: 1000, images: full.images.slice(0, 1000 * 784), labels: full.labels.slice(0, 1000) };
    const values = initialValues(classifier.spec(HYPERPARAMETERS), new Rng(7));
    network = new Network(classifier, HYPERPARAMETERS, values);
    stateDict = toTorchStateDict(classifier.spec(HYPERPARAMETERS), values);
    port = inferencePort(
      createLocalInferenceEngine({
        startBackend: () => Promise.resolve(CPU_REPORT),
        loadTestSplit: () => Promise.resolve(test),
      }),
    );
    engine = createInferenceWorkerEngine(port);
  });

  it('loads a model from its state dict without detaching the caller’s copy', async () => {
    const loaded = await engine.load({ modelKey: 'seeded', model: 'Classifier', hyperparameters: HYPERPARAMETERS, stateDict }, 'cpu');
    expect(loaded).toEqual({ modelKey: 'seeded', totalParams: 9994, backend: CPU_REPORT });
    expect(stateDict.every((tensor) => tensor.data.length > 0)).toBe(true);
  });

  it('predicts softmax probabilities that agree with the Network', async () => {
    const pixels = Float32Array.from(test.images.subarray(0, 3 * 784), (v) => v / 255);
    const probabilities = await engine.predict('seeded', pixels);
    expect(probabilities).toHaveLength(30);
    const expected = tf.tidy(() => tf.softmax(network.logits(pixelsToBatch(pixels), 'eval')).dataSync());
    for (let i = 0; i < 30; i++) expect(probabilities[i]).toBeCloseTo(expected[i] ?? NaN, 5);
    expect(pixels[200]).toBe((test.images[200] ?? 0) / 255);
  });

  it('offers a gapnet trial as a model whose predictions are gapnet’s plain forward pass', async () => {
    const widths = { c1: 6, c2: 8, c3: 6, c4: 10 };
    const values = initialValues(gapnet.spec(widths), new Rng(11));
    const snapshot: TrialSnapshot = {
      config: { model: 'gapnet', ...widths, lr: 1e-3, beta1: 0.9, beta2: 0.999, batch_size: 64, seed: 1, max_num_epochs: 2 },
      state: { epoch: 1 } as TrainingState,
      stateDict: toTorchStateDict(gapnet.spec(widths), values),
    };
    const stored = [{ experimentId: 'gap-1', trialId: 't0001', createdAt: 0, valAcc: 0.9, epoch: 1, snapshot }];
    const [choice] = listModels(null, {}, [], { stored });
    expect(choice).toMatchObject({ model: 'gapnet', hyperparameters: widths });
    expect(modelLabel(choice!)).toBe('t0001 of gap-1, val_acc 90.0% (epoch 1), gapnet c1=6 c2=8 c3=6 c4=10');
    const loaded = await engine.load({ modelKey: 'gap', model: choice!.model, hyperparameters: choice!.hyperparameters, stateDict: choice!.stateDict }, 'cpu');
    expect(loaded.totalParams).toBe(choice!.totalParams);
    const pixels = Float32Array.from(test.images.subarray(0, 4 * 784), (v) => v / 255);
    const probabilities = await engine.predict('gap', pixels);
    const logits = [0, 1, 2, 3].flatMap((i) => Array.from(plainLogits(gapnet, widths, snapshot.stateDict, pixels.subarray(i * 784, (i + 1) * 784))));
    const expected = tf.tidy(() => tf.softmax(tf.tensor2d(logits, [4, 10])).dataSync());
    expect(probabilities).toHaveLength(40);
    for (let i = 0; i < 40; i++) expect(probabilities[i]).toBeCloseTo(expected[i] ?? NaN, 5);
    const evaluation = await engine.evaluate({ modelKey: 'gap', manifestUrl: MANIFEST, limit: 50, maxExamples: 0 });
    expect(evaluation.count).toBe(50);
    expect(evaluation.confusion.reduce((a, b) => a + b, 0)).toBe(50);
    await engine.unload('gap');
  });

  it(`evaluates ${EVALUATED} test images: the confusion matrix sums to ${EVALUATED} and its diagonal is the accuracy`, async () => {
    const progress: number[] = [];
    const evaluation = await engine.evaluate(
      { modelKey: 'seeded', manifestUrl: MANIFEST, limit: EVALUATED, chunkSize: 64, maxExamples: 5 },
      { onProgress: (p) => progress.push(p.evaluated) },
    );
    expect(progress).toEqual([64, 128, 192, 200]);

    const predicted = networkPredictions(network, test, EVALUATED);
    const labels = Array.from(test.labels.subarray(0, EVALUATED));
    const correct = predicted.filter((digit, i) => digit === labels[i]).length;
    const accuracy = correct / EVALUATED;

    expect(evaluation.count).toBe(EVALUATED);
    expect(evaluation.confusion).toHaveLength(100);
    expect(evaluation.confusion.reduce((a, b) => a + b, 0)).toBe(EVALUATED);
    const diagonal = Array.from({ length: 10 }, (_, d) => evaluation.confusion[d * 11] ?? 0).reduce((a, b) => a + b, 0);
    expect(diagonal).toBe(Math.round(accuracy * EVALUATED));
    expect(evaluation.accuracy).toBeCloseTo(accuracy, 10);
    // Cell by cell, so a transposed matrix (rows by prediction) fails too.
    const expected = new Array<number>(100).fill(0);
    labels.forEach((label, i) => {
      const cell = label * 10 + (predicted[i] ?? 0);
      expected[cell] = (expected[cell] ?? 0) + 1;
    });
    expect(evaluation.confusion).toEqual(expected);
    expect(Number.isFinite(evaluation.loss)).toBe(true);

    expect(evaluation.misclassified.map((m) => m.index)).toEqual(labels.flatMap((label, i) => (predicted[i] === label ? [] : [i])));
    for (const m of evaluation.misclassified) {
      expect(m.label).toBe(labels[m.index]);
      expect(m.predicted).toBe(predicted[m.index]);
    }
    const first = evaluation.misclassified[0]!;
    expect(evaluation.examplePixels).toHaveLength(5 * 784);
    expect(Array.from(evaluation.examplePixels.subarray(0, 784))).toEqual(Array.from(test.images.subarray(first.index * 784, (first.index + 1) * 784)));
  });

  it('answers every request exactly once, and refuses unknown or unloaded models', async () => {
    await expect(engine.predict('missing', new Float32Array(784))).rejects.toThrow('Model missing is not loaded');
    const evaluation = engine.evaluate({ modelKey: 'seeded', manifestUrl: MANIFEST, limit: 1000, chunkSize: 10 });
    await engine.unload('seeded');
    await expect(evaluation).rejects.toThrow('unloaded during its evaluation');
    const replies = port.posted.filter((r) => r.kind !== 'progress').map((r) => r.id);
    expect(new Set(replies).size).toBe(replies.length);
    await engine.dispose();
  });
});
