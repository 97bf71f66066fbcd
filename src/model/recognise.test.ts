import { describe, expect, it } from 'vitest';
import { hyperparameter, type Architecture } from './architecture';
import { classifier } from './classifier';
import { gapnet } from './gapnet';
import { recogniseStateDict } from './recognise';
import { getArchitecture, registerArchitecture } from './registry';
import { SpecBuilder } from './spec';
import { filledStateDict, type TorchTensor } from './stateDict';

/** Small deterministic values, different in every element. */
const filled = (architecture: Architecture, h: Record<string, number>): TorchTensor[] =>
  filledStateDict(architecture.spec(h), (_, i) => ((i % 11) - 5) / 40, 7);

/** Replaces one entry's shape, as a damaged or hand-edited file would. */
const reshaped = (state: readonly TorchTensor[], key: string, shape: number[]): TorchTensor[] =>
  state.map((t) => (t.key === key ? { ...t, shape } : t));

/**
 * An architecture registered by this file alone, whose first width shows in the shapes only
 * doubled (`stem` has 2*a channels) and whose `fc` input is a product of both widths.
 */
const doubledStem: Architecture = {
  name: 'DoubledStem',
  description: 'A 3x3 conv of 2*a channels, BatchNorm, a 1x1 conv to b channels, and a Linear over their product.',
  hyperparameters: {
    a: { default: 3, min: 1, max: 8, description: 'Half the channels of the stem.' },
    b: { default: 2, min: 1, max: 8, description: 'Channels of the 1x1 conv.' },
  },
  spec(h) {
    const a = hyperparameter(doubledStem, h, 'a');
    const b = hyperparameter(doubledStem, h, 'b');
    const entries = new SpecBuilder()
      .conv2d('stem', 1, 2 * a, 3)
      .batchNorm2d('bn', 2 * a)
      .conv2d('mix', 2 * a, b, 1, false)
      .linear('fc', 2 * a * b, 10).entries;
    return { entries, inputShape: [28, 28, 1], classes: 10 };
  },
  forward(_h, x, ops) {
    const y = ops.conv2d(ops.relu(ops.batchNorm2d(ops.conv2d(x, 'stem', 1, 0), 'bn')), 'mix', 1, 0);
    return ops.linear(ops.flatten(ops.globalAvgPool(y)), 'fc');
  },
};
registerArchitecture(doubledStem);

