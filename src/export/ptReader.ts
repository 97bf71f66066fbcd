import { CheckpointError } from './checkpointError';
import { decodePickle, isKind } from './pickleReader';
import type { PickleCall, PickleValue } from './pickleValue';
import {
  defaultAdamParamGroup,
  type AdamParamGroup,
  type AdamParamState,
  type AdamState,
} from './stateDict';
import { ALLOWED_GLOBALS, STORAGE_TYPES, TORCH_GLOBALS, type StorageTypeName } from './torchPickle';
import { DEFAULT_ZIP_LIMITS, readZip } from './zipReader';
import type { TorchTensor } from '../model/stateDict';
import { messageOf } from '../studioError';

export { CheckpointError };

/** How the checkpoint's top-level object was laid out. */
export type CheckpointFormat =
  /** `(model.state_dict(), optimizer.state_dict())`, the original's and the studio's. */
  | 'tuple'
  /** A bare `model.state_dict()`. */
  | 'state_dict'
  /** A dict such as `{'model_state_dict': ..., 'optimizer_state_dict': ..., 'epoch': ...}`. */
  | 'dict';

export interface ReadCheckpoint {
  model: TorchTensor[];
  optimizer?: AdamState;
  format: CheckpointFormat;
  /** What was read but set aside (for example an optimizer state that is not Adam's). */
  warnings: string[];
}

export interface ReadCheckpointOptions {
  /** Largest file accepted, and largest total size of its unpacked records. */
  maxBytes?: number;
}

export const DEFAULT_MAX_CHECKPOINT_BYTES = 16 * 1024 * 1024;

/**
 * What the tensors of one checkpoint may hold. The studio's models have under 10,000 parameters
 * (about 40,000 values with Adam's moments); these bounds leave ample room and still cap memory.
 */
export const TENSOR_LIMITS = {
  /** Most dimensions of a tensor. */
  maxRank: 8,
  /** Most elements of one tensor. */
  maxElements: 4 * 1024 * 1024,
  /** Most elements of all the tensors read, together (aliasing one storage many times counts each time). */
  maxTotalElements: 8 * 1024 * 1024,
  /** Most entries of a state dict. */
  maxEntries: 4096,
} as const;

const MODEL_KEYS = ['model_state_dict', 'state_dict', 'model'];
const OPTIMIZER_KEYS = ['optimizer_state_dict', 'optimizer'];

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function unzip(bytes: Uint8Array, maxBytes: number): Map<string, Uint8Array> {
  if (bytes.length > maxBytes) {
    throw new CheckpointError(`the checkpoint is ${megabytes(bytes.length)}; the limit is ${megabytes(maxBytes)}`);
  }
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (!isZip) {
    if (bytes[0] === 0x80) {
      throw new CheckpointError(
        'this is the legacy torch.save format (PyTorch before 1.6, or _use_new_zipfile_serialization=False); re-save it with a current torch.save',
      );
    }
    throw new CheckpointError('not a PyTorch checkpoint: the file is not a zip archive');
  }
  return readZip(bytes, { ...DEFAULT_ZIP_LIMITS, maxFileBytes: maxBytes, maxEntryBytes: maxBytes, maxTotalBytes: maxBytes });
}

