/**
 * The fused CPU step's plan: where every parameter, activation, gradient and statistic of
 * Classifier(f1, f2) lives in the wasm memory, as the i32 table the kernels read (planSlots.ts).
 * Parameter offsets come from the model's spec; channels are padded to multiples of 4 for SIMD.
 */
import { bottlenecks, classifier } from '../../model/classifier';
import { batchNormLayers, ENTRY_LAYOUT, parameterEntries, shapeSize, tfShape, type StateEntry } from '../../model/spec';
import * as S from './planSlots';

/** Channels rounded up to whole f32x4 vectors. */
const padded4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Output side of a convolution. */
const convOut = (side: number, kernel: number, stride: number, pad: number): number => Math.floor((side + 2 * pad - kernel) / stride) + 1;

/** A convolution as the kernels see it (offsets in floats into the padded and transposed regions). */
export interface ConvPlan {
  kernel: number;
  stride: number;
  pad: number;
  cin: number;
  cout: number;
  h: number;
  w: number;
  ho: number;
  wo: number;
  weight: number;
  bias: number;
  transposed: number;
}

/** A BatchNorm: its channels, extent, parameter offsets (padded region) and statistics offsets. */
export interface BatchNormPlan {
  channels: number;
  hw: number;
  gamma: number;
  beta: number;
  running: number;
  stats: number;
  record: number;
}

/** A Bottleneck: its tensors (float offsets in an image's arenas), convolutions and BatchNorm. */
export interface BlockPlan {
  name: string;
  skip: boolean;
  x: number;
  e: number;
  u: number;
  d: number;
  y: number;
  gradY: number;
  gradD: number;
  gradU: number;
  gradE: number;
  gradX: number;
  maskX: number;
  expansion: ConvPlan;
  depthwise: ConvPlan;
  projection: ConvPlan;
  batchNorm: BatchNormPlan;
}

/** Everything of the plan that does not depend on where the memory regions go. */
export interface StepPlan {
  params: number;
  channels: number;
  /** Floats of the padded parameter region (and of one gradient slot, which has its layout). */
  paddedSize: number;
  transposedSize: number;
  /** For each flat parameter (tfjs layout), its offset in the padded region, and in the transposed one (-1: none). */
  map: Int32Array;
  mapT: Int32Array;
  actPerImage: number;
  gradPerImage: number;
  /** Floats of one thread's scratch of gradients that never cross a barrier. */
  scratchPerThread: number;
  recordPerImage: number;
  statsPerThread: number;
  input: number;
  a0: number;
  gradA0: number;
  logits: number;
  gradLogits: number;
  imageLoss: number;
  stem: ConvPlan;
  blocks: BlockPlan[];
  fc: { in: number; out: number; weight: number; bias: number };
}

class Bump {
  size = 0;
  take(n: number): number {
    const at = this.size;
    this.size += padded4(n);
    return at;
  }
}

