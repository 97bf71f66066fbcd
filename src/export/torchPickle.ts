/** The names torch's checkpoints refer to, and the only globals the reader lets a pickle name. */

export const TORCH_GLOBALS = {
  orderedDict: 'collections.OrderedDict',
  rebuildTensor: 'torch._utils._rebuild_tensor_v2',
  rebuildParameter: 'torch._utils._rebuild_parameter',
} as const;

/** Storage classes, the element type each holds, and its size in bytes. */
export const STORAGE_TYPES = {
  'torch.FloatStorage': { dtype: 'float32', bytes: 4 },
  'torch.DoubleStorage': { dtype: 'float64', bytes: 8 },
  'torch.HalfStorage': { dtype: 'float16', bytes: 2 },
  'torch.BFloat16Storage': { dtype: 'bfloat16', bytes: 2 },
  'torch.LongStorage': { dtype: 'int64', bytes: 8 },
  'torch.IntStorage': { dtype: 'int32', bytes: 4 },
} as const;

export type StorageTypeName = keyof typeof STORAGE_TYPES;

/**
 * What a checkpoint's pickle may name: what `torch.load(weights_only=True)` allows for state
 * dicts of float and integer tensors. Every other global (os.system, builtins.eval, ...) is
 * refused by the reader.
 */
export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set<string>([
  ...Object.values(TORCH_GLOBALS),
  ...Object.keys(STORAGE_TYPES),
]);
