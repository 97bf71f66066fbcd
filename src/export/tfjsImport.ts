import { CheckpointError, DEFAULT_MAX_CHECKPOINT_BYTES, TENSOR_LIMITS } from './ptReader';
import { BATCH_NORM_EPSILON } from '../model/batchNorm';
import { TFJS_LAYER_CLASS, layerPlan, outputLayerName, plannedWeights, tfjsShape, tfjsToTorch, torchWeight, type PlannedLayer } from './tfjsTopology';
import type { Architecture, Hyperparameters } from '../model/architecture';
import { recogniseStateDict } from '../model/recognise';
import { registeredArchitectures } from '../model/registry';
import { shapeSize } from '../model/spec';
import type { TorchTensor } from '../model/stateDict';
import { messageOf } from '../studioError';

/** A model of a registered architecture read back from a tfjs LayersModel. */
export interface ReadTfjsModel {
  architecture: Architecture;
  /** Read from the weights' shapes (`{ f1: 8, f2: 6 }`, `{ c1: 10, ... }`). */
  hyperparameters: Hyperparameters;
  stateDict: TorchTensor[];
  warnings: string[];
}

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}
interface ManifestGroup {
  paths: string[];
  weights: ManifestWeight[];
}
interface TopologyLayer {
  class_name: string;
  name?: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
/** The end of a refusal: the file is not a model of `name` (any registered one when absent) that the studio exported. */
const foreign = (name?: string): string =>
  name === undefined ? `is not a model exported by the studio (${registeredArchitectures().map((a) => a.name).join(', ')})` : `is not a ${name} exported by the studio`;

/** What a model.json may hold: the studio's own has one weights group of about 60 weights, nested 8 deep. */
export const TFJS_LIMITS = { maxDepth: 64, maxGroups: 16, maxPaths: 64, maxWeights: TENSOR_LIMITS.maxEntries } as const;

/** Refuses JSON nested deeper than `limit`, walking it without recursion. */
function checkDepth(root: unknown, limit: number): void {
  const pending: [unknown, number][] = [[root, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limit) throw new CheckpointError(`model.json nests objects and arrays more than ${limit} deep`);
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
}

/** Checks a manifest shape against the tensor limits before anything is allocated for it. */
function checkShape(name: string, shape: number[]): void {
  if (shape.length > TENSOR_LIMITS.maxRank) throw new CheckpointError(`weight ${name} has ${shape.length} dimensions; the limit is ${TENSOR_LIMITS.maxRank}`);
  let count = 1;
  for (const size of shape) {
    count *= size;
    if (count > TENSOR_LIMITS.maxElements) throw new CheckpointError(`weight ${name} has shape ${shapeText(shape)}, more than ${TENSOR_LIMITS.maxElements} elements`);
  }
}

function parseManifest(json: Record<string, unknown>): ManifestGroup[] {
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new CheckpointError('model.json has no weightsManifest');
  if (manifest.length > TFJS_LIMITS.maxGroups) throw new CheckpointError(`model.json has ${manifest.length} weight groups; the limit is ${TFJS_LIMITS.maxGroups}`);
  let weightCount = 0;
  return manifest.map((group, i): ManifestGroup => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new CheckpointError(`model.json weightsManifest[${i}] needs paths and weights lists`);
    }
    if (group.paths.length > TFJS_LIMITS.maxPaths) throw new CheckpointError(`model.json weightsManifest[${i}] lists ${group.paths.length} files; the limit is ${TFJS_LIMITS.maxPaths}`);
    weightCount += group.weights.length;
    if (weightCount > TFJS_LIMITS.maxWeights) throw new CheckpointError(`model.json lists more than ${TFJS_LIMITS.maxWeights} weights`);
    const weights = group.weights.map((w): ManifestWeight => {
      if (!isObject(w) || typeof w.name !== 'string' || !Array.isArray(w.shape)) {
        throw new CheckpointError(`model.json weightsManifest[${i}] has a weight without a name and shape`);
      }
      if (!w.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        throw new CheckpointError(`model.json weight ${w.name} has shape ${JSON.stringify(w.shape).slice(0, 80)}; sizes must be whole numbers from 0`);
      }
      checkShape(w.name, w.shape as number[]);
      return { name: w.name, shape: w.shape as number[], dtype: typeof w.dtype === 'string' ? w.dtype : 'float32', quantization: w.quantization };
    });
    return { paths: group.paths.map(String), weights };
  });
}

