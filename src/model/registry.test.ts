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
});