/** The plan of Classifier(f1, f2). */
export function stepPlan(f1: number, f2: number): StepPlan {
  const spec = classifier.spec({ f1, f2 });
  const entries = parameterEntries(spec);
  const params = entries.reduce((n, e) => n + shapeSize(e.torchShape), 0);
  const map = new Int32Array(params);
  const mapT = new Int32Array(params).fill(-1);
  const pad = new Bump();
  const tr = new Bump();
  const placed = new Map<string, { entry: StateEntry; offset: number; transposed: number }>();
  let flat = 0;
  for (const entry of entries) {
    const shape = tfShape(entry);
    const size = shapeSize(shape);
    let offset: number;
    let transposed = -1;
    if (entry.layout === ENTRY_LAYOUT.convWeight) {
      // tfjs HWIO [kh, kw, cin, cout] -> padded [kh][kw][cin][coutP] and transposed [kh][kw][cout][cinP].
      const [kh = 1, kw = 1, cin = 1, cout = 1] = shape;
      offset = pad.take(kh * kw * cin * padded4(cout));
      transposed = tr.take(kh * kw * cout * padded4(cin));
      for (let k = 0; k < kh * kw; k++) {
        for (let ci = 0; ci < cin; ci++) {
          for (let co = 0; co < cout; co++) {
            const j = flat + (k * cin + ci) * cout + co;
            map[j] = offset + (k * cin + ci) * padded4(cout) + co;
            mapT[j] = transposed + (k * cout + co) * padded4(cin) + ci;
          }
        }
      }
    } else {
      // Biases, BatchNorm weights and fc's [in, out] keep their layout, padded at the end.
      offset = pad.take(size);
      for (let i = 0; i < size; i++) map[flat + i] = offset + i;
    }
    placed.set(entry.key, { entry, offset, transposed });
    flat += size;
  }
  const at = (key: string): { entry: StateEntry; offset: number; transposed: number } => {
    const p = placed.get(key);
    if (!p) throw new Error(`Classifier has no parameter '${key}'`);
    return p;
  };

  const act = new Bump();
  // Gradients that cross a barrier (BatchNorm's output gradient, a skip block's output gradient)
  // are kept per image; the others live in a per-thread scratch while their image is in cache.
  const grad = new Bump();
  const scratchBump = new Bump();
  const scratch = (n: number): number => S.SCRATCH_FLAG + scratchBump.take(n);
  const record = new Bump();
  const stats = new Bump();
  const conv = (prefix: string, h: number, w: number, stride: number, padding: number): ConvPlan => {
    const weight = at(`${prefix}.weight`);
    const [kernel = 1, , cin = 1, cout = 1] = tfShape(weight.entry);
    return {
      kernel,
      stride,
      pad: padding,
      cin,
      cout,
      h,
      w,
      ho: convOut(h, kernel, stride, padding),
      wo: convOut(w, kernel, stride, padding),
      weight: weight.offset,
      bias: at(`${prefix}.bias`).offset,
      transposed: weight.transposed,
    };
  };
  const [side = 28, , channels = 1] = spec.inputShape;
  const input = act.take(side * side * channels);
  const stem = conv('CL1', side, side, 2, 0);
  const a0 = act.take(stem.ho * stem.wo * padded4(stem.cout));
  const gradA0 = scratch(stem.ho * stem.wo * padded4(stem.cout));
  const layers = batchNormLayers(spec);
  let running = 0;
  let x = { at: a0, grad: gradA0, h: stem.ho, w: stem.wo, mask: a0 };
  const blocks: BlockPlan[] = [];
  for (const shape of bottlenecks(f1, f2)) {
    const expansion = conv(`${shape.name}.ExpansionLayer`, x.h, x.w, 1, 0);
    const depthwise = conv(`${shape.name}.Depthwise`, x.h, x.w, shape.stride, 1);
    const projection = conv(`${shape.name}.Projection`, depthwise.ho, depthwise.wo, 1, 0);
    const hiddenP = padded4(expansion.cout);
    const outP = padded4(projection.cout);
    const bnLayer = layers.find((l) => l.prefix === `${shape.name}.BN1`);
    if (!bnLayer) throw new Error(`Classifier has no BatchNorm '${shape.name}.BN1'`);
    const hw = x.h * x.w;
    const batchNorm: BatchNormPlan = {
      channels: bnLayer.channels,
      hw,
      gamma: at(`${shape.name}.BN1.weight`).offset,
      beta: at(`${shape.name}.BN1.bias`).offset,
      running,
      stats: stats.take(S.STATS_VECTORS * padded4(bnLayer.channels)),
      record: record.take(S.RECORD_VECTORS * padded4(bnLayer.channels)),
    };
    running += bnLayer.channels;
    const e = act.take(hw * hiddenP);
    const u = act.take(hw * hiddenP);
    const d = act.take(depthwise.ho * depthwise.wo * hiddenP);
    const y = act.take(depthwise.ho * depthwise.wo * outP);
    const skip = shape.cin === shape.cout && shape.stride === 1;
    const block: BlockPlan = {
      name: shape.name,
      skip,
      x: x.at,
      e,
      u,
      d,
      y,
      gradY: skip ? grad.take(depthwise.ho * depthwise.wo * outP) : scratch(depthwise.ho * depthwise.wo * outP),
      gradD: scratch(depthwise.ho * depthwise.wo * hiddenP),
      gradU: grad.take(hw * hiddenP),
      gradE: scratch(hw * hiddenP),
      gradX: x.grad,
      maskX: x.mask,
      expansion,
      depthwise,
      projection,
      batchNorm,
    };
    blocks.push(block);
    x = { at: y, grad: block.gradY, h: depthwise.ho, w: depthwise.wo, mask: -1 };
  }
  const fcWeight = at('fc.weight');
  const [fcIn = 1, fcOut = 1] = tfShape(fcWeight.entry);
  const last = blocks[blocks.length - 1];
  if (!last || last.projection.ho * last.projection.wo * last.projection.cout !== fcIn) {
    throw new Error(`the last Bottleneck does not give the ${fcIn} features fc takes`);
  }
  const logits = act.take(fcOut);
  const gradLogits = scratch(fcOut);
  const imageLoss = record.take(1);
  return {
    params,
    channels: running,
    paddedSize: pad.size,
    transposedSize: tr.size,
    map,
    mapT,
    actPerImage: act.size,
    gradPerImage: grad.size,
    scratchPerThread: scratchBump.size,
    recordPerImage: record.size,
    statsPerThread: stats.size,
    input,
    a0,
    gradA0,
    logits,
    gradLogits,
    imageLoss,
    stem,
    blocks,
    fc: { in: fcIn, out: fcOut, weight: fcWeight.offset, bias: at('fc.bias').offset },
  };
}