/** Finds `<archive>/data.pkl`; torch names the archive after its first record's top folder. */
function archiveName(files: ReadonlyMap<string, Uint8Array>): string {
  const pickles = [...files.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  const [pickle] = pickles;
  if (pickle === undefined) throw new CheckpointError('not a PyTorch checkpoint: the zip has no <name>/data.pkl record');
  if (pickles.length > 1) throw new CheckpointError(`the zip holds ${pickles.length} checkpoints (${pickles.join(', ')}); torch.load reads one`);
  return pickle.slice(0, pickle.indexOf('/'));
}

type Storage = { type: StorageTypeName; values: Float64Array | BigInt64Array };

/** Turns the pickle graph into state dicts, reading storages from the zip on first use. */
class CheckpointInterpreter {
  private readonly storages = new Map<string, Storage>();
  private elementsRead = 0;

  constructor(
    private readonly files: ReadonlyMap<string, Uint8Array>,
    private readonly archive: string,
  ) {}

  stateDict(node: PickleValue, where: string): TorchTensor[] {
    const entries = mapEntries(node);
    if (!entries) throw new CheckpointError(`${where} is not a state dict (a dict of tensors)`);
    if (entries.length > TENSOR_LIMITS.maxEntries) throw new CheckpointError(`${where} has ${entries.length} entries; the limit is ${TENSOR_LIMITS.maxEntries}`);
    return entries.map(([key, value]) => {
      if (typeof key !== 'string') throw new CheckpointError(`${where} has a key that is not a string`);
      return this.tensor(value, key);
    });
  }

  isTensor(node: PickleValue): boolean {
    return isCallOf(node, TORCH_GLOBALS.rebuildTensor) || isCallOf(node, TORCH_GLOBALS.rebuildParameter);
  }

  tensor(node: PickleValue, key: string): TorchTensor {
    if (isCallOf(node, TORCH_GLOBALS.rebuildParameter)) {
      const data = node.args.items[0];
      if (data === undefined) throw new CheckpointError(`${key}: a parameter without its tensor`);
      return this.tensor(data, key);
    }
    if (!isCallOf(node, TORCH_GLOBALS.rebuildTensor)) throw new CheckpointError(`${key} is not a tensor`);
    const [storageRef, offsetNode, sizeNode, strideNode] = node.args.items;
    if (!isKind(storageRef ?? null, 'persistentId') || offsetNode === undefined) {
      throw new CheckpointError(`${key}: a tensor without a storage`);
    }
    const storage = this.storage((storageRef as { id: PickleValue }).id, key);
    const offset = intOf(offsetNode, `${key}: storage offset`);
    const shape = intTupleOf(sizeNode ?? null, `${key}: size`);
    const stride = intTupleOf(strideNode ?? null, `${key}: stride`);
    const indices = this.elementIndices(key, storage.values.length, offset, shape, stride);
    if (storage.values instanceof BigInt64Array) {
      const source = storage.values;
      return { key, shape, dtype: 'int64', data: BigInt64Array.from(indices, (i) => source[i] ?? 0n) };
    }
    const source = storage.values;
    return { key, shape, dtype: 'float32', data: Float32Array.from(indices, (i) => source[i] ?? 0) };
  }

  /**
   * The storage index of each element of a tensor, after checking, before any allocation, that
   * its shape, strides and offset are sane and stay inside the storage's `available` elements.
   */
  private elementIndices(key: string, available: number, offset: number, shape: number[], stride: number[]): Int32Array {
    if (shape.length > TENSOR_LIMITS.maxRank) throw new CheckpointError(`${key}: a tensor of ${shape.length} dimensions; the limit is ${TENSOR_LIMITS.maxRank}`);
    if (stride.length !== shape.length) throw new CheckpointError(`${key}: size and stride differ in length`);
    let count = 1;
    for (const size of shape) {
      if (size < 0) throw new CheckpointError(`${key}: size (${shape.join(', ')}) has a negative dimension`);
      count *= size;
      if (count > TENSOR_LIMITS.maxElements) throw new CheckpointError(`${key}: size (${shape.join(', ')}) has more than ${TENSOR_LIMITS.maxElements} elements`);
    }
    if (stride.some((step) => step < 0)) throw new CheckpointError(`${key}: stride (${stride.join(', ')}) has a negative step`);
    if (offset < 0) throw new CheckpointError(`${key}: storage offset ${offset} is negative`);
    if (count === 0) return new Int32Array(0);
    // The last element's index, computed without overflow: every factor is checked against the storage first.
    let last = offset;
    for (let axis = 0; axis < shape.length; axis++) {
      const size = shape[axis] ?? 1;
      const step = stride[axis] ?? 0;
      if (size > 1 && step >= available) last = Number.POSITIVE_INFINITY;
      else last += (size - 1) * step;
    }
    if (last >= available) {
      throw new CheckpointError(`${key}: size (${shape.join(', ')}), stride (${stride.join(', ')}) and offset ${offset} reach past the end of its storage of ${available} elements`);
    }
    this.elementsRead += count;
    if (this.elementsRead > TENSOR_LIMITS.maxTotalElements) throw new CheckpointError(`the checkpoint's tensors hold more than ${TENSOR_LIMITS.maxTotalElements} elements in all`);
    const indices = new Int32Array(count);
    for (let flat = 0; flat < count; flat++) {
      let rest = flat;
      let index = offset;
      for (let axis = shape.length - 1; axis >= 0; axis--) {
        const size = shape[axis] ?? 1;
        index += (rest % size) * (stride[axis] ?? 0);
        rest = Math.floor(rest / size);
      }
      indices[flat] = index;
    }
    return indices;
  }

  private storage(id: PickleValue, key: string): Storage {
    const parts = isKind(id, 'tuple') ? id.items : [];
    const [tag, typeNode, storageKey, , numelNode] = parts;
    if (tag !== 'storage' || !isKind(typeNode ?? null, 'global') || typeof storageKey !== 'string' || numelNode === undefined) {
      throw new CheckpointError(`${key}: a storage reference torch does not write`);
    }
    const global = typeNode as { module: string; name: string };
    const typeName = `${global.module}.${global.name}`;
    if (!(typeName in STORAGE_TYPES)) throw new CheckpointError(`${key}: ${typeName} is not a tensor storage the studio reads`);
    const type = typeName as StorageTypeName;
    const cached = this.storages.get(storageKey);
    if (cached) {
      if (cached.type !== type) throw new CheckpointError(`${key}: storage ${storageKey} is read as two types`);
      return cached;
    }
    const record = `${this.archive}/data/${storageKey}`;
    const bytes = this.files.get(record);
    if (!bytes) throw new CheckpointError(`${key}: the storage record ${record} is missing`);
    const count = intOf(numelNode, `${key}: storage size`);
    const { dtype, bytes: width } = STORAGE_TYPES[type];
    if (count < 0 || bytes.length !== count * width) {
      throw new CheckpointError(`${key}: the storage record ${record} holds ${bytes.length} bytes, not ${count * width}`);
    }
    const storage: Storage = { type, values: decodeStorage(bytes, dtype, count) };
    this.storages.set(storageKey, storage);
    return storage;
  }

  adam(node: PickleValue): AdamState {
    const top = new Map(stringKeyed(mapEntries(node) ?? [], 'the optimizer state'));
    const groups = top.get('param_groups');
    const state = top.get('state');
    if (!isKind(groups ?? null, 'list') || state === undefined) throw new CheckpointError('the optimizer state is not a torch.optim state dict');
    const groupList = (groups as { items: PickleValue[] }).items;
    if (groupList.length !== 1) throw new CheckpointError(`the optimizer has ${groupList.length} parameter groups; the studio uses one`);
    const paramGroup = adamParamGroup(groupList[0] ?? null);
    const moments = (mapEntries(state) ?? []).map(([indexNode, value]): AdamParamState => {
      const index = intOf(indexNode, 'the optimizer state: a parameter index');
      const fields = new Map(stringKeyed(mapEntries(value) ?? [], `the optimizer state of parameter ${index}`));
      const moment = (name: string): Float32Array | undefined => {
        const tensor = fields.get(name);
        if (tensor === undefined) return undefined;
        const read = this.tensor(tensor, `optimizer state ${index}.${name}`);
        if (read.dtype !== 'float32') throw new CheckpointError(`optimizer state ${index}.${name} is not a float tensor`);
        return read.data;
      };
      const expAvg = moment('exp_avg');
      const expAvgSq = moment('exp_avg_sq');
      const stepNode = fields.get('step');
      if (!expAvg || !expAvgSq || stepNode === undefined) {
        throw new CheckpointError(`the optimizer state of parameter ${index} is not Adam's (step, exp_avg, exp_avg_sq)`);
      }
      const step = this.isTensor(stepNode) ? Number(this.tensor(stepNode, `optimizer state ${index}.step`).data[0]) : numberOf(stepNode, 'step');
      const maxExpAvgSq = moment('max_exp_avg_sq');
      return { index, step, expAvg, expAvgSq, ...(maxExpAvgSq ? { maxExpAvgSq } : {}) };
    });
    return { state: moments, paramGroup };
  }
}

function decodeStorage(bytes: Uint8Array, dtype: (typeof STORAGE_TYPES)[StorageTypeName]['dtype'], count: number): Float64Array | BigInt64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'float32':
      return Float64Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
    case 'float64':
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true));
    case 'float16':
      return Float64Array.from({ length: count }, (_, i) => halfToNumber(view.getUint16(i * 2, true)));
    case 'bfloat16': {
      const scratch = new DataView(new ArrayBuffer(4));
      return Float64Array.from({ length: count }, (_, i) => {
        scratch.setUint32(0, view.getUint16(i * 2, true) << 16);
        return scratch.getFloat32(0);
      });
    }
    case 'int64':
      return BigInt64Array.from({ length: count }, (_, i) => view.getBigInt64(i * 8, true));
    case 'int32':
      return BigInt64Array.from({ length: count }, (_, i) => BigInt(view.getInt32(i * 4, true)));
  }
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function isCallOf(node: PickleValue, qualified: string): node is PickleCall {
  return isKind(node, 'call') && `${node.callable.module}.${node.callable.name}` === qualified;
}