/** The manifest's weights as float arrays, read from the named files in manifest order. */
function readWeights(groups: ManifestGroup[], files: ReadonlyMap<string, Uint8Array>, maxBytes: number): Map<string, ManifestWeight & { data: Float32Array }> {
  const byBaseName = new Map([...files].map(([name, bytes]) => [baseName(name), bytes]));
  const out = new Map<string, ManifestWeight & { data: Float32Array }>();
  let total = 0;
  for (const group of groups) {
    const parts = group.paths.map((path) => {
      const bytes = byBaseName.get(baseName(path));
      if (!bytes) throw new CheckpointError(`model.json needs its weights file ${baseName(path)}; choose it together with model.json`);
      total += bytes.length;
      return bytes;
    });
    if (total > maxBytes) throw new CheckpointError(`the weights files hold ${(total / 1024 / 1024).toFixed(1)} MB; the limit is ${(maxBytes / 1024 / 1024).toFixed(1)} MB`);
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((offset, p) => (joined.set(p, offset), offset + p.length), 0);
    const needed = group.weights.reduce((n, w) => n + shapeSize(w.shape) * 4, 0);
    for (const w of group.weights) {
      if (w.dtype !== 'float32' || w.quantization !== undefined) {
        throw new CheckpointError(`weight ${w.name} is ${w.quantization === undefined ? w.dtype : 'quantized'}; the studio reads float32 weights`);
      }
    }
    if (joined.length < needed) {
      throw new CheckpointError(`the weights file ${group.paths.map(baseName).join(', ')} is truncated: ${joined.length} bytes, the manifest needs ${needed}`);
    }
    if (joined.length > needed) {
      throw new CheckpointError(`the weights file ${group.paths.map(baseName).join(', ')} has ${joined.length} bytes, the manifest needs ${needed}: it belongs to another model.json`);
    }
    const view = new DataView(joined.buffer, joined.byteOffset, joined.byteLength);
    let offset = 0;
    for (const w of group.weights) {
      const data = new Float32Array(shapeSize(w.shape));
      for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(offset + i * 4, true);
      offset += data.length * 4;
      if (out.has(w.name)) throw new CheckpointError(`model.json lists weight ${w.name} twice`);
      out.set(w.name, { ...w, data });
    }
  }
  return out;
}

/** The config fields of a layer that decide what it computes. */
function expectedConfig(layer: PlannedLayer): Record<string, unknown> {
  switch (layer.kind) {
    case 'input':
      return { batch_input_shape: [null, ...layer.shape] };
    case 'conv':
      return { filters: layer.filters, kernel_size: [layer.kernel, layer.kernel], strides: [layer.stride, layer.stride], padding: 'valid', dilation_rate: [1, 1], activation: 'linear', use_bias: layer.bias };
    case 'pad':
      return { padding: [[layer.padding, layer.padding], [layer.padding, layer.padding]] };
    case 'relu6':
      return { max_value: 6 };
    case 'relu':
      return { max_value: null };
    case 'maxPool':
    case 'avgPool':
      return { pool_size: layer.size, strides: layer.size, padding: 'valid', data_format: 'channels_last' };
    case 'batchNorm':
      return { epsilon: BATCH_NORM_EPSILON, center: true, scale: true };
    case 'permute':
      return { dims: layer.dims };
    case 'dense':
      return { units: layer.units, activation: 'linear', use_bias: true };
    default:
      return {};
  }
}

