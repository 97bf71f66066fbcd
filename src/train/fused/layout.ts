/**
 * Where every value of the fused WebGPU training step lives: parameter offsets in the flat
 * parameter buffer (tfjs layout, `model.parameters()` order), per-image activation and gradient
 * offsets, and the small statistics buffer. Pure arithmetic over the Classifier's shape, so the
 * kernels and the host read one table.
 */
import { bottlenecks, type BottleneckShape } from '../../model/classifier';
import { classifier } from '../../model/classifier';
import { parameterEntries, shapeSize } from '../../model/spec';

/** One image's tensor inside an arena (NHWC, the image's own slice): offset and shape. */
export interface ImageTensor {
  base: number;
  h: number;
  w: number;
  c: number;
}

/** A layer's weight and bias offsets in the flat parameter buffer. */
export interface LayerParams {
  weight: number;
  bias: number;
}

/** Offsets of one BatchNorm's values in the statistics buffer (per channel unless said). */
export interface BatchNormSlots {
  channels: number;
  /** Offset in an image's record of its per-channel mean and M2 pairs: [channel][2]. */
  perImage: number;
  mean: number;
  invStd: number;
  scale: number;
  shift: number;
  /** Backward: gamma * invStd, mean of dy, mean of dy * xhat. */
  coef: number;
  meanDy: number;
  meanDyXhat: number;
}

/** One Bottleneck with its tensors: input x, expansion e, depthwise d, output y, and their gradients. */
export interface FusedBlock {
  shape: BottleneckShape;
  hidden: number;
  skip: boolean;
  x: ImageTensor;
  e: ImageTensor;
  d: ImageTensor;
  y: ImageTensor;
  /** Gradients of the loss with respect to y, d (after the relu6 mask), BN's output, and e's pre-activation. */
  gradY: ImageTensor;
  gradD: ImageTensor;
  gradU: ImageTensor;
  gradE: ImageTensor;
  expansion: LayerParams;
  depthwise: LayerParams;
  projection: LayerParams;
  /** BatchNorm weight (gamma) and bias (beta). */
  bn: LayerParams;
  stats: BatchNormSlots;
}

export interface FusedLayout {
  f1: number;
  f2: number;
  /** Largest batch the buffers hold. */
  capacity: number;
  /** Most workgroups per pass: images beyond it share a workgroup's weight-gradient slot. */
  maxGroups: number;
  /** Trainable parameters (length of the flat parameter buffer). */
  params: number;
  actPerImage: number;
  gradPerImage: number;
  statsSize: number;
  /**
   * Per-image records (every BatchNorm's mean and M2 pairs, then the image's loss) start at
   * `imageRecords`, `imageRecord` floats apart; nothing before them depends on the batch size,
   * so the kernels' code is the same for every batch size.
   */
  imageRecords: number;
  imageRecord: number;
  /** Offset of the image's loss in its record. */
  loss: number;
  /** The last batch's mean loss. */
  lastLoss: number;
  cl1: LayerParams;
  a0: ImageTensor;
  gradA0: ImageTensor;
  blocks: FusedBlock[];
  fc: LayerParams;
  logits: ImageTensor;
  gradLogits: ImageTensor;
}

/** Workgroups that hold their own weight-gradient slot, at most (the slots total maxGroups x params floats). */
export const MAX_GROUPS = 1024;

/** Output side of a 3x3 convolution with padding 1. */
const convOut = (side: number, stride: number): number => Math.floor((side + 2 - 3) / stride) + 1;

class Arena {
  size = 0;
  take(h: number, w: number, c: number): ImageTensor {
    const t = { base: this.size, h, w, c };
    this.size += h * w * c;
    return t;
  }
}

/** The layout for Classifier(f1, f2) trained at batches of up to `capacity` images. */
export function fusedLayout(f1: number, f2: number, capacity: number): FusedLayout {
  const spec = classifier.spec({ f1, f2 });
  const offsets = new Map<string, number>();
  let params = 0;
  for (const entry of parameterEntries(spec)) {
    offsets.set(entry.key, params);
    params += shapeSize(entry.torchShape);
  }
  const at = (key: string): number => {
    const offset = offsets.get(key);
    if (offset === undefined) throw new Error(`Classifier has no parameter '${key}'`);
    return offset;
  };
  const layer = (prefix: string): LayerParams => ({ weight: at(`${prefix}.weight`), bias: at(`${prefix}.bias`) });

  const act = new Arena();
  const grad = new Arena();
  let stats = 0;
  let record = 0;
  const slots = (channels: number): BatchNormSlots => {
    const take = (n: number): number => {
      const base = stats;
      stats += n;
      return base;
    };
    const perImage = record;
    record += channels * 2;
    return {
      channels,
      perImage,
      mean: take(channels),
      invStd: take(channels),
      scale: take(channels),
      shift: take(channels),
      coef: take(channels),
      meanDy: take(channels),
      meanDyXhat: take(channels),
    };
  };

  const stem = Math.floor((28 - 3) / 2) + 1;
  const a0 = act.take(stem, stem, f1);
  const gradA0 = grad.take(stem, stem, f1);
  let x = a0;
  const blocks: FusedBlock[] = [];
  for (const shape of bottlenecks(f1, f2)) {
    const hidden = shape.cin * shape.expansion;
    const side = convOut(x.h, shape.stride);
    const e = act.take(x.h, x.w, hidden);
    const d = act.take(side, side, hidden);
    const y = act.take(side, side, shape.cout);
    blocks.push({
      shape,
      hidden,
      skip: shape.cin === shape.cout && shape.stride === 1,
      x,
      e,
      d,
      y,
      gradY: grad.take(side, side, shape.cout),
      gradD: grad.take(side, side, hidden),
      gradU: grad.take(x.h, x.w, hidden),
      gradE: grad.take(x.h, x.w, hidden),
      expansion: layer(`${shape.name}.ExpansionLayer`),
      depthwise: layer(`${shape.name}.Depthwise`),
      projection: layer(`${shape.name}.Projection`),
      bn: layer(`${shape.name}.BN1`),
      stats: slots(hidden),
    });
    x = y;
  }
  if (x.h * x.w * x.c !== 12) throw new Error(`the last Bottleneck gives ${x.h}x${x.w}x${x.c} values, fc takes 12`);
  const logits = act.take(1, 1, 10);
  const gradLogits = grad.take(1, 1, 10);
  const loss = record;
  record += 1;
  const lastLoss = stats;
  stats += 1;
  const imageRecords = stats;
  stats += capacity * record;
  return {
    f1,
    f2,
    capacity,
    maxGroups: Math.min(capacity, MAX_GROUPS),
    params,
    actPerImage: act.size,
    gradPerImage: grad.size,
    statsSize: stats,
    imageRecords,
    imageRecord: record,
    loss,
    lastLoss,
    cl1: layer('CL1'),
    a0,
    gradA0,
    blocks,
    fc: layer('fc'),
    logits,
    gradLogits,
  };
}
