import { ENTRY_LAYOUT, shapeSize, type ModelSpec, type StateEntry } from './spec';

/** One `state_dict` tensor in PyTorch's layout (OIHW convolutions, [out, in] Linear weights), row-major (contiguous). */
export type TorchTensor =
  | { key: string; shape: number[]; dtype: 'float32'; data: Float32Array }
  | { key: string; shape: number[]; dtype: 'int64'; data: BigInt64Array };

/** Element types a `state_dict` tensor may hold in the studio. */
export type TensorDtype = TorchTensor['dtype'];

/** A model's `state_dict`, in PyTorch's order. */
export type TorchStateDict = TorchTensor[];

/** Rearranges one entry's values from PyTorch's layout to tfjs's (OIHW -> HWIO, [out,in] -> [in,out]). */
export function torchToTfLayout(entry: StateEntry, data: Float32Array): Float32Array {
  return permuteLayout(entry, data, true);
}

/** Rearranges one entry's values from tfjs's layout to PyTorch's. */
export function tfToTorchLayout(entry: StateEntry, data: Float32Array): Float32Array {
  return permuteLayout(entry, data, false);
}

function permuteLayout(entry: StateEntry, data: Float32Array, toTf: boolean): Float32Array {
  if (entry.layout !== ENTRY_LAYOUT.convWeight && entry.layout !== ENTRY_LAYOUT.linearWeight) return data.slice();
  return rearrangeWeight(entry.torchShape, data, toTf);
}

/**
 * Moves a weight's values between PyTorch's OIHW (a Linear's [out, in] as O x I x 1 x 1) and
 * tfjs's HWIO ([in, out]); `torchShape` is PyTorch's shape either way.
 */
export function rearrangeWeight(torchShape: readonly number[], data: Float32Array, toTf: boolean): Float32Array {
  const [o = 1, i = 1, h = 1, w = 1] = torchShape;
  const out = new Float32Array(data.length);
  for (let oo = 0; oo < o; oo++) {
    for (let ii = 0; ii < i; ii++) {
      for (let hh = 0; hh < h; hh++) {
        for (let ww = 0; ww < w; ww++) {
          const torchIndex = ((oo * i + ii) * h + hh) * w + ww;
          const tfIndex = ((hh * w + ww) * i + ii) * o + oo;
          if (toTf) out[tfIndex] = data[torchIndex] ?? 0;
          else out[torchIndex] = data[tfIndex] ?? 0;
        }
      }
    }
  }
  return out;
}

/** The element type a `state_dict` entry holds: int64 for `num_batches_tracked`, float32 for the rest. */
export function entryDtype(entry: StateEntry): TensorDtype {
  return entry.layout === ENTRY_LAYOUT.batchesTracked ? 'int64' : 'float32';
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Checks that a state dict has exactly the spec's keys, shapes and dtypes (PyTorch's strict load);
 * throws naming the first unexpected, missing or wrong key, and `model` (e.g. "Classifier(f1=8, f2=6)").
 */
export function checkStateDict(spec: ModelSpec, state: readonly TorchTensor[], model = 'the model'): Map<string, TorchTensor> {
  const byKey = new Map(state.map((t) => [t.key, t]));
  const expected = new Set(spec.entries.map((e) => e.key));
  const unexpected = state.find((t) => !expected.has(t.key));
  if (unexpected) throw new Error(`unexpected key ${unexpected.key} for ${model}`);
  for (const entry of spec.entries) {
    const t = byKey.get(entry.key);
    if (!t) throw new Error(`missing key ${entry.key} for ${model}`);
    if (shapeText(t.shape) !== shapeText(entry.torchShape) || t.data.length !== shapeSize(entry.torchShape)) {
      throw new Error(`${entry.key} has shape ${shapeText(t.shape)}; ${model} needs ${shapeText(entry.torchShape)}`);
    }
    const dtype = entryDtype(entry);
    if (t.dtype !== dtype) throw new Error(`${entry.key} is ${t.dtype}; ${model} needs ${dtype}`);
  }
  return byKey;
}

/**
 * A state dict with the spec's keys and shapes, in order: each float element is `value(entry, i)`
 * (i counting within the entry), and every `num_batches_tracked` is `batchesTracked`.
 */
