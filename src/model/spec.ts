/**
 * A model's state, described without tensors: every PyTorch `state_dict` entry in PyTorch's order,
 * its shape, and how it is initialised. Parameter counts and the search-space editor read this
 * directly; the tfjs network and the checkpoint formats are built from it.
 */

/** How an entry is laid out, which decides its tfjs layout and its default initialisation. */
export const ENTRY_LAYOUT = {
  /** Conv2d weight: OIHW in PyTorch, HWIO in tfjs. */
  convWeight: 'convWeight',
  /** Linear weight: [out, in] in PyTorch, [in, out] in tfjs. */
  linearWeight: 'linearWeight',
  /** Conv2d or Linear bias, uniform in ±1/sqrt(fan_in). */
  bias: 'bias',
  /** BatchNorm weight (1) and bias (0). */
  bnWeight: 'bnWeight',
  bnBias: 'bnBias',
  /** BatchNorm buffers: running_mean (0), running_var (1), num_batches_tracked (int64 0). */
  runningMean: 'runningMean',
  runningVar: 'runningVar',
  batchesTracked: 'batchesTracked',
} as const;
export type EntryLayout = (typeof ENTRY_LAYOUT)[keyof typeof ENTRY_LAYOUT];

/** One `state_dict` entry. */
export interface StateEntry {
  key: string;
  layout: EntryLayout;
  /** Shape in PyTorch's layout. */
  torchShape: readonly number[];
  /** Trainable (listed by `model.parameters()`) or a buffer. */
  trainable: boolean;
  /** Fan-in for the ±1/sqrt(fan_in) uniform initialisation (weights and biases only). */
  fanIn: number;
}

/** A BatchNorm2d layer: its `state_dict` prefix and channel count. */
export interface BatchNormSpec {
  prefix: string;
  channels: number;
}

/** The tensor-free description of one model instance. */
export interface ModelSpec {
  /** Every `state_dict` entry, in `state_dict` order. */
  entries: readonly StateEntry[];
  /** Input shape of one sample in tfjs layout (H, W, C). */
  inputShape: readonly [number, number, number];
  classes: number;
}

/** Number of elements in a shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The shape an entry has in tfjs (HWIO convolutions, [in, out] dense weights). */
export function tfShape(entry: StateEntry): number[] {
  const s = entry.torchShape;
  if (entry.layout === ENTRY_LAYOUT.convWeight) return [s[2] ?? 1, s[3] ?? 1, s[1] ?? 1, s[0] ?? 1];
  if (entry.layout === ENTRY_LAYOUT.linearWeight) return [s[1] ?? 1, s[0] ?? 1];
  return [...s];
}

/** The trainable entries, in `model.parameters()` order. */
export function parameterEntries(spec: ModelSpec): StateEntry[] {
  return spec.entries.filter((e) => e.trainable);
}

/** The BatchNorm layers, in `state_dict` order. */
export function batchNormLayers(spec: ModelSpec): BatchNormSpec[] {
  return spec.entries
    .filter((e) => e.layout === ENTRY_LAYOUT.runningMean)
    .map((e) => ({ prefix: e.key.slice(0, -'.running_mean'.length), channels: e.torchShape[0] ?? 0 }));
}

/** Total trainable parameters (PyTorch's `sum(p.numel() for p in model.parameters())`). */
export function countParameters(spec: ModelSpec): number {
  return parameterEntries(spec).reduce((n, e) => n + shapeSize(e.torchShape), 0);
}

/** Collects `state_dict` entries in registration order, as PyTorch modules register them. */
export class SpecBuilder {
  readonly entries: StateEntry[] = [];

  /** Conv2d(cin, cout, k), with a bias unless `bias` is false (PyTorch's `bias=False`). */
  conv2d(prefix: string, cin: number, cout: number, kernel: number, bias = true): this {
    const fanIn = cin * kernel * kernel;
    this.entries.push({ key: `${prefix}.weight`, layout: ENTRY_LAYOUT.convWeight, torchShape: [cout, cin, kernel, kernel], trainable: true, fanIn });
    if (bias) this.entries.push({ key: `${prefix}.bias`, layout: ENTRY_LAYOUT.bias, torchShape: [cout], trainable: true, fanIn });
    return this;
  }

  /** BatchNorm2d(channels): weight, bias, then its three buffers. */
  batchNorm2d(prefix: string, channels: number): this {
    this.entries.push(
      { key: `${prefix}.weight`, layout: ENTRY_LAYOUT.bnWeight, torchShape: [channels], trainable: true, fanIn: 0 },
      { key: `${prefix}.bias`, layout: ENTRY_LAYOUT.bnBias, torchShape: [channels], trainable: true, fanIn: 0 },
      { key: `${prefix}.running_mean`, layout: ENTRY_LAYOUT.runningMean, torchShape: [channels], trainable: false, fanIn: 0 },
      { key: `${prefix}.running_var`, layout: ENTRY_LAYOUT.runningVar, torchShape: [channels], trainable: false, fanIn: 0 },
      { key: `${prefix}.num_batches_tracked`, layout: ENTRY_LAYOUT.batchesTracked, torchShape: [], trainable: false, fanIn: 0 },
    );
    return this;
  }

  /** Linear(in, out) with bias. */
  linear(prefix: string, inFeatures: number, outFeatures: number): this {
    this.entries.push(
      { key: `${prefix}.weight`, layout: ENTRY_LAYOUT.linearWeight, torchShape: [outFeatures, inFeatures], trainable: true, fanIn: inFeatures },
      { key: `${prefix}.bias`, layout: ENTRY_LAYOUT.bias, torchShape: [outFeatures], trainable: true, fanIn: inFeatures },
    );
    return this;
  }
}
