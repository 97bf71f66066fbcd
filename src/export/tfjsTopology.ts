/**
 * The Classifier as a graph of stock Keras/tfjs layers, described without tensors. The tfjs
 * exporter builds its `tf.LayersModel` from this plan, and the tfjs importer checks a model.json
 * against it, so both sides agree on layer names, wiring and the weight names in the manifest.
 * Layers that own weights are named by their PyTorch `state_dict` prefix (`bneck1.BN1`, `fc`).
 */
import { bottlenecks } from '../model/classifier';
import { rearrangeWeight } from '../model/stateDict';

/** Keras class names of the layers the export uses. */
export const TFJS_LAYER_CLASS = {
  input: 'InputLayer',
  conv: 'Conv2D',
  pad: 'ZeroPadding2D',
  relu6: 'ReLU',
  batchNorm: 'BatchNormalization',
  add: 'Add',
  flatten: 'Flatten',
  dense: 'Dense',
} as const;

/** One layer of the plan: its kind, name, input layers and the settings that decide its output. */
export type PlannedLayer =
  | { kind: 'input'; name: string; inputs: []; shape: [number, number, number] }
  | { kind: 'conv'; name: string; inputs: [string]; filters: number; kernel: number; stride: number }
  | { kind: 'pad'; name: string; inputs: [string]; padding: number }
  | { kind: 'relu6'; name: string; inputs: [string] }
  | { kind: 'batchNorm'; name: string; inputs: [string] }
  | { kind: 'add'; name: string; inputs: [string, string] }
  | { kind: 'flatten'; name: string; inputs: [string] }
  | { kind: 'dense'; name: string; inputs: [string]; units: number };

/** How a tfjs weight relates to its PyTorch `state_dict` entry. */
export type WeightLayout = 'conv' | 'linear' | 'vector';

/** One weight of the exported model: its manifest name, its PyTorch key and layout. */
export interface PlannedWeight {
  /** The name in model.json's weight manifest (`<layer>/<weight>`). */
  name: string;
  torchKey: string;
  layout: WeightLayout;
}

/** The name of the model's input layer, and of the layer whose output is the logits. */
export const TFJS_INPUT_NAME = 'input';
export const TFJS_OUTPUT_NAME = 'fc';

/**
 * `Classifier(f1, f2)` layer by layer, in forward order: CL1 (3x3, stride 2, no padding) and
 * relu6, six Bottlenecks (1x1 expansion, relu6, BatchNorm, zero padding 1, 3x3 conv, relu6, 1x1
 * projection, residual Add when shapes allow), Flatten and the Dense `fc`. Flatten of the final
 * 1x1x12 NHWC map equals PyTorch's flatten of 12x1x1.
 */
export function classifierLayerPlan(f1: number, f2: number): PlannedLayer[] {
  const layers: PlannedLayer[] = [{ kind: 'input', name: TFJS_INPUT_NAME, inputs: [], shape: [28, 28, 1] }];
  let last: string = TFJS_INPUT_NAME;
  const push = (layer: PlannedLayer): string => {
    layers.push(layer);
    last = layer.name;
    return last;
  };
  push({ kind: 'conv', name: 'CL1', inputs: [last], filters: f1, kernel: 3, stride: 2 });
  push({ kind: 'relu6', name: 'CL1.relu6', inputs: [last] });
  for (const { name: prefix, cin, cout, expansion, stride } of bottlenecks(f1, f2)) {
    const blockInput = last;
    const hidden = cin * expansion;
    push({ kind: 'conv', name: `${prefix}.ExpansionLayer`, inputs: [last], filters: hidden, kernel: 1, stride: 1 });
    push({ kind: 'relu6', name: `${prefix}.ExpansionLayer.relu6`, inputs: [last] });
    push({ kind: 'batchNorm', name: `${prefix}.BN1`, inputs: [last] });
    push({ kind: 'pad', name: `${prefix}.Depthwise.pad`, inputs: [last], padding: 1 });
    push({ kind: 'conv', name: `${prefix}.Depthwise`, inputs: [last], filters: hidden, kernel: 3, stride });
    push({ kind: 'relu6', name: `${prefix}.Depthwise.relu6`, inputs: [last] });
    push({ kind: 'conv', name: `${prefix}.Projection`, inputs: [last], filters: cout, kernel: 1, stride: 1 });
    if (cin === cout && stride === 1) push({ kind: 'add', name: `${prefix}.add`, inputs: [last, blockInput] });
  }
  push({ kind: 'flatten', name: 'flatten', inputs: [last] });
  push({ kind: 'dense', name: TFJS_OUTPUT_NAME, inputs: [last], units: 10 });
  return layers;
}

/** The weights a planned layer owns, in the order tfjs's `setWeights` and the manifest list them. */
export function plannedWeights(layer: PlannedLayer): PlannedWeight[] {
  const w = (suffix: string, torchSuffix: string, layout: WeightLayout): PlannedWeight => ({
    name: `${layer.name}/${suffix}`,
    torchKey: `${layer.name}.${torchSuffix}`,
    layout,
  });
  switch (layer.kind) {
    case 'conv':
      return [w('kernel', 'weight', 'conv'), w('bias', 'bias', 'vector')];
    case 'dense':
      return [w('kernel', 'weight', 'linear'), w('bias', 'bias', 'vector')];
    case 'batchNorm':
      return [
        w('gamma', 'weight', 'vector'),
        w('beta', 'bias', 'vector'),
        w('moving_mean', 'running_mean', 'vector'),
        w('moving_variance', 'running_var', 'vector'),
      ];
    default:
      return [];
  }
}

/** Rearranges a weight from PyTorch's layout to tfjs's (OIHW -> HWIO, [out, in] -> [in, out]). */
export function torchToTfjs(layout: WeightLayout, torchShape: readonly number[], data: Float32Array): { shape: number[]; data: Float32Array } {
  return permute(layout, torchShape, data, true);
}

/** Rearranges a weight from tfjs's layout back to PyTorch's, given the PyTorch shape. */
export function tfjsToTorch(layout: WeightLayout, torchShape: readonly number[], data: Float32Array): Float32Array {
  return permute(layout, torchShape, data, false).data;
}

/** The tfjs shape of a weight with this PyTorch shape. */
export function tfjsShape(layout: WeightLayout, torchShape: readonly number[]): number[] {
  const [o = 1, i = 1, h = 1, w = 1] = torchShape;
  if (layout === 'conv') return [h, w, i, o];
  if (layout === 'linear') return [i, o];
  return [...torchShape];
}

function permute(layout: WeightLayout, torchShape: readonly number[], data: Float32Array, toTfjs: boolean): { shape: number[]; data: Float32Array } {
  const shape = tfjsShape(layout, torchShape);
  return { shape, data: layout === 'vector' ? data.slice() : rearrangeWeight(torchShape, data, toTfjs) };
}
