import { describe, expect, it } from 'vitest';
import type { Architecture } from '../model/architecture';
import { bottlenecks, classifier } from '../model/classifier';
import { gapnet } from '../model/gapnet';
import { SpecBuilder } from '../model/spec';
import { layerPlan, outputLayerName, type PlannedLayer } from './tfjsTopology';

/**
 * The layers tfjs models of `Classifier(f1, f2)` were exported with before the plan was read from
 * the model registry, as that exporter wrote them by hand. Models downloaded then must still import.
 */
function exportedClassifierLayers(f1: number, f2: number): PlannedLayer[] {
  const layers: PlannedLayer[] = [{ kind: 'input', name: 'input', inputs: [], shape: [28, 28, 1] }];
  let last = 'input';
  const push = (layer: PlannedLayer): void => {
    layers.push(layer);
    last = layer.name;
  };
  push({ kind: 'conv', name: 'CL1', inputs: [last], filters: f1, kernel: 3, stride: 2, bias: true });
  push({ kind: 'relu6', name: 'CL1.relu6', inputs: [last] });
  for (const { name: prefix, cin, cout, expansion, stride } of bottlenecks(f1, f2)) {
    const blockInput = last;
    const hidden = cin * expansion;
    push({ kind: 'conv', name: `${prefix}.ExpansionLayer`, inputs: [last], filters: hidden, kernel: 1, stride: 1, bias: true });
    push({ kind: 'relu6', name: `${prefix}.ExpansionLayer.relu6`, inputs: [last] });
    push({ kind: 'batchNorm', name: `${prefix}.BN1`, inputs: [last] });
    push({ kind: 'pad', name: `${prefix}.Depthwise.pad`, inputs: [last], padding: 1 });
    push({ kind: 'conv', name: `${prefix}.Depthwise`, inputs: [last], filters: hidden, kernel: 3, stride, bias: true });
    push({ kind: 'relu6', name: `${prefix}.Depthwise.relu6`, inputs: [last] });
    push({ kind: 'conv', name: `${prefix}.Projection`, inputs: [last], filters: cout, kernel: 1, stride: 1, bias: true });
    if (cin === cout && stride === 1) push({ kind: 'add', name: `${prefix}.add`, inputs: [last, blockInput] });
  }
  push({ kind: 'flatten', name: 'flatten', inputs: [last] });
  push({ kind: 'dense', name: 'fc', inputs: [last], units: 10 });
  return layers;
}

describe('layerPlan', () => {
  it.each([
    [8, 6],
    [5, 7],
    [1, 1],
    [12, 12],
    [3, 16],
  ])('gives Classifier(%i, %i) the layers its tfjs models were exported with before', (f1, f2) => {
    const plan = layerPlan(classifier, { f1, f2 });
    expect(plan).toEqual(exportedClassifierLayers(f1, f2));
    expect(outputLayerName(plan)).toBe('fc');
  });

  it('reads gapnet from its forward pass: bias-free convs, ReLU, a max pool and a whole-plane average pool', () => {
    const plan = layerPlan(gapnet, { c1: 10, c2: 20, c3: 10, c4: 16 });
    const convs = plan.filter((l) => l.kind === 'conv');
    expect(convs.map((l) => [l.name, l.filters, l.kernel, l.bias])).toEqual([
      ['features.0.0', 10, 3, false],
      ['features.1.0', 20, 3, false],
      ['features.3.0', 10, 1, false],
      ['features.4.0', 16, 3, false],
      ['features.5.0', 16, 3, false],
      ['features.6.0', 16, 3, false],
      ['head', 10, 1, true],
    ]);
    // 28 -> 26 -> 24, pooled to 12, then 12 -> 10 -> 8 -> 6: the average pool covers the 6x6 plane.
    expect(plan.filter((l) => l.kind === 'maxPool' || l.kind === 'avgPool')).toEqual([
      { kind: 'maxPool', name: 'features.1.1.relu.maxPool', inputs: ['features.1.1.relu'], size: [2, 2] },
      { kind: 'avgPool', name: 'features.6.1.relu.avgPool', inputs: ['features.6.1.relu'], size: [6, 6] },
    ]);
    expect(plan.filter((l) => l.kind === 'relu')).toHaveLength(6);
    expect(plan.some((l) => l.kind === 'pad' || l.kind === 'relu6' || l.kind === 'add')).toBe(false);
    expect(plan.slice(-2).map((l) => [l.kind, l.name, l.inputs])).toEqual([
      ['conv', 'head', ['features.6.1.relu.avgPool']],
      ['flatten', 'flatten', ['head']],
    ]);
  });

  it('moves channels first before flattening a plane, as PyTorch flattens, and refuses a conv fed the wrong channels', () => {
    const spec = (cin: number) => () => ({ entries: new SpecBuilder().conv2d('c', cin, 2, 3).linear('fc', 2 * 26 * 26, 10).entries, inputShape: [28, 28, 1] as const, classes: 10 });
    const convFlat: Architecture = { name: 'convFlat', description: '', hyperparameters: {}, spec: spec(1), forward: (_h, x, ops) => ops.linear(ops.flatten(ops.conv2d(x, 'c', 1, 0)), 'fc') };
    expect(layerPlan(convFlat, {}).map((l) => [l.kind, l.name, l.inputs])).toEqual([
      ['input', 'input', []],
      ['conv', 'c', ['input']],
      ['permute', 'c.nchw', ['c']],
      ['flatten', 'flatten', ['c.nchw']],
      ['dense', 'fc', ['flatten']],
    ]);
    expect(() => layerPlan({ ...convFlat, spec: spec(3) }, {})).toThrow(/conv c takes 3 channels, input gives 1/);
  });
});