/** A convolution's record, in planSlots' C_* order (the stem reads the unpadded 1-channel image). */
export function convRecord(c: ConvPlan, inputChannelsP = padded4(c.cin)): number[] {
  const r = new Array<number>(S.CONV_SLOTS).fill(0);
  r[S.C_KERNEL] = c.kernel;
  r[S.C_STRIDE] = c.stride;
  r[S.C_PAD] = c.pad;
  r[S.C_CIN] = c.cin;
  r[S.C_CIN_P] = inputChannelsP;
  r[S.C_COUT] = c.cout;
  r[S.C_COUT_P] = padded4(c.cout);
  r[S.C_H] = c.h;
  r[S.C_W] = c.w;
  r[S.C_HO] = c.ho;
  r[S.C_WO] = c.wo;
  r[S.C_WEIGHT] = c.weight;
  r[S.C_BIAS] = c.bias;
  r[S.C_TRANSPOSED] = c.transposed;
  return r;
}

/** A Bottleneck's record, in planSlots' B_* order. */
export function blockRecord(b: BlockPlan): number[] {
  const r = new Array<number>(S.BLOCK_SLOTS).fill(0);
  r[S.B_SKIP] = b.skip ? 1 : 0;
  r[S.B_X] = b.x;
  r[S.B_E] = b.e;
  r[S.B_U] = b.u;
  r[S.B_D] = b.d;
  r[S.B_Y] = b.y;
  r[S.B_GRAD_Y] = b.gradY;
  r[S.B_GRAD_D] = b.gradD;
  r[S.B_GRAD_U] = b.gradU;
  r[S.B_GRAD_E] = b.gradE;
  r[S.B_GRAD_X] = b.gradX;
  r[S.B_MASK_X] = b.maskX;
  const put = (at: number, values: number[]): void => values.forEach((v, i) => (r[at + i] = v));
  put(S.B_EXPANSION, convRecord(b.expansion));
  put(S.B_DEPTHWISE, convRecord(b.depthwise));
  put(S.B_PROJECTION, convRecord(b.projection));
  const n = new Array<number>(S.BN_SLOTS).fill(0);
  n[S.N_CHANNELS] = b.batchNorm.channels;
  n[S.N_CHANNELS_P] = padded4(b.batchNorm.channels);
  n[S.N_HW] = b.batchNorm.hw;
  n[S.N_GAMMA] = b.batchNorm.gamma;
  n[S.N_BETA] = b.batchNorm.beta;
  n[S.N_RUNNING] = b.batchNorm.running;
  n[S.N_STATS] = b.batchNorm.stats;
  n[S.N_RECORD] = b.batchNorm.record;
  put(S.B_BATCH_NORM, n);
  return r;
}
