/**
 * Adam's optimizer state in the plain, framework-free form the checkpoint writer consumes and the
 * checkpoint reader produces, beside the `state_dict` helpers they share. A `state_dict` entry is
 * `TorchTensor` (src/model/stateDict.ts): keys, shapes and order are PyTorch's (OIHW convolution
 * weights, `[out, in]` Linear weights).
 */
import type { TorchTensor } from '../model/stateDict';

/** Adam's per-parameter moments; `index` is the parameter's position in `model.parameters()`. */
export interface AdamParamState {
  index: number;
  step: number;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
  /** Present only when `amsgrad` is on. */
  maxExpAvgSq?: Float32Array;
}

/** The hyperparameters of Adam's single parameter group, named as in PyTorch (camelCase here). */
export interface AdamParamGroup {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  foreach: boolean | null;
  capturable: boolean;
  differentiable: boolean;
  fused: boolean | null;
}

/** Adam's `state_dict()`: moments per parameter (absent before the first step) and one group. */
export interface AdamState {
  state: AdamParamState[];
  paramGroup: AdamParamGroup;
}

/** Adam's PyTorch defaults with the given learning rate and betas. */
export function defaultAdamParamGroup(lr: number, betas: readonly [number, number]): AdamParamGroup {
  return {
    lr,
    betas,
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
    maximize: false,
    foreach: null,
    capturable: false,
    differentiable: false,
    fused: null,
  };
}

const BUFFER_NAMES = new Set(['running_mean', 'running_var', 'num_batches_tracked']);

/** Whether a key names a buffer (BatchNorm statistics) rather than a trainable parameter. */
export function isBufferKey(key: string): boolean {
  return BUFFER_NAMES.has(key.slice(key.lastIndexOf('.') + 1));
}

/**
 * A read or written state dict's trainable tensors in `model.parameters()` order (state_dict order
 * minus buffers), told by their key names (the file's model has no spec here; see `parameterEntries`
 * in src/model/spec.ts for a known architecture's).
 */
export function parameterTensors(entries: readonly TorchTensor[]): TorchTensor[] {
  return entries.filter((entry) => !isBufferKey(entry.key));
}

/**
 * The `_metadata` PyTorch attaches to a module's state_dict: every module prefix (ancestors
 * first, `''` for the root) with its version, 2 for BatchNorm (it owns `num_batches_tracked`)
 * and 1 for the rest. `load_state_dict` reads BatchNorm's version to decide how to treat
 * `num_batches_tracked`.
 */
export function moduleVersions(keys: readonly string[]): [string, number][] {
  const versions = new Map<string, number>([['', 1]]);
  for (const key of keys) {
    const parts = key.split('.');
    for (let depth = 1; depth < parts.length; depth++) {
      const prefix = parts.slice(0, depth).join('.');
      if (!versions.has(prefix)) versions.set(prefix, 1);
    }
    if (key.endsWith('.num_batches_tracked')) versions.set(parts.slice(0, -1).join('.'), 2);
  }
  return [...versions];
}
