import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMnistSplit } from '../../scripts/lib/nodeMnist';
import type { MnistSplit } from '../data/idx';
import { createTrainer, type Trainer } from '../engine/trainer';
import { readTfjsModel } from './tfjsImport';
import { exportTfjsModel, layersModel, type TfjsModelFiles } from './tfjsModel';
import { layerPlan, TFJS_LAYER_CLASS } from './tfjsTopology';
import type { Architecture } from '../model/architecture';
import { classifier } from '../model/classifier';
import { gapnet } from '../model/gapnet';
import { Network } from '../model/network';
import { registerArchitecture } from '../model/registry';
import { countParameters, SpecBuilder } from '../model/spec';
import { filledStateDict, fromTorchStateDict, type TorchTensor } from '../model/stateDict';
import { Rng } from '../train/rng';
import { importModel } from './importModel';

const IMAGES = 16;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}

/** Loads exported files the way another tfjs app would, with the stock loader. */
async function loadExported(files: TfjsModelFiles): Promise<tf.LayersModel> {
  const json = JSON.parse(files.modelJson) as tf.io.ModelJSON;
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: files.weights.buffer }));
}

describe('tfjs LayersModel export (tfjs CPU backend)', () => {
  let test: MnistSplit;
  let trainer: Trainer;
  let files: TfjsModelFiles;
  let pixels: Float32Array;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    test = readMnistSplit('test');
    const train = readMnistSplit('train');
    // A few Adam steps move the BatchNorm running statistics away from 0 and 1.
    trainer = await createTrainer({
      config: { f1: 5, f2: 7, lr: 1e-2, beta1: 0.9, beta2: 0.999, batch_size: 8, seed: 11, max_num_epochs: 1 },
      data: { train, test },
      trainLimit: 24,
      valLimit: 8,
      progressEvery: 3,
    });
    await trainer.run();
    files = await exportTfjsModel((await trainer.torchStateDict()));
    pixels = Float32Array.from(test.images.subarray(0, IMAGES * 784), (v) => v / 255);
  });

  afterAll(() => trainer.dispose());

  it('trained BatchNorm statistics are not the defaults', async () => {
    const state = (await trainer.torchStateDict());
    const mean = state.find((t) => t.key === 'bneck2.BN1.running_mean');
    const variance = state.find((t) => t.key === 'bneck2.BN1.running_var');
    const values = (t: typeof mean): number[] => (t?.dtype === 'float32' ? Array.from(t.data) : []);
    expect(values(mean).some((v) => Math.abs(v) > 1e-3)).toBe(true);
    expect(values(variance).some((v) => Math.abs(v - 1) > 1e-3)).toBe(true);
  });

  it('uses only stock layers with explicit padding', () => {
    const json = JSON.parse(files.modelJson) as { format: string; modelTopology: { class_name: string; config: { layers: { class_name: string; config: Record<string, unknown> }[] } } };
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Model');
    const classes = new Set(json.modelTopology.config.layers.map((l) => l.class_name));
    expect([...classes].every((c) => (Object.values(TFJS_LAYER_CLASS) as string[]).includes(c))).toBe(true);
    for (const layer of json.modelTopology.config.layers) {
      if (layer.class_name === 'Conv2D') expect(layer.config.padding).toBe('valid');
    }
    expect(json.modelTopology.config.layers.length).toBe(layerPlan(classifier, { f1: 5, f2: 7 }).length);
  });

  it('tf.loadLayersModel gives the studio eval logits on MNIST test images', async () => {
    const studio = await trainer.predict(pixels);
    const loaded = await loadExported(files);
    const x = tf.tensor4d(pixels, [IMAGES, 28, 28, 1]);
    const out = loaded.predict(x) as tf.Tensor;
    const logits = await out.data();
    const err = maxAbsDiff(logits, studio);
    console.log(`tfjs export: max |loadLayersModel - studio| over ${IMAGES} test images = ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-5);
    tf.dispose([x, out]);
    loaded.dispose();
  });

  it('reads its own export back to the same state dict (num_batches_tracked aside)', async () => {
    const back = readTfjsModel(files.modelJson, new Map([[files.weightsFileName, files.weights]]));
    const original = (await trainer.torchStateDict());
    expect(back.stateDict.map((t) => t.key)).toEqual(original.map((t) => t.key));
    for (const [i, t] of original.entries()) {
      const got = back.stateDict[i];
      expect(got?.shape).toEqual(t.shape);
      if (t.dtype === 'float32') expect(maxAbsDiff(got?.data as Float32Array, t.data)).toBe(0);
    }
    expect(back.architecture).toBe(classifier);
    expect(back.hyperparameters).toEqual({ f1: 5, f2: 7 });
  });

  it('frees the tensors of a built model on dispose', async () => {
    const before = tf.memory().numTensors;
    const model = layersModel((await trainer.torchStateDict()));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('tfjs LayersModel export of a gapnet (tfjs CPU backend)', () => {
  const widths = { c1: 10, c2: 20, c3: 10, c4: 16 };
  const spec = gapnet.spec(widths);
  let state: TorchTensor[];
  let files: TfjsModelFiles;
  let pixels: Float32Array;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const rng = new Rng(23);
    // Running variances away from 1 and means away from 0, so eval-mode BatchNorm is not the identity.
    state = filledStateDict(spec, (entry) => (entry.key.endsWith('running_var') ? rng.uniform(0.5, 1.5) : rng.uniform(-0.3, 0.3)), 37);
    files = await exportTfjsModel(state);
    pixels = Float32Array.from(readMnistSplit('test').images.subarray(0, IMAGES * 784), (v) => v / 255);
  });

  it('tf.loadLayersModel gives the studio network’s eval logits on MNIST test images', async () => {
    const network = new Network(gapnet, widths, fromTorchStateDict(spec, state));
    const x = tf.tensor4d(pixels, [IMAGES, 28, 28, 1]);
    const studioOut = network.logits(x, 'eval');
    const studio = await studioOut.data();
    const loaded = await loadExported(files);
    const out = loaded.predict(x) as tf.Tensor;
    const logits = await out.data();
    const err = maxAbsDiff(logits, studio);
    const scale = Math.max(...Array.from(studio, Math.abs));
    console.log(`gapnet tfjs export: max |loadLayersModel - studio| over ${IMAGES} test images = ${err.toExponential(2)} (largest |logit| ${scale.toFixed(2)})`);
    expect(scale).toBeGreaterThan(0.1);
    expect(err).toBeLessThan(1e-5);
    tf.dispose([x, out, studioOut]);
    loaded.dispose();
    network.dispose();
  });

  it('imports back as gapnet at its widths with the same state dict (num_batches_tracked aside)', () => {
    const back = importModel([
      { name: 'model.json', bytes: new TextEncoder().encode(files.modelJson) },
      { name: files.weightsFileName, bytes: files.weights },
    ]);
    expect(back).toMatchObject({ model: 'gapnet', hyperparameters: widths, totalParams: countParameters(spec), source: { kind: 'tfjs' } });
    expect(back.stateDict.map((t) => t.key)).toEqual(state.map((t) => t.key));
    for (const [i, t] of state.entries()) {
      const got = back.stateDict[i];
      expect(got?.shape).toEqual(t.shape);
      if (t.dtype === 'float32') expect(maxAbsDiff(got?.data as Float32Array, t.data)).toBe(0);
      else expect(got?.data).toEqual(BigInt64Array.of(0n));
    }
    expect(back.warnings.join(' ')).toMatch(/num_batches_tracked/);
  });

  it('refuses a gapnet model.json whose topology is not gapnet’s', () => {
    const weights = { name: files.weightsFileName, bytes: files.weights };
    const asJson = (text: string) => ({ name: 'model.json', bytes: new TextEncoder().encode(text) });
    const maxPooled = files.modelJson.replace('"class_name":"AveragePooling2D"', '"class_name":"MaxPooling2D"');
    expect(() => importModel([asJson(maxPooled), weights])).toThrow(/layer features\.6\.1\.relu\.avgPool is a MaxPooling2D; gapnet\(10, 20, 10, 16\) needs a AveragePooling2D/);
    const capped = files.modelJson.replace('"max_value":null', '"max_value":6');
    expect(() => importModel([asJson(capped), weights])).toThrow(/layer features\.0\.1\.relu has max_value 6; gapnet\(10, 20, 10, 16\) needs null/);
    const renamed = files.modelJson.replace('"features.0.0/kernel"', '"features.0.0/alpha"');
    expect(() => importModel([asJson(renamed), weights])).toThrow(/weight features\.0\.0\/alpha of shape \[3, 3, 1, 10\], which no layer of a studio model has/);
    const biased = files.modelJson.replace('"use_bias":false', '"use_bias":true');
    expect(() => importModel([asJson(biased), weights])).toThrow(/layer features\.0\.0 has use_bias true; gapnet\(10, 20, 10, 16\) needs false/);
  });
});

/** A registered architecture whose flatten reads a 13x13 plane of 3 channels: Conv2d(1, 3, 3, stride 2), ReLU, Flatten, Linear. */
const convFlat: Architecture = {
  name: 'ConvFlatten',
  description: 'Conv2d(1, 3, 3, stride=2), ReLU, flatten of the 13x13x3 map, Linear(507, 10).',
  hyperparameters: {},
  spec: () => ({ entries: new SpecBuilder().conv2d('conv', 1, 3, 3).linear('fc', 3 * 13 * 13, 10).entries, inputShape: [28, 28, 1], classes: 10 }),
  forward: (_h, x, ops) => ops.linear(ops.flatten(ops.relu(ops.conv2d(x, 'conv', 2, 0))), 'fc'),
};

describe('tfjs LayersModel export of a registered model that flattens a plane (tfjs CPU backend)', () => {
  it('flattens in PyTorch’s channel-first order: tf.loadLayersModel gives the studio network’s eval logits, and it imports back', async () => {
    await tf.setBackend('cpu');
    registerArchitecture(convFlat);
    const spec = convFlat.spec({});
    const rng = new Rng(5);
    const state = filledStateDict(spec, () => rng.uniform(-0.5, 0.5));
    const files = await exportTfjsModel(state);
    const network = new Network(convFlat, {}, fromTorchStateDict(spec, state));
    const pixels = Float32Array.from(readMnistSplit('test').images.subarray(0, IMAGES * 784), (v) => v / 255);
    const x = tf.tensor4d(pixels, [IMAGES, 28, 28, 1]);
    const studioOut = network.logits(x, 'eval');
    const loaded = await loadExported(files);
    const out = loaded.predict(x) as tf.Tensor;
    const studio = await studioOut.data();
    const err = maxAbsDiff(await out.data(), studio);
    console.log(`ConvFlatten tfjs export: max |loadLayersModel - studio| over ${IMAGES} test images = ${err.toExponential(2)} (largest |logit| ${Math.max(...Array.from(studio, Math.abs)).toFixed(2)})`);
    expect(err).toBeLessThan(1e-5);
    expect(files.modelJson).toContain('"class_name":"Permute"');
    tf.dispose([x, out, studioOut]);
    loaded.dispose();
    network.dispose();
    const back = readTfjsModel(files.modelJson, new Map([[files.weightsFileName, files.weights]]));
    expect(back.architecture).toBe(convFlat);
    expect(back.stateDict).toEqual(state);
  });
});

describe('a tfjs model exported before the layer plan came from the model registry', () => {
  it('the shipped pretrained Classifier(8, 6) still imports, with the values tfjs itself loads', async () => {
    await tf.setBackend('cpu');
    const files = { modelJson: readFileSync('public/pretrained/model.json', 'utf8'), weightsFileName: 'weights.bin', weights: new Uint8Array(readFileSync('public/pretrained/weights.bin')) };
    const back = readTfjsModel(files.modelJson, new Map([[files.weightsFileName, files.weights]]));
    expect(back.architecture).toBe(classifier);
    expect(back.hyperparameters).toEqual({ f1: 8, f2: 6 });
    const loaded = await loadExported(files);
    const fc = loaded.getLayer('fc').getWeights()[0];
    const kernel = back.stateDict.find((t) => t.key === 'fc.weight');
    // tfjs holds the Dense kernel as [in, out]; PyTorch's fc.weight is its transpose.
    const transposed = fc ? tf.transpose(fc) : tf.zeros([0]);
    expect(kernel?.dtype === 'float32' ? maxAbsDiff(kernel.data, await transposed.data()) : NaN).toBe(0);
    transposed.dispose();
    loaded.dispose();
  });
});
