/**
 * A registered architecture as a graph of stock Keras/tfjs layers, described without tensors and
 * read from the architecture's own forward pass. The tfjs exporter builds its `tf.LayersModel` from
 * this plan, and the tfjs importer checks a model.json against it, so both sides agree on layer
 * names, wiring and the weight names in the manifest. Layers that own weights are named by their
 * PyTorch `state_dict` prefix (`bneck1.BN1`, `fc`, `features.0.0`).
 */
import type { Architecture, Hyperparameters, LayerOps } from '../model/architecture';
import { rearrangeWeight } from '../model/stateDict';

/** Keras class names of the layers the export uses. */
export const TFJS_LAYER_CLASS = {
  input: 'InputLayer',
  conv: 'Conv2D',
  pad: 'ZeroPadding2D',
  relu6: 'ReLU',
  relu: 'ReLU',
  maxPool: 'MaxPooling2D',
  avgPool: 'AveragePooling2D',
  batchNorm: 'BatchNormalization',
  add: 'Add',
  permute: 'Permute',
  flatten: 'Flatten',
  dense: 'Dense',
} as const;

/** One layer of the plan: its kind, name, input layers and the settings that decide its output. */
export type PlannedLayer =
  | { kind: 'input'; name: string; inputs: []; shape: [number, number, number] }
  | { kind: 'conv'; name: string; inputs: [string]; filters: number; kernel: number; stride: number; bias: boolean }
  | { kind: 'pad'; name: string; inputs: [string]; padding: number }
  | { kind: 'relu6'; name: string; inputs: [string] }
  | { kind: 'relu'; name: string; inputs: [string] }
  | { kind: 'maxPool'; name: string; inputs: [string]; size: [number, number] }
  | { kind: 'avgPool'; name: string; inputs: [string]; size: [number, number] }
  | { kind: 'batchNorm'; name: string; inputs: [string] }
  | { kind: 'add'; name: string; inputs: [string, string] }
  | { kind: 'permute'; name: string; inputs: [string]; dims: [number, number, number] }
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

/** The name of the model's input layer. */
export const TFJS_INPUT_NAME = 'input';

/** A layer's output in a symbolic run: the layer's name and its shape per sample (NHWC, or features). */
interface PlannedTensor {
  name: string;
  shape: readonly number[];
}

/** The layer's name without its last dotted part (`bneck1.Projection` -> `bneck1`). */
const parentName = (name: string): string => name.slice(0, Math.max(0, name.lastIndexOf('.'))) || name;

/**
 * Any architecture as a graph of stock Keras/tfjs layers, from a symbolic run of its forward pass:
 * each LayerOps call becomes one layer (two for a padded conv), the shapes are tracked in NHWC, and
 * every conv's and linear's channels, kernel and bias come from `architecture.spec(h)`. Layers with
 * weights are named by their `state_dict` prefix, the rest after their input (`CL1.relu6`,
 * `bneck1.add`). The last layer is the model's output.
 */
