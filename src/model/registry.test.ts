import { describe, expect, it } from 'vitest';
import { classifier } from './classifier';
import { ARCHITECTURES, defaultHyperparameters, getArchitecture, totalParams } from './registry';
import { batchNormLayers, countParameters, parameterEntries } from './spec';

describe('architecture registry', () => {
  it('counts the Classifier at 9,994 parameters with f1=8, f2=6, without building tensors', () => {
    expect(totalParams('Classifier', { f1: 8, f2: 6 })).toBe(9994);
    expect(defaultHyperparameters(getArchitecture('Classifier'))).toEqual({ f1: 8, f2: 6 });
    expect(totalParams('Classifier', {})).toBe(9994);
  });

  it('grows with f1 and f2 and rejects bad values', () => {
    expect(totalParams('Classifier', { f1: 16, f2: 6 })).toBeGreaterThan(9994);
    expect(totalParams('Classifier', { f1: 8, f2: 12 })).toBeGreaterThan(9994);
    expect(() => totalParams('Classifier', { f1: 0, f2: 6 })).toThrow(/f1/);
    expect(() => getArchitecture('ResNet')).toThrow(/known: Classifier/);
  });

  it("lists PyTorch's state_dict keys in order", () => {
    const spec = classifier.spec({ f1: 8, f2: 6 });
    expect(spec.entries.slice(0, 9).map((e) => e.key)).toEqual([
      'CL1.weight', 'CL1.bias',
      'bneck1.ExpansionLayer.weight', 'bneck1.ExpansionLayer.bias',
      'bneck1.BN1.weight', 'bneck1.BN1.bias', 'bneck1.BN1.running_mean', 'bneck1.BN1.running_var', 'bneck1.BN1.num_batches_tracked',
    ]);
    expect(spec.entries.at(-1)?.key).toBe('fc.bias');
    expect(spec.entries.some((e) => e.key === 'block1.0.Depthwise.bias')).toBe(true);
    expect(parameterEntries(spec)).toHaveLength(52);
    expect(batchNormLayers(spec)).toHaveLength(6);
    expect(countParameters(spec)).toBe(9994);
    expect(Object.keys(ARCHITECTURES)).toContain('Classifier');
  });

  it('counts gapnet at 8,076 parameters at its defaults and keeps it under the 10,000 budget', () => {
    expect(defaultHyperparameters(getArchitecture('gapnet'))).toEqual({ c1: 10, c2: 16, c3: 10, c4: 16 });
    expect(totalParams('gapnet', {})).toBe(8076);
    expect(totalParams('gapnet', { c4: 20 })).toBeGreaterThan(8076);
    expect(() => totalParams('gapnet', { c3: 0 })).toThrow(/c3/);
    const spec = getArchitecture('gapnet').spec({});
    // Bias-free convolutions: a weight and its BatchNorm, no `features.0.0.bias`.
    expect(spec.entries.slice(0, 6).map((e) => e.key)).toEqual([
      'features.0.0.weight',
      'features.0.1.weight', 'features.0.1.bias', 'features.0.1.running_mean', 'features.0.1.running_var', 'features.0.1.num_batches_tracked',
    ]);
    expect(batchNormLayers(spec)).toHaveLength(6);
  });
});