export function filledStateDict(spec: ModelSpec, value: (entry: StateEntry, i: number) => number, batchesTracked = 0): TorchStateDict {
  return spec.entries.map((entry): TorchTensor => {
    const shape = [...entry.torchShape];
    if (entryDtype(entry) === 'int64') return { key: entry.key, shape, dtype: 'int64', data: BigInt64Array.of(BigInt(batchesTracked)) };
    return { key: entry.key, shape, dtype: 'float32', data: Float32Array.from({ length: shapeSize(shape) }, (_, i) => value(entry, i)) };
  });
}

/**
 * A model's values in the studio's own layout: every parameter in one flat Float32Array (tfjs
 * layout, `model.parameters()` order), the BatchNorm buffers concatenated in layer order, and the
 * shared `num_batches_tracked`.
 */
export interface NetworkValues {
  params: Float32Array;
  runningMeans: Float32Array;
  runningVars: Float32Array;
  batchesTracked: number;
}

/** Converts the studio's values to an ordered PyTorch `state_dict`. */
export function toTorchStateDict(spec: ModelSpec, values: NetworkValues): TorchStateDict {
  const out: TorchStateDict = [];
  let param = 0;
  let buffer = 0;
  for (const entry of spec.entries) {
    const size = shapeSize(entry.torchShape);
    const shape = [...entry.torchShape];
    if (entry.trainable) {
      out.push({ key: entry.key, shape, dtype: 'float32', data: tfToTorchLayout(entry, values.params.subarray(param, param + size)) });
      param += size;
    } else if (entry.layout === ENTRY_LAYOUT.runningMean) {
      out.push({ key: entry.key, shape, dtype: 'float32', data: values.runningMeans.slice(buffer, buffer + size) });
    } else if (entry.layout === ENTRY_LAYOUT.runningVar) {
      out.push({ key: entry.key, shape, dtype: 'float32', data: values.runningVars.slice(buffer, buffer + size) });
      buffer += size;
    } else {
      out.push({ key: entry.key, shape, dtype: 'int64', data: BigInt64Array.of(BigInt(values.batchesTracked)) });
    }
  }
  return out;
}

/** Converts a PyTorch `state_dict` (checked strictly against the spec) to the studio's values. */
export function fromTorchStateDict(spec: ModelSpec, state: readonly TorchTensor[]): NetworkValues {
  const byKey = checkStateDict(spec, state);
  const params: Float32Array[] = [];
  const means: Float32Array[] = [];
  const vars: Float32Array[] = [];
  let batchesTracked = 0;
  for (const entry of spec.entries) {
    const t = byKey.get(entry.key);
    if (!t) continue;
    if (t.dtype === 'int64') {
      batchesTracked = Number(t.data[0] ?? 0n);
    } else if (entry.trainable) {
      params.push(torchToTfLayout(entry, t.data));
    } else if (entry.layout === ENTRY_LAYOUT.runningMean) {
      means.push(t.data);
    } else {
      vars.push(t.data);
    }
  }
  return {
    params: concat(params),
    runningMeans: concat(means),
    runningVars: concat(vars),
    batchesTracked,
  };
}

/** Splits a flat per-parameter array (parameters, or Adam's moments) into PyTorch-layout tensors. */
export function splitParameters(spec: ModelSpec, flat: Float32Array): { key: string; shape: number[]; data: Float32Array }[] {
  let offset = 0;
  return spec.entries
    .filter((e) => e.trainable)
    .map((entry) => {
      const size = shapeSize(entry.torchShape);
      const data = tfToTorchLayout(entry, flat.subarray(offset, offset + size));
      offset += size;
      return { key: entry.key, shape: [...entry.torchShape], data };
    });
}

/** Joins PyTorch-layout per-parameter arrays (in `model.parameters()` order) into one flat array. */
export function joinParameters(spec: ModelSpec, tensors: readonly Float32Array[]): Float32Array {
  const entries = spec.entries.filter((e) => e.trainable);
  if (tensors.length !== entries.length) throw new Error(`expected ${entries.length} parameter tensors, got ${tensors.length}`);
  return concat(entries.map((entry, i) => torchToTfLayout(entry, tensors[i] ?? new Float32Array())));
}

/** Concatenates Float32Arrays. */
export function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
