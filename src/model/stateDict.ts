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

/** Checks that a state dict has exactly the spec's keys, shapes and dtypes (PyTorch's strict load). */
export function checkStateDict(spec: ModelSpec, state: readonly TorchTensor[]): Map<string, TorchTensor> {
  const byKey = new Map(state.map((t) => [t.key, t]));
  const expected = new Set(spec.entries.map((e) => e.key));
  const unexpected = state.map((t) => t.key).filter((k) => !expected.has(k));
  const missing = spec.entries.map((e) => e.key).filter((k) => !byKey.has(k));
  if (missing.length || unexpected.length) {
    throw new Error(`state_dict does not match the model: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`);
  }
  for (const entry of spec.entries) {
    const t = byKey.get(entry.key);
    if (!t) continue;
    const dtype = entry.layout === ENTRY_LAYOUT.batchesTracked ? 'int64' : 'float32';
    if (t.dtype !== dtype) throw new Error(`${entry.key}: dtype ${t.dtype}, expected ${dtype}`);
    if (t.shape.join(',') !== entry.torchShape.join(',') || t.data.length !== shapeSize(entry.torchShape)) {
      throw new Error(`${entry.key}: shape [${t.shape.join(', ')}], expected [${entry.torchShape.join(', ')}]`);
    }
  }
  return byKey;
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
