import { zipSync } from 'fflate';
import { encodePickle } from './pickleWriter';
import { call, dict, float, global, int, list, orderedDict, persistentId, tuple, type PickleValue } from './pickleValue';
import {
  moduleVersions,
  parameterTensors,
  type AdamParamGroup,
  type AdamState,
} from './stateDict';
import { TORCH_GLOBALS } from './torchPickle';
import { shapeSize } from '../model/spec';
import type { TorchTensor } from '../model/stateDict';

/** What `torch.save((model.state_dict(), optimizer.state_dict()), path)` saved in the original. */
export interface CheckpointContents {
  model: readonly TorchTensor[];
  optimizer: AdamState;
}

interface Storage {
  key: string;
  bytes: Uint8Array;
}

/** Builds pickle nodes for tensors, numbering their storages in the order torch would. */
class TensorPickler {
  readonly storages: Storage[] = [];

  tensor(shape: readonly number[], data: Float32Array | BigInt64Array): PickleValue {
    const key = String(this.storages.length);
    this.storages.push({ key, bytes: littleEndianBytes(data) });
    const storageType = data instanceof Float32Array ? 'FloatStorage' : 'LongStorage';
    const storage = persistentId(tuple('storage', global('torch', storageType), key, 'cpu', int(data.length)));
    const strides = shape.map((_, axis) => shapeSize(shape.slice(axis + 1)));
    const [module, name] = splitName(TORCH_GLOBALS.rebuildTensor);
    return call(
      global(module, name),
      tuple(storage, int(0), tuple(...shape.map(int)), tuple(...strides.map(int)), false, orderedDict([])),
    );
  }
}

function splitName(qualified: string): [string, string] {
  const dot = qualified.lastIndexOf('.');
  return [qualified.slice(0, dot), qualified.slice(dot + 1)];
}

/** The raw little-endian bytes torch keeps in a storage record. */
function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  if (data instanceof Float32Array) data.forEach((value, i) => view.setFloat32(i * 4, value, true));
  else data.forEach((value, i) => view.setBigInt64(i * 8, value, true));
  return bytes;
}

function modelStateDict(entries: readonly TorchTensor[], tensors: TensorPickler): PickleValue {
  for (const entry of entries) {
    if (shapeSize(entry.shape) !== entry.data.length) {
      throw new Error(`${entry.key}: shape [${entry.shape.join(', ')}] does not match its ${entry.data.length} values`);
    }
  }
  const items: [PickleValue, PickleValue][] = entries.map((entry) => [entry.key, tensors.tensor(entry.shape, entry.data)]);
  const versions = moduleVersions(entries.map((entry) => entry.key)).map(
    ([prefix, version]): [PickleValue, PickleValue] => [prefix, dict([['version', int(version)]])],
  );
  return orderedDict(items, dict([['_metadata', orderedDict(versions)]]));
}

function paramGroupDict(group: AdamParamGroup, parameterCount: number): PickleValue {
  return dict([
    ['lr', float(group.lr)],
    ['betas', tuple(float(group.betas[0]), float(group.betas[1]))],
    ['eps', float(group.eps)],
    // An integral weight decay stays a Python int, as Adam's default `weight_decay=0` is.
    ['weight_decay', Number.isInteger(group.weightDecay) ? int(group.weightDecay) : float(group.weightDecay)],
    ['amsgrad', group.amsgrad],
    ['maximize', group.maximize],
    ['foreach', group.foreach],
    ['capturable', group.capturable],
    ['differentiable', group.differentiable],
    ['fused', group.fused],
    ['params', list(Array.from({ length: parameterCount }, (_, i) => int(i)))],
  ]);
}

function optimizerStateDict(optimizer: AdamState, parameters: readonly TorchTensor[], tensors: TensorPickler): PickleValue {
  const state: [PickleValue, PickleValue][] = optimizer.state.map((moments) => {
    const parameter = parameters[moments.index];
    if (!parameter) throw new Error(`Adam state for parameter ${moments.index}, but the model has ${parameters.length}`);
    const count = parameter.data.length;
    const checked = (name: string, values: Float32Array): PickleValue => {
      if (values.length !== count) throw new Error(`Adam ${name} of ${parameter.key} has ${values.length} values, not ${count}`);
      return tensors.tensor(parameter.shape, values);
    };
    const entries: [PickleValue, PickleValue][] = [
      ['step', tensors.tensor([], new Float32Array([moments.step]))],
      ['exp_avg', checked('exp_avg', moments.expAvg)],
      ['exp_avg_sq', checked('exp_avg_sq', moments.expAvgSq)],
    ];
    if (moments.maxExpAvgSq) entries.push(['max_exp_avg_sq', checked('max_exp_avg_sq', moments.maxExpAvgSq)]);
    return [int(moments.index), dict(entries)];
  });
  return dict([
    ['state', dict(state)],
    ['param_groups', list([paramGroupDict(optimizer.paramGroup, parameters.length)])],
  ]);
}

/**
 * Writes the PyTorch checkpoint `torch.save((model_sd, optim_sd), path)` would write: a zip with
 * `<name>/data.pkl` (pickle protocol 2, allow-listed globals only), one `<name>/data/<i>`
 * little-endian storage per tensor, `<name>/version` and `<name>/byteorder`.
 */
export function writeCheckpoint(contents: CheckpointContents, name = 'checkpoint'): Uint8Array<ArrayBuffer> {
  const tensors = new TensorPickler();
  const model = modelStateDict(contents.model, tensors);
  const optimizer = optimizerStateDict(contents.optimizer, parameterTensors(contents.model), tensors);
  const files: Record<string, Uint8Array> = { [`${name}/data.pkl`]: encodePickle(tuple(model, optimizer)) };
  for (const storage of tensors.storages) files[`${name}/data/${storage.key}`] = storage.bytes;
  files[`${name}/version`] = new TextEncoder().encode('3\n');
  files[`${name}/byteorder`] = new TextEncoder().encode('little');
  return zipSync(files, { level: 0 });
}