export function layerPlan(architecture: Architecture, hyperparameters: Hyperparameters): PlannedLayer[] {
  const spec = architecture.spec(hyperparameters);
  const shapes = new Map(spec.entries.map((entry) => [entry.key, entry.torchShape]));
  const weightShape = (prefix: string): readonly number[] => {
    const shape = shapes.get(`${prefix}.weight`);
    if (!shape) throw new Error(`${architecture.name} has no state_dict entry ${prefix}.weight`);
    return shape;
  };
  const layers: PlannedLayer[] = [];
  const names = new Set<string>();
  const push = (layer: PlannedLayer, shape: readonly number[]): PlannedTensor => {
    if (names.has(layer.name)) throw new Error(`${architecture.name}'s tfjs model would have two layers named ${layer.name}`);
    names.add(layer.name);
    layers.push(layer);
    return { name: layer.name, shape };
  };
  const plane = (x: PlannedTensor, op: string): [number, number, number] => {
    const [h, w, c] = x.shape;
    if (h === undefined || w === undefined || c === undefined || x.shape.length !== 3) throw new Error(`${op} needs an image, ${x.name} gives [${x.shape.join(', ')}]`);
    return [h, w, c];
  };
  const ops: LayerOps<PlannedTensor> = {
    conv2d: (x, prefix, stride, padding) => {
      const [h, w, c] = plane(x, `conv ${prefix}`);
      const [filters = 0, cin, kernel = 1] = weightShape(prefix);
      if (cin !== c) throw new Error(`conv ${prefix} takes ${cin ?? 0} channels, ${x.name} gives ${c}`);
      let input = x;
      if (padding > 0) input = push({ kind: 'pad', name: `${prefix}.pad`, inputs: [x.name], padding }, [h + 2 * padding, w + 2 * padding, c]);
      const out = (size: number): number => Math.floor((size + 2 * padding - kernel) / stride) + 1;
      const bias = shapes.has(`${prefix}.bias`);
      return push({ kind: 'conv', name: prefix, inputs: [input.name], filters, kernel, stride, bias }, [out(h), out(w), filters]);
    },
    batchNorm2d: (x, prefix) => push({ kind: 'batchNorm', name: prefix, inputs: [x.name] }, x.shape),
    relu6: (x) => push({ kind: 'relu6', name: `${x.name}.relu6`, inputs: [x.name] }, x.shape),
    relu: (x) => push({ kind: 'relu', name: `${x.name}.relu`, inputs: [x.name] }, x.shape),
    maxPool2d: (x, size) => {
      const [h, w, c] = plane(x, 'maxPool2d');
      return push({ kind: 'maxPool', name: `${x.name}.maxPool`, inputs: [x.name], size: [size, size] }, [Math.floor(h / size), Math.floor(w / size), c]);
    },
    globalAvgPool: (x) => {
      const [h, w, c] = plane(x, 'globalAvgPool');
      return push({ kind: 'avgPool', name: `${x.name}.avgPool`, inputs: [x.name], size: [h, w] }, [1, 1, c]);
    },
    add: (a, b) => {
      if (a.shape.join(',') !== b.shape.join(',')) throw new Error(`add of ${a.name} and ${b.name} needs equal shapes`);
      return push({ kind: 'add', name: `${parentName(a.name)}.add`, inputs: [a.name, b.name] }, a.shape);
    },
    flatten: (x) => {
      // Keras flattens NHWC, PyTorch NCHW: the orders agree on a 1x1 plane or a single channel;
      // otherwise the channels move first (Permute to CHW), as PyTorch holds them.
      const [h, w, c] = plane(x, 'flatten');
      const input = h * w > 1 && c > 1 ? push({ kind: 'permute', name: `${x.name}.nchw`, inputs: [x.name], dims: [3, 1, 2] }, [c, h, w]) : x;
      return push({ kind: 'flatten', name: 'flatten', inputs: [input.name] }, [h * w * c]);
    },
    linear: (x, prefix) => {
      const [units = 0, features] = weightShape(prefix);
      if (x.shape.length !== 1 || x.shape[0] !== features) throw new Error(`linear ${prefix} takes ${features ?? 0} features, ${x.name} gives [${x.shape.join(', ')}]`);
      return push({ kind: 'dense', name: prefix, inputs: [x.name], units }, [units]);
    },
  };
  const [height, width, channels] = spec.inputShape;
  const input = push({ kind: 'input', name: TFJS_INPUT_NAME, inputs: [], shape: [height, width, channels] }, spec.inputShape);
  const output = architecture.forward(hyperparameters, input, ops);
  if (output.name !== layers.at(-1)?.name) throw new Error(`${architecture.name}'s forward pass returns ${output.name}, not its last layer`);
  return layers;
}

/** The layer whose output is the model's logits: the plan's last. */
export function outputLayerName(plan: readonly PlannedLayer[]): string {
  const last = plan.at(-1);
  if (!last) throw new Error('the layer plan is empty');
  return last.name;
}

/** The PyTorch `state_dict` name of each tfjs layer weight (`<layer>/gamma` is `<layer>.weight`). */
export const TORCH_WEIGHT_NAMES = {
  kernel: 'weight',
  bias: 'bias',
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'running_mean',
  moving_variance: 'running_var',
} as const;
type TfjsWeightName = keyof typeof TORCH_WEIGHT_NAMES;

/** The weights a planned layer owns, in the order tfjs's `setWeights` and the manifest list them. */
export function plannedWeights(layer: PlannedLayer): PlannedWeight[] {
  const w = (suffix: TfjsWeightName, layout: WeightLayout): PlannedWeight => ({
    name: `${layer.name}/${suffix}`,
    torchKey: `${layer.name}.${TORCH_WEIGHT_NAMES[suffix]}`,
    layout,
  });
  switch (layer.kind) {
    case 'conv':
      return layer.bias ? [w('kernel', 'conv'), w('bias', 'vector')] : [w('kernel', 'conv')];
    case 'dense':
      return [w('kernel', 'linear'), w('bias', 'vector')];
    case 'batchNorm':
      return [w('gamma', 'vector'), w('beta', 'vector'), w('moving_mean', 'vector'), w('moving_variance', 'vector')];
    default:
      return [];
  }
}

/**
 * What a manifest weight is in PyTorch, from its name and tfjs shape alone: its `state_dict` key,
 * layout and PyTorch shape (a rank-4 kernel is a conv's, a rank-2 one a linear's). Null for a name
 * or shape no studio layer has.
 */
export function torchWeight(name: string, shape: readonly number[]): { torchKey: string; layout: WeightLayout; torchShape: number[] } | null {
  const slash = name.lastIndexOf('/');
  const suffix = name.slice(slash + 1);
  if (slash <= 0 || !Object.hasOwn(TORCH_WEIGHT_NAMES, suffix)) return null;
  const torchKey = `${name.slice(0, slash)}.${TORCH_WEIGHT_NAMES[suffix as TfjsWeightName]}`;
  const [a = 1, b = 1, c = 1, d = 1] = shape;
  if (suffix !== 'kernel') return shape.length === 1 ? { torchKey, layout: 'vector', torchShape: [...shape] } : null;
  if (shape.length === 4) return { torchKey, layout: 'conv', torchShape: [d, c, a, b] };
  if (shape.length === 2) return { torchKey, layout: 'linear', torchShape: [b, a] };
  return null;
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
