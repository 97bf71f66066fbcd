import type { TensorDtype, TorchTensor } from '../model/stateDict';

/** Bottleneck blocks of `Classifier(f1, f2)` in state_dict order (DESIGN.md section 2). */
function bottlenecks(f1: number, f2: number): { prefix: string; cin: number; cout: number; expansion: number }[] {
  return [
    { prefix: 'bneck1', cin: f1, cout: f2, expansion: 1 },
    { prefix: 'bneck2', cin: f2, cout: f2, expansion: 2 },
    { prefix: 'bneck3', cin: f2, cout: 8, expansion: 2 },
    { prefix: 'block1.0', cin: 8, cout: 8, expansion: 2 },
    { prefix: 'block1.1', cin: 8, cout: 8, expansion: 2 },
    { prefix: 'bneck4', cin: 8, cout: 12, expansion: 1 },
  ];
}

/** One expected `state_dict` entry of the Classifier. */
export interface ExpectedEntry {
  key: string;
  shape: number[];
  dtype: TensorDtype;
}

/** Every `state_dict` key of `Classifier(f1, f2)` with its shape and dtype, in PyTorch's order. */
export function classifierStateDictLayout(f1: number, f2: number): ExpectedEntry[] {
  const float = (key: string, shape: number[]): ExpectedEntry => ({ key, shape, dtype: 'float32' });
  const layout = [float('CL1.weight', [f1, 1, 3, 3]), float('CL1.bias', [f1])];
  for (const { prefix, cin, cout, expansion } of bottlenecks(f1, f2)) {
    const hidden = cin * expansion;
    layout.push(
      float(`${prefix}.ExpansionLayer.weight`, [hidden, cin, 1, 1]),
      float(`${prefix}.ExpansionLayer.bias`, [hidden]),
      float(`${prefix}.BN1.weight`, [hidden]),
      float(`${prefix}.BN1.bias`, [hidden]),
      float(`${prefix}.BN1.running_mean`, [hidden]),
      float(`${prefix}.BN1.running_var`, [hidden]),
      { key: `${prefix}.BN1.num_batches_tracked`, shape: [], dtype: 'int64' },
      float(`${prefix}.Depthwise.weight`, [hidden, hidden, 3, 3]),
      float(`${prefix}.Depthwise.bias`, [hidden]),
      float(`${prefix}.Projection.weight`, [cout, hidden, 1, 1]),
      float(`${prefix}.Projection.bias`, [cout]),
    );
  }
  layout.push(float('fc.weight', [10, 12]), float('fc.bias', [10]));
  return layout;
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Reads f1 and f2 from a state dict's shapes (`CL1.weight` is [f1, 1, 3, 3],
 * `bneck1.Projection.weight` is [f2, f1, 1, 1]) and checks every key, shape and dtype against
 * `Classifier(f1, f2)`; throws naming the first key that is missing, unexpected or wrong.
 */
export function validateClassifierStateDict(entries: readonly TorchTensor[]): { f1: number; f2: number } {
  const byKey = new Map(entries.map((entry) => [entry.key, entry]));
  const f1 = byKey.get('CL1.weight')?.shape[0];
  const f2 = byKey.get('bneck1.Projection.weight')?.shape[0];
  if (f1 === undefined) throw new Error('not a Classifier state dict: CL1.weight is missing');
  if (f2 === undefined) throw new Error('not a Classifier state dict: bneck1.Projection.weight is missing');
  const layout = classifierStateDictLayout(f1, f2);
  const expectedKeys = new Set(layout.map((entry) => entry.key));
  const unexpected = entries.find((entry) => !expectedKeys.has(entry.key));
  if (unexpected) throw new Error(`unexpected key ${unexpected.key} for Classifier(${f1}, ${f2})`);
  for (const expected of layout) {
    const entry = byKey.get(expected.key);
    if (!entry) throw new Error(`missing key ${expected.key} for Classifier(${f1}, ${f2})`);
    if (shapeText(entry.shape) !== shapeText(expected.shape)) {
      throw new Error(`${expected.key} has shape ${shapeText(entry.shape)}; Classifier(${f1}, ${f2}) needs ${shapeText(expected.shape)}`);
    }
    if (entry.dtype !== expected.dtype) throw new Error(`${expected.key} is ${entry.dtype}; Classifier(${f1}, ${f2}) needs ${expected.dtype}`);
  }
  return { f1, f2 };
}