/** The items of a dict or an OrderedDict, or undefined for anything else. */
function mapEntries(node: PickleValue): [PickleValue, PickleValue][] | undefined {
  if (isKind(node, 'dict')) return node.entries;
  if (isCallOf(node, TORCH_GLOBALS.orderedDict)) return node.dictItems;
  return undefined;
}

function stringKeyed(entries: [PickleValue, PickleValue][], where: string): [string, PickleValue][] {
  return entries.map(([key, value]) => {
    if (typeof key !== 'string') throw new CheckpointError(`${where} has a key that is not a string`);
    return [key, value];
  });
}

function intOf(node: PickleValue, what: string): number {
  if (!isKind(node, 'int')) throw new CheckpointError(`${what} is not an integer`);
  return node.value;
}

function numberOf(node: PickleValue, what: string): number {
  if (isKind(node, 'int') || isKind(node, 'float')) return node.value;
  throw new CheckpointError(`${what} is not a number`);
}

function intTupleOf(node: PickleValue, what: string): number[] {
  if (!isKind(node, 'tuple')) throw new CheckpointError(`${what} is not a tuple`);
  return node.items.map((item) => intOf(item, what));
}

function adamParamGroup(node: PickleValue): AdamParamGroup {
  const fields = new Map(stringKeyed(mapEntries(node) ?? [], 'the optimizer parameter group'));
  const defaults = defaultAdamParamGroup(1e-3, [0.9, 0.999]);
  const num = (name: string, fallback: number): number => {
    const value = fields.get(name);
    return value === undefined ? fallback : numberOf(value, `param_groups.${name}`);
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const value = fields.get(name);
    return typeof value === 'boolean' ? value : fallback;
  };
  const optionalBool = (name: string): boolean | null => {
    const value = fields.get(name);
    return typeof value === 'boolean' ? value : null;
  };
  const betasNode = fields.get('betas');
  const betas = isKind(betasNode ?? null, 'tuple') || isKind(betasNode ?? null, 'list')
    ? (betasNode as { items: PickleValue[] }).items.map((item) => numberOf(item, 'param_groups.betas'))
    : [...defaults.betas];
  if (betas.length !== 2) throw new CheckpointError('param_groups.betas is not a pair');
  return {
    lr: num('lr', defaults.lr),
    betas: [betas[0] ?? defaults.betas[0], betas[1] ?? defaults.betas[1]],
    eps: num('eps', defaults.eps),
    weightDecay: num('weight_decay', defaults.weightDecay),
    amsgrad: bool('amsgrad', false),
    maximize: bool('maximize', false),
    foreach: optionalBool('foreach'),
    capturable: bool('capturable', false),
    differentiable: bool('differentiable', false),
    fused: optionalBool('fused'),
  };
}