/** Names of the layers feeding a Keras layer (its first, only, call). */
function inboundNames(layer: TopologyLayer): string[] {
  const nodes = Array.isArray(layer.inbound_nodes) ? (layer.inbound_nodes as unknown[]) : [];
  const first = nodes[0];
  if (!Array.isArray(first)) return [];
  return first.map((ref) => (Array.isArray(ref) ? String(ref[0]) : ''));
}

/** The layers and output names of model.json's functional model; refuses a file with none, or a Sequential one. */
function topologyOf(json: Record<string, unknown>): { layers: TopologyLayer[]; outputs: string[] } {
  const topology = isObject(json.modelTopology) && isObject(json.modelTopology.model_config) ? json.modelTopology.model_config : json.modelTopology;
  if (!isObject(topology) || !isObject(topology.config) || !Array.isArray(topology.config.layers)) {
    throw new CheckpointError('model.json has no layer topology (modelTopology.config.layers)');
  }
  if (topology.class_name === 'Sequential') throw new CheckpointError(`model.json holds a Sequential model; it ${foreign()}`);
  const outputs = Array.isArray(topology.config.output_layers) ? (topology.config.output_layers as unknown[]) : [];
  return {
    layers: topology.config.layers.filter(isObject) as unknown as TopologyLayer[],
    outputs: outputs.map((ref) => (Array.isArray(ref) ? String(ref[0]) : '')),
  };
}

/** Refuses a topology that is not exactly the plan: another layer, setting or wiring is another model. */
function checkTopology({ layers, outputs }: { layers: TopologyLayer[]; outputs: string[] }, plan: PlannedLayer[], label: string, notIt: string): void {
  const layerName = (l: TopologyLayer): string => (typeof l.config?.name === 'string' ? l.config.name : (l.name ?? ''));
  const byName = new Map(layers.map((l) => [layerName(l), l]));
  const planned = new Set(plan.map((l) => l.name));
  const extra = [...byName.keys()].find((name) => !planned.has(name));
  if (extra !== undefined) throw new CheckpointError(`model.json has layer ${extra}, which ${label} does not have; it ${notIt}`);
  for (const layer of plan) {
    const found = byName.get(layer.name);
    const className = TFJS_LAYER_CLASS[layer.kind];
    if (!found) throw new CheckpointError(`model.json has no layer ${layer.name} (${className}) of ${label}; it ${notIt}`);
    if (found.class_name !== className) throw new CheckpointError(`model.json layer ${layer.name} is a ${found.class_name}; ${label} needs a ${className}`);
    for (const [field, value] of Object.entries(expectedConfig(layer))) {
      const actual = isObject(found.config) ? found.config[field] : undefined;
      const same = field === 'epsilon' ? typeof actual === 'number' && Math.abs(actual - (value as number)) < 1e-12 : JSON.stringify(actual) === JSON.stringify(value);
      if (!same) throw new CheckpointError(`model.json layer ${layer.name} has ${field} ${JSON.stringify(actual)}; ${label} needs ${JSON.stringify(value)}`);
    }
    if (layer.kind !== 'input' && inboundNames(found).join(',') !== layer.inputs.join(',')) {
      throw new CheckpointError(`model.json layer ${layer.name} reads [${inboundNames(found).join(', ')}]; ${label} wires it to [${layer.inputs.join(', ')}]`);
    }
  }
  const output = outputLayerName(plan);
  if (outputs.join(',') !== output) throw new CheckpointError(`model.json outputs [${outputs.join(', ')}]; ${label} outputs ${output}`);
}

/**
 * The manifest's weights as PyTorch `state_dict` entries, by name alone (`<layer>/kernel` is
 * `<layer>.weight`, ...), with the `num_batches_tracked` a tfjs model does not carry set to 0 beside
 * each BatchNorm's running mean.
 */
