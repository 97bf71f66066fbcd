import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { importModel, type ImportFile } from './importModel';
import { call, global, tuple } from './pickleValue';
import { encodePickle } from './pickleWriter';
import { writeCheckpoint } from './ptWriter';
import { defaultAdamParamGroup } from './stateDict';
import { exportTfjsModel, type TfjsModelFiles } from './tfjsModel';
import { classifier } from '../model/classifier';
import { filledStateDict, type TorchTensor } from '../model/stateDict';

/** A Classifier(f1, f2) state dict with deterministic values. */
function stateDict(f1: number, f2: number): TorchTensor[] {
  let seed = 17;
  const next = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  return filledStateDict(classifier.spec({ f1, f2 }), (entry) => next() - 0.5 + (entry.key.endsWith('running_var') ? 1 : 0), 3);
}

const pt = (name: string, model: TorchTensor[]): ImportFile => ({
  name,
  bytes: writeCheckpoint({ model, optimizer: { state: [], paramGroup: defaultAdamParamGroup(1e-3, [0.9, 0.999]) } }),
});

const tfjsFiles = (files: TfjsModelFiles, json = files.modelJson): ImportFile[] => [
  { name: 'model.json', bytes: new TextEncoder().encode(json) },
  { name: files.weightsFileName, bytes: files.weights },
];

describe('importModel', () => {
  let exported: TfjsModelFiles;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    exported = await exportTfjsModel(stateDict(8, 6));
  });

  it('reads the architecture, f1 and f2 and the parameter count from a .pt', () => {
    const model = importModel([pt('mine.pt', stateDict(4, 9))]);
    expect(model).toMatchObject({ name: 'mine.pt', model: 'Classifier', hyperparameters: { f1: 4, f2: 9 }, source: { kind: 'pt', format: 'tuple', hasOptimizer: true } });
    expect(importModel([pt('default.pt', stateDict(8, 6))]).totalParams).toBe(9994);
  });

  it('reads a tfjs model.json with its weights, whatever folder the names carry', () => {
    const [json, weights] = tfjsFiles(exported);
    const model = importModel([{ ...json!, name: 'tfjs/model.json' }, { ...weights!, name: 'tfjs/weights.bin' }]);
    expect(model).toMatchObject({ name: 'tfjs/model.json', model: 'Classifier', hyperparameters: { f1: 8, f2: 6 }, source: { kind: 'tfjs' } });
    expect(model.warnings.join(' ')).toMatch(/num_batches_tracked/);
  });

  it('refuses a pickle that names a disallowed global, naming it', () => {
    const hostile = zipSync({ 'archive/data.pkl': encodePickle(call(global('os', 'system'), tuple('touch /tmp/x'))), 'archive/version': new TextEncoder().encode('3\n') }, { level: 0 });
    expect(() => importModel([{ name: 'evil.pt', bytes: hostile }])).toThrow(/evil\.pt: .*os\.system/);
  });

  it('refuses a wrong shape or key, naming it', () => {
    const wrongShape = stateDict(8, 6).map((t) => (t.key === 'fc.weight' && t.dtype === 'float32' ? { ...t, shape: [12, 10] } : t));
    expect(() => importModel([pt('shape.pt', wrongShape)])).toThrow(/shape\.pt: fc\.weight has shape \[12, 10\]/);
    const extraKey = [...stateDict(8, 6), { key: 'head.weight', shape: [1], dtype: 'float32' as const, data: new Float32Array(1) }];
    expect(() => importModel([pt('extra.pt', extraKey)])).toThrow(/unexpected key head\.weight/);
  });

  it('refuses truncated, oversized and non-checkpoint files', () => {
    const file = pt('model.pt', stateDict(8, 6));
    expect(() => importModel([{ name: 'cut.pt', bytes: file.bytes.subarray(0, file.bytes.length - 200) }])).toThrow(/cut\.pt: .*(truncated|corrupt)/);
    expect(() => importModel([file], { maxBytes: 1000 })).toThrow(/limit/);
    expect(() => importModel([{ name: 'notes.pt', bytes: new TextEncoder().encode('hello') }])).toThrow(/not a zip/);
  });

  it('refuses a tfjs model without its weights, with cut weights, or alone weights', () => {
    const [json, weights] = tfjsFiles(exported);
    expect(() => importModel([json!])).toThrow(/needs its weights file weights\.bin/);
    expect(() => importModel([json!, { ...weights!, bytes: weights!.bytes.subarray(0, 100) }])).toThrow(/truncated/);
    expect(() => importModel([weights!])).toThrow(/needs its model\.json/);
    expect(() => importModel([pt('a.pt', stateDict(8, 6)), pt('b.pt', stateDict(8, 6))])).toThrow(/one checkpoint at a time/);
  });

  it('refuses foreign tfjs topologies with a clear message', () => {
    const withPadding = exported.modelJson.replace('"padding":"valid"', '"padding":"same"');
    expect(() => importModel(tfjsFiles(exported, withPadding))).toThrow(/layer CL1 has padding "same"; Classifier\(8, 6\) needs "valid"/);
    const graph = JSON.stringify({ ...(JSON.parse(exported.modelJson) as object), format: 'graph-model' });
    expect(() => importModel(tfjsFiles(exported, graph))).toThrow(/graph model/);
    const renamed = exported.modelJson.replaceAll('"bneck2.add"', '"bneck2.concat"');
    expect(() => importModel(tfjsFiles(exported, renamed))).toThrow(/layer bneck2\.concat/);
    const sequential = JSON.stringify({ format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightsManifest: [] });
    expect(() => importModel([{ name: 'other.json', bytes: new TextEncoder().encode(sequential) }])).toThrow(/Sequential model; it is not a model exported by the studio \(Classifier, gapnet\)/);
  });
});