/**
 * Reads a PyTorch zip checkpoint without running any of it: the original's `(model_sd,
 * optim_sd)` tuple, the studio's own, a bare `state_dict`, or a dict holding `model_state_dict`.
 * Refuses files over the size limit, truncated or non-zip files, missing storage records, and
 * pickles that name any global outside {@link ALLOWED_GLOBALS}.
 */
export function readCheckpoint(bytes: Uint8Array, options: ReadCheckpointOptions = {}): ReadCheckpoint {
  const files = unzip(bytes, options.maxBytes ?? DEFAULT_MAX_CHECKPOINT_BYTES);
  const archive = archiveName(files);
  const pickle = files.get(`${archive}/data.pkl`) ?? new Uint8Array();
  let root: PickleValue;
  try {
    root = decodePickle(pickle, { allowedGlobals: ALLOWED_GLOBALS });
  } catch (error) {
    if (error instanceof RangeError) throw new CheckpointError(`the checkpoint's pickle is too large to read (${error.message})`);
    throw new CheckpointError(messageOf(error));
  }
  const reader = new CheckpointInterpreter(files, archive);
  const warnings: string[] = [];
  const optionalAdam = (node: PickleValue | undefined): AdamState | undefined => {
    if (node === undefined) return undefined;
    try {
      return reader.adam(node);
    } catch (error) {
      warnings.push(`optimizer state not read: ${messageOf(error)}`);
      return undefined;
    }
  };

  if (isKind(root, 'tuple')) {
    const [model, optimizer] = root.items;
    if (root.items.length !== 2 || model === undefined) {
      throw new CheckpointError(`the checkpoint holds a ${root.items.length}-tuple; expected (model_state_dict, optimizer_state_dict)`);
    }
    return { model: reader.stateDict(model, 'the first item of the checkpoint tuple'), optimizer: optionalAdam(optimizer), format: 'tuple', warnings };
  }
  const entries = mapEntries(root);
  if (!entries) throw new CheckpointError('the checkpoint holds neither a state dict nor a (model, optimizer) tuple');
  if (entries.every(([, value]) => reader.isTensor(value))) {
    return { model: reader.stateDict(root, 'the checkpoint'), format: 'state_dict', warnings };
  }
  const named = new Map(entries.filter((entry): entry is [string, PickleValue] => typeof entry[0] === 'string'));
  const modelKey = MODEL_KEYS.find((key) => named.has(key));
  if (modelKey === undefined) {
    throw new CheckpointError(`the checkpoint dict has none of ${MODEL_KEYS.join(', ')} and is not itself a state dict`);
  }
  const optimizerKey = OPTIMIZER_KEYS.find((key) => named.has(key));
  return {
    model: reader.stateDict(named.get(modelKey) ?? null, `the checkpoint's ${modelKey}`),
    optimizer: optimizerKey === undefined ? undefined : optionalAdam(named.get(optimizerKey)),
    format: 'dict',
    warnings,
  };
}