function torchEntries(weights: ReadonlyMap<string, ManifestWeight & { data: Float32Array }>): Map<string, TorchTensor> {
  const entries = new Map<string, TorchTensor>();
  for (const weight of weights.values()) {
    const found = torchWeight(weight.name, weight.shape);
    if (!found) throw new CheckpointError(`model.json has weight ${weight.name} of shape ${shapeText(weight.shape)}, which no layer of a studio model has; it ${foreign()}`);
    const { torchKey, layout, torchShape } = found;
    if (entries.has(torchKey)) throw new CheckpointError(`model.json holds PyTorch's ${torchKey} twice (weight ${weight.name})`);
    entries.set(torchKey, { key: torchKey, shape: torchShape, dtype: 'float32', data: tfjsToTorch(layout, torchShape, weight.data) });
  }
  for (const key of [...entries.keys()]) {
    if (!key.endsWith('.running_mean')) continue;
    const tracked = `${key.slice(0, -'running_mean'.length)}num_batches_tracked`;
    entries.set(tracked, { key: tracked, shape: [], dtype: 'int64', data: new BigInt64Array(1) });
  }
  return entries;
}

/**
 * Reads a tfjs LayersModel that the studio exported (model.json text and its weight files by
 * name) back into a PyTorch-layout state dict of any registered architecture: the architecture
 * and its widths come from the weights (`recogniseStateDict`), and the topology must be exactly
 * that model's layer plan. Any other topology, a missing or truncated weights file, or a wrong
 * weight is refused.
 */
export function readTfjsModel(modelJson: string, files: ReadonlyMap<string, Uint8Array>, maxBytes = DEFAULT_MAX_CHECKPOINT_BYTES): ReadTfjsModel {
  if (modelJson.length > maxBytes) throw new CheckpointError('model.json is larger than the size limit');
  let parsed: unknown;
  try {
    parsed = JSON.parse(modelJson);
  } catch (error) {
    throw new CheckpointError(`model.json is not valid JSON (${messageOf(error)})`);
  }
  if (!isObject(parsed)) throw new CheckpointError('model.json is not a JSON object');
  checkDepth(parsed, TFJS_LIMITS.maxDepth);
  if (parsed.format === 'graph-model') throw new CheckpointError(`model.json is a tfjs graph model; it ${foreign()} (a layers-model)`);
  const weights = readWeights(parseManifest(parsed), files, maxBytes);
  const topology = topologyOf(parsed);
  const entries = torchEntries(weights);

  let architecture: Architecture;
  let hyperparameters: Hyperparameters;
  let plan: PlannedLayer[];
  try {
    ({ architecture, hyperparameters } = recogniseStateDict([...entries.values()]));
    plan = layerPlan(architecture, hyperparameters);
  } catch (error) {
    throw new CheckpointError(`model.json's weights: ${messageOf(error)}`);
  }
  const label = `${architecture.name}(${Object.values(hyperparameters).join(', ')})`;
  checkTopology(topology, plan, label, foreign(architecture.name));

  // The weights were placed by name; each must also have the layout its layer gives it.
  const planned = plan.flatMap(plannedWeights);
  const known = new Set(planned.map((w) => w.name));
  const unexpected = [...weights.keys()].find((name) => !known.has(name));
  if (unexpected !== undefined) throw new CheckpointError(`model.json has weight ${unexpected}, which ${label} does not have`);
  for (const { name, torchKey, layout } of planned) {
    const weight = weights.get(name);
    const entry = entries.get(torchKey);
    if (!weight || !entry) throw new CheckpointError(`model.json lacks weight ${name} of ${label}`);
    const shape = tfjsShape(layout, entry.shape);
    if (shapeText(weight.shape) !== shapeText(shape)) throw new CheckpointError(`weight ${name} has shape ${shapeText(weight.shape)}; ${label} needs ${shapeText(shape)}`);
  }
  const stateDict = architecture.spec(hyperparameters).entries.map((expected): TorchTensor => {
    const entry = entries.get(expected.key);
    if (!entry) throw new CheckpointError(`model.json lacks ${label}'s ${expected.key}`);
    return entry;
  });
  return { architecture, hyperparameters, stateDict, warnings: ['a tfjs model does not record BatchNorm num_batches_tracked; it is set to 0'] };
}