describe('recogniseStateDict', () => {
  it('finds the Classifier and reads f1 and f2 from the shapes', () => {
    expect(recogniseStateDict(filled(classifier, { f1: 8, f2: 6 }))).toEqual({ architecture: classifier, hyperparameters: { f1: 8, f2: 6 } });
    expect(recogniseStateDict(filled(classifier, { f1: 5, f2: 9 }))).toEqual({ architecture: classifier, hyperparameters: { f1: 5, f2: 9 } });
  });

  it('finds gapnet and reads its four widths from the shapes', () => {
    const widths = { c1: 10, c2: 20, c3: 10, c4: 16 };
    expect(recogniseStateDict(filled(gapnet, widths))).toEqual({ architecture: gapnet, hyperparameters: widths });
    expect(recogniseStateDict(filled(gapnet, { c1: 1, c2: 64, c3: 3, c4: 2 })).hyperparameters).toEqual({ c1: 1, c2: 64, c3: 3, c4: 2 });
  });

  it('finds an architecture registered outside the registry, with a width the shapes show only doubled', () => {
    expect(getArchitecture('DoubledStem')).toBe(doubledStem);
    expect(recogniseStateDict(filled(doubledStem, { a: 5, b: 7 }))).toEqual({ architecture: doubledStem, hyperparameters: { a: 5, b: 7 } });
    expect(() => recogniseStateDict(reshaped(filled(doubledStem, { a: 5, b: 7 }), 'fc.weight', [10, 71]))).toThrow(
      /fc\.weight has shape \[10, 71\]; DoubledStem\(a=5, b=7\) needs \[10, 70\]/,
    );
  });

  it('refuses a wrong shape, naming the key and both shapes, whichever width that key carries', () => {
    const model = filled(classifier, { f1: 8, f2: 6 });
    expect(() => recogniseStateDict(reshaped(model, 'bneck2.Depthwise.weight', [12, 12, 1, 9]))).toThrow(
      /bneck2\.Depthwise\.weight has shape \[12, 12, 1, 9\]; Classifier\(f1=8, f2=6\) needs \[12, 12, 3, 3\]/,
    );
    // CL1.weight is where f1 shows first: the other entries that carry f1 outvote it.
    expect(() => recogniseStateDict(reshaped(model, 'CL1.weight', [9, 1, 3, 3]))).toThrow(/CL1\.weight has shape \[9, 1, 3, 3\]; Classifier\(f1=8, f2=6\) needs \[8, 1, 3, 3\]/);
    const widths = { c1: 10, c2: 20, c3: 10, c4: 16 };
    expect(() => recogniseStateDict(reshaped(filled(gapnet, widths), 'features.4.0.weight', [16, 11, 3, 3]))).toThrow(
      /features\.4\.0\.weight has shape \[16, 11, 3, 3\]; gapnet\(c1=10, c2=20, c3=10, c4=16\) needs \[16, 10, 3, 3\]/,
    );
  });

  it('refuses a missing key, naming it', () => {
    const model = filled(classifier, { f1: 8, f2: 6 });
    expect(() => recogniseStateDict(model.filter((t) => t.key !== 'block1.1.BN1.running_var'))).toThrow(/missing key block1\.1\.BN1\.running_var for Classifier\(f1=8, f2=6\)/);
    expect(() => recogniseStateDict(model.filter((t) => t.key !== 'CL1.weight'))).toThrow(/missing key CL1\.weight for Classifier\(f1=8, f2=6\)/);
    const widths = { c1: 10, c2: 20, c3: 10, c4: 16 };
    expect(() => recogniseStateDict(filled(gapnet, widths).filter((t) => t.key !== 'features.5.1.running_mean'))).toThrow(
      /missing key features\.5\.1\.running_mean for gapnet\(c1=10, c2=20, c3=10, c4=16\)/,
    );
  });

  it('refuses an unexpected key, naming it', () => {
    const extra: TorchTensor = { key: 'fc2.weight', shape: [1], dtype: 'float32', data: new Float32Array(1) };
    expect(() => recogniseStateDict([...filled(classifier, { f1: 8, f2: 6 }), extra])).toThrow(/unexpected key fc2\.weight for Classifier\(f1=8, f2=6\)/);
    expect(() => recogniseStateDict([...filled(gapnet, {}), { ...extra, key: 'head2.bias' }])).toThrow(/unexpected key head2\.bias for gapnet/);
  });

  it('refuses a wrong dtype, naming the key', () => {
    const wrong = filled(classifier, { f1: 8, f2: 6 }).map((t): TorchTensor =>
      t.key === 'bneck1.BN1.num_batches_tracked' ? { key: t.key, shape: [], dtype: 'float32', data: new Float32Array(1) } : t,
    );
    expect(() => recogniseStateDict(wrong)).toThrow(/bneck1\.BN1\.num_batches_tracked is float32; Classifier\(f1=8, f2=6\) needs int64/);
  });

  it('refuses widths outside the range the architecture allows', () => {
    // DoubledStem's layers at a=9 (18 stem channels), one past its maximum of 8.
    const layers = (stem: number) => new SpecBuilder().conv2d('stem', 1, stem, 3).batchNorm2d('bn', stem).conv2d('mix', stem, 2, 1, false).linear('fc', stem * 2, 10).entries;
    const file = (stem: number) => filledStateDict({ entries: layers(stem), inputShape: [28, 28, 1], classes: 10 }, () => 0.5);
    expect(recogniseStateDict(file(16)).hyperparameters).toEqual({ a: 8, b: 2 });
    expect(() => recogniseStateDict(file(18))).toThrow(/its shapes give DoubledStem a=9, outside the 1\.\.8 the studio builds/);
  });

  it('refuses a state dict of no known model, naming the known ones and its own keys', () => {
    const foreign: TorchTensor[] = ['conv1.weight', 'conv1.bias', 'fc.weight', 'fc.bias', 'fc2.weight', 'fc2.bias'].map((key) => ({ key, shape: [2], dtype: 'float32', data: new Float32Array(2) }));
    expect(() => recogniseStateDict(foreign)).toThrow(
      /not a state dict of a known model \(Classifier, gapnet, DoubledStem\): its keys are conv1\.weight, conv1\.bias, fc\.weight, fc\.bias, \.\.\. \(6 keys\)/,
    );
    expect(() => recogniseStateDict([])).toThrow(/not a state dict of a known model \(Classifier, gapnet, DoubledStem\): it has no keys/);
  });
});
