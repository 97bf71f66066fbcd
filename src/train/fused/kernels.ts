/**
 * WGSL for the fused Classifier training step. One workgroup trains one image at a time through a
 * whole stretch of layers (activations and gradients stay in that image's slice of two arenas);
 * a pass ends only where BatchNorm needs statistics over the whole batch. Small kernels (a workgroup
 * per channel) reduce those statistics, and one Adam kernel sums the per-workgroup weight gradients
 * and updates every parameter. 26 dispatches train one batch.
 */
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM } from '../../model/batchNorm';
import type { BatchNormSlots, FusedBlock, FusedLayout, ImageTensor, LayerParams } from './layout';

/** Threads per workgroup of a pass kernel. */
const PASS_THREADS = 256;
/** Threads of a statistics kernel (one workgroup) and per workgroup of the Adam kernel. */
const REDUCE_THREADS = 256;
/** Bytes between two steps' uniform records (the minimum dynamic-offset alignment). */
export const STEP_STRIDE = 256;

/** The per-step uniform record, as `writeStepRecord` fills it. */
const STEP_STRUCT = `
struct Step {
  size: u32, start: u32, groups: u32, reserved: u32,
  lrOverBc1: f32, sqrtBc2: f32, beta1: f32, oneMinusBeta1: f32,
  beta2: f32, oneMinusBeta2: f32, eps: f32, reserved2: f32,
}
@group(0) @binding(0) var<uniform> cfg: Step;
`;

/** A pass kernel's storage bindings, in binding order after the uniform. */
export const PASS_BINDINGS = ['params', 'act', 'grad', 'part', 'stats', 'images', 'order', 'labels'] as const;

/** The Adam kernel's storage bindings. */
export const ADAM_BINDINGS = ['params', 'part', 'expAvg', 'expAvgSq', 'stats', 'epochLoss'] as const;
/** The statistics kernels' storage bindings (forward: running mean and var; backward: the gradient slots). */
export const STATS_FORWARD_BINDINGS = ['params', 'stats', 'runningMean', 'runningVar'] as const;
export const STATS_BACKWARD_BINDINGS = ['params', 'stats', 'part'] as const;
/** The statistics kernels also bind their BatchNorm's `BatchNorm` record, after their storage buffers. */

const PASS_HEADER = `${STEP_STRUCT}
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> act: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> part: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;
@group(0) @binding(6) var<storage, read_write> images: array<f32>;
@group(0) @binding(7) var<storage, read_write> order: array<i32>;
@group(0) @binding(8) var<storage, read_write> labels: array<i32>;
`;

/** Where a convolution reads its input: the batch's image from the dataset, or an activation. */
type ConvInput = { image: true } | { tensor: ImageTensor; affine?: BatchNormSlots };

interface Conv {
  input: ConvInput;
  /** Input extent (the image is 28x28x1). */
  h: number;
  w: number;
  cin: number;
  kernel: number;
  stride: number;
  pad: number;
  params: LayerParams;
}

const u = (n: number): string => `${n}u`;
const inputExtent = (input: ConvInput): { h: number; w: number; c: number } =>
  'image' in input ? { h: 28, w: 28, c: 1 } : input.tensor;

/** One sum per item, each over `count` terms: what a weight gradient, a bias gradient or a channel statistic is. */
interface SumOver {
  items: number;
  /** WGSL u32 expression: terms per item. */
  count: string;
  /** Statements run once per item before its terms (may read `j`). */
  item?: string;
  /** Statements that add term `p` of item `j` to `s`. */
  term: string;
  /** Statements that store item `j`'s `total`. */
  write: string;
}

/**
 * Emits the sums with every thread busy: with fewer items than threads, each item's terms are
 * split over several threads and their partial sums added in a fixed order through `red`.
 */
function sumOver(o: SumOver, threads: number): string {
  if (o.items * 2 > threads) {
    return `
  for (var j = lid; j < ${u(o.items)}; j += ${u(threads)}) {
    ${o.item ?? ''}
    var s = 0.0;
    for (var p = 0u; p < ${o.count}; p++) { ${o.term} }
    let total = s;
    ${o.write}
  }
  workgroupBarrier();`;
  }
  const split = Math.floor(threads / o.items);
  return `
  if (lid < ${u(o.items * split)}) {
    let j = lid / ${u(split)};
    ${o.item ?? ''}
    var s = 0.0;
    for (var p = lid % ${u(split)}; p < ${o.count}; p += ${u(split)}) { ${o.term} }
    red[lid] = s;
  }
  workgroupBarrier();
  if (lid < ${u(o.items)}) {
    let j = lid;
    var total = 0.0;
    for (var k = 0u; k < ${u(split)}; k++) { total += red[j * ${u(split)} + k]; }
    ${o.write}
  }
  workgroupBarrier();`;
}

/** Adds `value` to the workgroup's gradient slot at `offset`, starting from zero on its first image. */
const accumulate = (offset: string, value: string): string => `part[W + ${offset}] = select(part[W + ${offset}], 0.0, first) + ${value};`;

/** The expression for input value (iy, ix, ci), BatchNorm's affine applied where asked. */
function readInput(input: ConvInput, w: number, cin: number): string {
  if ('image' in input) return `images[src + u32(iy * ${w} + ix)]`;
  const value = `act[A + ${u(input.tensor.base)} + u32(iy * ${w} + ix) * ${u(cin)} + ci]`;
  return input.affine ? `(${value} * stats[${u(input.affine.scale)} + ci] + stats[${u(input.affine.shift)} + ci])` : value;
}

function conv(input: ConvInput, params: LayerParams, cin: number, kernel: number, stride: number, pad: number): Conv {
  const { h, w } = inputExtent(input);
  return { input, h, w, cin, kernel, stride, pad, params };
}

/** A 1x1, stride-1, unpadded convolution of an activation: a matrix product over pixels, emitted without the window loops. */
const isPointwise = (c: Conv): c is Conv & { input: { tensor: ImageTensor; affine?: undefined } } =>
  c.kernel === 1 && c.stride === 1 && c.pad === 0 && !('image' in c.input) && !c.input.affine;

/** out = act(conv(input) + bias) (+ residual): one thread per output value. */
function convForward(c: Conv, out: ImageTensor, relu6: boolean, residual?: ImageTensor): string {
  const co = out.c;
  const epilogue = `s += params[${u(c.params.bias)} + co];
    ${relu6 ? 's = clamp(s, 0.0, 6.0);' : ''}
    ${residual ? `s += act[A + ${u(residual.base)} + i];` : ''}
    act[A + ${u(out.base)} + i] = s;`;
  if (isPointwise(c)) {
    return `
  for (var i = lid; i < ${u(out.h * out.w * co)}; i += ${u(PASS_THREADS)}) {
    let co = i % ${u(co)};
    let x = A + ${u(c.input.tensor.base)} + (i / ${u(co)}) * ${u(c.cin)};
    var s = 0.0;
    for (var ci = 0u; ci < ${u(c.cin)}; ci++) { s += act[x + ci] * params[${u(c.params.weight)} + ci * ${u(co)} + co]; }
    ${epilogue}
  }
  storageBarrier();`;
  }
  return `
  for (var i = lid; i < ${u(out.h * out.w * co)}; i += ${u(PASS_THREADS)}) {
    let co = i % ${u(co)};
    let p = i / ${u(co)};
    let ox = i32(p % ${u(out.w)});
    let oy = i32(p / ${u(out.w)});
    var s = 0.0;
    for (var ky = 0; ky < ${c.kernel}; ky++) {
      let iy = oy * ${c.stride} + ky - ${c.pad};
      if (iy < 0 || iy >= ${c.h}) { continue; }
      for (var kx = 0; kx < ${c.kernel}; kx++) {
        let ix = ox * ${c.stride} + kx - ${c.pad};
        if (ix < 0 || ix >= ${c.w}) { continue; }
        let row = u32(ky * ${c.kernel} + kx) * ${u(c.cin)};
        for (var ci = 0u; ci < ${u(c.cin)}; ci++) {
          s += ${readInput(c.input, c.w, c.cin)} * params[${u(c.params.weight)} + (row + ci) * ${u(co)} + co];
        }
      }
    }
    ${epilogue}
  }
  storageBarrier();`;
}

/** Per-image mean and sum of squared deviations of each channel (two passes, as BatchNorm sums them). */
function channelStats(t: ImageTensor, slots: BatchNormSlots): string {
  const hw = t.h * t.w;
  const at = `A + ${u(t.base)} + p * ${u(t.c)} + j`;
  const pair = `R + ${u(slots.perImage)} + j * 2u`;
  return (
    sumOver({ items: t.c, count: u(hw), term: `s += act[${at}];`, write: `stats[${pair}] = total / ${hw}.0;` }, PASS_THREADS) +
    '\n  storageBarrier();' +
    sumOver(
      {
        items: t.c,
        count: u(hw),
        item: `let mean = stats[${pair}];`,
        term: `let d = act[${at}] - mean; s += d * d;`,
        write: `stats[${pair} + 1u] = total;`,
      },
      PASS_THREADS,
    ) +
    '\n  storageBarrier();'
  );
}

/** Logits of fc, the image's cross-entropy and the gradient of the batch-mean loss with respect to the logits. */
function classifierHead(layout: FusedLayout, features: ImageTensor, gradFeatures: ImageTensor): string {
  const { fc, logits, gradLogits, loss } = layout;
  return `
  for (var o = lid; o < 10u; o += ${u(PASS_THREADS)}) {
    var s = 0.0;
    for (var f = 0u; f < 12u; f++) { s += act[A + ${u(features.base)} + f] * params[${u(fc.weight)} + f * 10u + o]; }
    act[A + ${u(logits.base)} + o] = s + params[${u(fc.bias)} + o];
  }
  storageBarrier();
  if (lid < 10u) {
    var top = act[A + ${u(logits.base)}];
    for (var k = 1u; k < 10u; k++) { top = max(top, act[A + ${u(logits.base)} + k]); }
    var total = 0.0;
    for (var k = 0u; k < 10u; k++) { total += exp(act[A + ${u(logits.base)} + k] - top); }
    let logTotal = log(total);
    let label = u32(labels[u32(order[cfg.start + n])]);
    let logProb = act[A + ${u(logits.base)} + lid] - top - logTotal;
    grad[D + ${u(gradLogits.base)} + lid] = (exp(logProb) - select(0.0, 1.0, lid == label)) / f32(cfg.size);
    if (lid == label) { stats[R + ${u(loss)}] = -logProb; }
  }
  storageBarrier();
  for (var i = lid; i < 120u; i += ${u(PASS_THREADS)}) {
    let o = i % 10u;
    let f = i / 10u;
    let g = act[A + ${u(features.base)} + f] * grad[D + ${u(gradLogits.base)} + o];
    part[W + ${u(fc.weight)} + i] = select(part[W + ${u(fc.weight)} + i], 0.0, first) + g;
  }
  for (var o = lid; o < 10u; o += ${u(PASS_THREADS)}) {
    part[W + ${u(fc.bias)} + o] = select(part[W + ${u(fc.bias)} + o], 0.0, first) + grad[D + ${u(gradLogits.base)} + o];
  }
  for (var f = lid; f < 12u; f += ${u(PASS_THREADS)}) {
    var s = 0.0;
    for (var o = 0u; o < 10u; o++) { s += params[${u(fc.weight)} + f * 10u + o] * grad[D + ${u(gradLogits.base)} + o]; }
    grad[D + ${u(gradFeatures.base)} + f] = s;
  }
  storageBarrier();`;
}

/**
 * Gradient with respect to a convolution's input (its transposed convolution), plus a residual
 * gradient, then the relu6 mask of the activation that produced the input.
 */
function convBackwardData(c: Conv, gradOut: ImageTensor, gradIn: ImageTensor, residual?: ImageTensor, mask?: ImageTensor): string {
  const co = gradOut.c;
  const epilogue = `${residual ? `s += grad[D + ${u(residual.base)} + i];` : ''}
    ${mask ? `let a = act[A + ${u(mask.base)} + i]; if (!(a > 0.0 && a < 6.0)) { s = 0.0; }` : ''}
    grad[D + ${u(gradIn.base)} + i] = s;`;
  if (isPointwise(c)) {
    return `
  for (var i = lid; i < ${u(c.h * c.w * c.cin)}; i += ${u(PASS_THREADS)}) {
    let at = D + ${u(gradOut.base)} + (i / ${u(c.cin)}) * ${u(co)};
    let row = ${u(c.params.weight)} + (i % ${u(c.cin)}) * ${u(co)};
    var s = 0.0;
    for (var co = 0u; co < ${u(co)}; co++) { s += params[row + co] * grad[at + co]; }
    ${epilogue}
  }`;
  }
  return `
  for (var i = lid; i < ${u(c.h * c.w * c.cin)}; i += ${u(PASS_THREADS)}) {
    let ci = i % ${u(c.cin)};
    let p = i / ${u(c.cin)};
    let ix = i32(p % ${u(c.w)});
    let iy = i32(p / ${u(c.w)});
    var s = 0.0;
    for (var ky = 0; ky < ${c.kernel}; ky++) {
      let ty = iy + ${c.pad} - ky;
      if (ty < 0 || ty % ${c.stride} != 0 || ty / ${c.stride} >= ${gradOut.h}) { continue; }
      let oy = ty / ${c.stride};
      for (var kx = 0; kx < ${c.kernel}; kx++) {
        let tx = ix + ${c.pad} - kx;
        if (tx < 0 || tx % ${c.stride} != 0 || tx / ${c.stride} >= ${gradOut.w}) { continue; }
        let ox = tx / ${c.stride};
        let at = D + ${u(gradOut.base)} + u32(oy * ${gradOut.w} + ox) * ${u(co)};
        let row = ${u(c.params.weight)} + (u32(ky * ${c.kernel} + kx) * ${u(c.cin)} + ci) * ${u(co)};
        for (var co = 0u; co < ${u(co)}; co++) { s += params[row + co] * grad[at + co]; }
      }
    }
    ${epilogue}
  }`;
}

/** This image's share of a convolution's weight and bias gradients, added to the workgroup's slot. */
function convWeightGrad(c: Conv, gradOut: ImageTensor): string {
  const co = gradOut.c;
  const g = `grad[D + ${u(gradOut.base)} + p * ${u(co)} + co]`;
  const weights = isPointwise(c)
    ? sumOver(
        {
          items: c.cin * co,
          count: u(gradOut.h * gradOut.w),
          item: `let co = j % ${u(co)};
    let ci = j / ${u(co)};`,
          term: `s += act[A + ${u(c.input.tensor.base)} + p * ${u(c.cin)} + ci] * ${g};`,
          write: accumulate(`${u(c.params.weight)} + j`, 'total'),
        },
        PASS_THREADS,
      )
    : sumOver(
    {
      items: c.kernel * c.kernel * c.cin * co,
      count: u(gradOut.h * gradOut.w),
      item: `let co = j % ${u(co)};
    let ci = (j / ${u(co)}) % ${u(c.cin)};
    let k = j / ${u(co * c.cin)};
    let kx = i32(k % ${u(c.kernel)});
    let ky = i32(k / ${u(c.kernel)});`,
      term: `let iy = i32(p / ${u(gradOut.w)}) * ${c.stride} + ky - ${c.pad};
      let ix = i32(p % ${u(gradOut.w)}) * ${c.stride} + kx - ${c.pad};
      if (iy >= 0 && iy < ${c.h} && ix >= 0 && ix < ${c.w}) { s += ${readInput(c.input, c.w, c.cin)} * ${g}; }`,
      write: accumulate(`${u(c.params.weight)} + j`, 'total'),
    },
    PASS_THREADS,
  );
  const bias = sumOver(
    { items: co, count: u(gradOut.h * gradOut.w), item: 'let co = j;', term: `s += ${g};`, write: accumulate(`${u(c.params.bias)} + j`, 'total') },
    PASS_THREADS,
  );
  return weights + bias;
}

/** BatchNorm's input, normalised with the batch statistics: (e - mean) * invStd. */
const xhat = (b: FusedBlock, position: string): string =>
  `((act[A + ${u(b.e.base)} + ${position}] - stats[${u(b.stats.mean)} + c]) * stats[${u(b.stats.invStd)} + c])`;

/** This image's sums of dy and dy * xhat per channel: BatchNorm's bias and weight gradients. */
function batchNormPartials(b: FusedBlock): string {
  const { e, gradU, bn, stats } = b;
  const at = `p * ${u(e.c)} + j`;
  const dy = `grad[D + ${u(gradU.base)} + ${at}]`;
  return (
    sumOver({ items: e.c, count: u(e.h * e.w), term: `s += ${dy};`, write: accumulate(`${u(bn.bias)} + j`, 'total') }, PASS_THREADS) +
    sumOver(
      {
        items: e.c,
        count: u(e.h * e.w),
        item: `let mean = stats[${u(stats.mean)} + j];
    let invStd = stats[${u(stats.invStd)} + j];`,
        term: `s += ${dy} * ((act[A + ${u(e.base)} + ${at}] - mean) * invStd);`,
        write: accumulate(`${u(bn.weight)} + j`, 'total'),
      },
      PASS_THREADS,
    )
  );
}

/** Bottleneck forward after its BatchNorm statistics are known: depthwise, projection (+ skip). */
function blockForwardTail(b: FusedBlock): string {
  const depthwise = conv({ tensor: b.e, affine: b.stats }, b.depthwise, b.hidden, 3, b.shape.stride, 1);
  const projection = conv({ tensor: b.d }, b.projection, b.hidden, 1, 1, 0);
  return convForward(depthwise, b.d, true) + convForward(projection, b.y, false, b.skip ? b.x : undefined);
}

/** Bottleneck forward up to its BatchNorm: expansion, relu6, the image's channel statistics. */
function blockForwardHead(b: FusedBlock): string {
  return convForward(conv({ tensor: b.x }, b.expansion, b.shape.cin, 1, 1, 0), b.e, true) + channelStats(b.e, b.stats);
}

/** Bottleneck backward down to its BatchNorm: projection and depthwise gradients, BN's per-image sums. */
function blockBackwardTail(b: FusedBlock): string {
  const projection = conv({ tensor: b.d }, b.projection, b.hidden, 1, 1, 0);
  const depthwise = conv({ tensor: b.e, affine: b.stats }, b.depthwise, b.hidden, 3, b.shape.stride, 1);
  return (
    convWeightGrad(projection, b.gradY) +
    convBackwardData(projection, b.gradY, b.gradD, undefined, b.d) +
    '\n  storageBarrier();' +
    convWeightGrad(depthwise, b.gradD) +
    convBackwardData(depthwise, b.gradD, b.gradU) +
    '\n  storageBarrier();' +
    batchNormPartials(b)
  );
}

/** Bottleneck backward from its BatchNorm down to its input: BN's input gradient, relu6, expansion. */
function blockBackwardHead(b: FusedBlock, gradX: ImageTensor, maskX?: ImageTensor): string {
  const { e, gradE, stats } = b;
  const expansion = conv({ tensor: b.x }, b.expansion, b.shape.cin, 1, 1, 0);
  return `
  for (var i = lid; i < ${u(e.h * e.w * e.c)}; i += ${u(PASS_THREADS)}) {
    let c = i % ${u(e.c)};
    let a = act[A + ${u(e.base)} + i];
    let dx = stats[${u(stats.coef)} + c] * (grad[D + ${u(b.gradU.base)} + i] - stats[${u(stats.meanDy)} + c] - ${xhat(b, 'i')} * stats[${u(stats.meanDyXhat)} + c]);
    grad[D + ${u(gradE.base)} + i] = select(0.0, dx, a > 0.0 && a < 6.0);
  }
  storageBarrier();${convWeightGrad(expansion, gradE)}${convBackwardData(expansion, gradE, gradX, b.skip ? b.gradY : undefined, maskX)}
  storageBarrier();`;
}

/** A pass kernel: each workgroup takes images wid, wid + groups, ... through `body`. */
function passKernel(layout: FusedLayout, body: string): string {
  return `${PASS_HEADER}
var<workgroup> red: array<f32, ${PASS_THREADS}>;
@compute @workgroup_size(${PASS_THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let W = wid.x * ${u(layout.params)};
  for (var n = wid.x; n < cfg.size; n += cfg.groups) {
    let first = n == wid.x;
    let A = n * ${u(layout.actPerImage)};
    let D = n * ${u(layout.gradPerImage)};
    let src = u32(order[cfg.start + n]) * 784u;
    let R = ${u(layout.imageRecords)} + n * ${u(layout.imageRecord)};
    ${body}
  }
}`;
}

/** Where one BatchNorm's values live, as the statistics kernels read them from their `bn` uniform. */
const BATCH_NORM_STRUCT = `
struct BatchNorm {
  perImage: u32, hw: u32, weight: u32, bias: u32,
  mean: u32, invStd: u32, scale: u32, shift: u32,
  coef: u32, meanDy: u32, meanDyXhat: u32, reserved: u32,
}`;

/** The `BatchNorm` uniform record of one block, in the struct's field order. */
export function batchNormRecord(b: FusedBlock): Uint32Array {
  const s = b.stats;
  return Uint32Array.from([s.perImage, b.e.h * b.e.w, b.bn.weight, b.bn.bias, s.mean, s.invStd, s.scale, s.shift, s.coef, s.meanDy, s.meanDyXhat, 0]);
}

/**
 * Batch statistics of one BatchNorm channel (one workgroup per channel) from the per-image means
 * and M2s (Chan's combination), the running statistics' update (momentum 0.1, unbiased variance)
 * and the scale and shift the next pass normalises with. One shader serves every BatchNorm.
 */
function statsForwardKernel(layout: FusedLayout): string {
  const pair = `${u(layout.imageRecords)} + p * ${u(layout.imageRecord)} + bn.perImage + c * 2u`;
  return `${STEP_STRUCT}${BATCH_NORM_STRUCT}
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> runningMean: array<f32>;
@group(0) @binding(4) var<storage, read_write> runningVar: array<f32>;
@group(0) @binding(5) var<uniform> bn: BatchNorm;
var<workgroup> red: array<f32, ${REDUCE_THREADS}>;
var<workgroup> batchMean: f32;
@compute @workgroup_size(${REDUCE_THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  ${sumOver({ items: 1, count: 'cfg.size', term: `s += stats[${pair}];`, write: 'batchMean = total / f32(cfg.size);' }, REDUCE_THREADS)}
  ${sumOver(
    {
      items: 1,
      count: 'cfg.size',
      item: 'let mean = batchMean;',
      term: `let d = stats[${pair}] - mean; s += stats[${pair} + 1u] + f32(bn.hw) * d * d;`,
      write: `let count = f32(cfg.size * bn.hw);
    let variance = total / count;
    let mean = batchMean;
    runningMean[c] = runningMean[c] * ${1 - BATCH_NORM_MOMENTUM} + mean * ${BATCH_NORM_MOMENTUM};
    runningVar[c] = runningVar[c] * ${1 - BATCH_NORM_MOMENTUM} + variance * (count / max(count - 1.0, 1.0)) * ${BATCH_NORM_MOMENTUM};
    let invStd = 1.0 / sqrt(variance + ${BATCH_NORM_EPSILON.toExponential()});
    let scale = params[bn.weight + c] * invStd;
    stats[bn.mean + c] = mean;
    stats[bn.invStd + c] = invStd;
    stats[bn.scale + c] = scale;
    stats[bn.shift + c] = params[bn.bias + c] - mean * scale;`,
    },
    REDUCE_THREADS,
  )}
}`;
}

/**
 * BatchNorm's backward coefficients for one channel (one workgroup per channel) from the batch
 * sums of dy and dy * xhat (its bias and weight gradients, summed over the gradient slots).
 */
function statsBackwardKernel(layout: FusedLayout): string {
  return `${STEP_STRUCT}${BATCH_NORM_STRUCT}
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> part: array<f32>;
@group(0) @binding(4) var<uniform> bn: BatchNorm;
var<workgroup> red: array<f32, ${REDUCE_THREADS}>;
var<workgroup> sums: array<f32, 2>;
@compute @workgroup_size(${REDUCE_THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  ${sumOver(
    {
      items: 2,
      count: 'cfg.groups',
      item: 'let slot = select(bn.bias, bn.weight, j == 1u) + c;',
      term: `s += part[p * ${u(layout.params)} + slot];`,
      write: 'sums[j] = total;',
    },
    REDUCE_THREADS,
  )}
  if (lid == 0u) {
    let count = f32(cfg.size * bn.hw);
    stats[bn.coef + c] = params[bn.weight + c] * stats[bn.invStd + c];
    stats[bn.meanDy + c] = sums[0] / count;
    stats[bn.meanDyXhat + c] = sums[1] / count;
  }
}`;
}

/** Parameters per Adam workgroup; its other threads split each parameter's gradient slots. */
export const ADAM_PARAMS_PER_WORKGROUP = 16;

/**
 * Adam (PyTorch's update, tfjs's operation order) over the flat parameters, each gradient the sum
 * of the workgroups' slots, summed by REDUCE_THREADS / ADAM_PARAMS_PER_WORKGROUP threads; the first
 * workgroup also adds the batch's mean loss to the epoch's loss sum.
 */
function adamKernel(layout: FusedLayout): string {
  const per = ADAM_PARAMS_PER_WORKGROUP;
  const splits = REDUCE_THREADS / per;
  return `${STEP_STRUCT}
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> part: array<f32>;
@group(0) @binding(3) var<storage, read_write> expAvg: array<f32>;
@group(0) @binding(4) var<storage, read_write> expAvgSq: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;
@group(0) @binding(6) var<storage, read_write> epochLoss: array<f32>;
var<workgroup> red: array<f32, ${REDUCE_THREADS}>;
@compute @workgroup_size(${REDUCE_THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  if (wid.x == 0u) {
    var sum = 0.0;
    for (var n = lid; n < cfg.size; n += ${u(REDUCE_THREADS)}) { sum += stats[${u(layout.imageRecords)} + n * ${u(layout.imageRecord)} + ${u(layout.loss)}]; }
    red[lid] = sum;
    workgroupBarrier();
    if (lid == 0u) {
      var total = 0.0;
      for (var k = 0u; k < ${u(REDUCE_THREADS)}; k++) { total += red[k]; }
      let mean = total / f32(cfg.size);
      stats[${u(layout.lastLoss)}] = mean;
      epochLoss[0] = epochLoss[0] + mean * f32(cfg.size);
    }
    workgroupBarrier();
  }
  let p = wid.x * ${u(per)} + lid % ${u(per)};
  let split = lid / ${u(per)};
  var g = 0.0;
  if (p < ${u(layout.params)}) {
    for (var k = split; k < cfg.groups; k += ${u(splits)}) { g += part[k * ${u(layout.params)} + p]; }
  }
  red[lid] = g;
  workgroupBarrier();
  if (split == 0u && p < ${u(layout.params)}) {
    var grad = 0.0;
    for (var k = 0u; k < ${u(splits)}; k++) { grad += red[k * ${u(per)} + lid]; }
    let m = expAvg[p] * cfg.beta1 + grad * cfg.oneMinusBeta1;
    let v = expAvgSq[p] * cfg.beta2 + grad * cfg.oneMinusBeta2 * grad;
    let denom = sqrt(v) / cfg.sqrtBc2 + cfg.eps;
    expAvg[p] = m;
    expAvgSq[p] = v;
    params[p] = params[p] - (m / denom) * cfg.lrOverBc1;
  }
}`;
}

/** What a kernel binds and how it is dispatched. */
export type FusedKernel =
  | { kind: 'pass'; label: string; code: string }
  | { kind: 'statsForward'; label: string; code: string; bn: number; channels: number }
  | { kind: 'statsBackward'; label: string; code: string; bn: number; channels: number }
  | { kind: 'adam'; label: string; code: string };

/** The stem convolution (3x3, stride 2, relu6) over the batch's images. */
const stemConv = (layout: FusedLayout): Conv => conv({ image: true }, layout.cl1, 1, 3, 2, 0);

/** Forward from the image through the stem to the first Bottleneck's BatchNorm statistics. */
function forwardStemKernel(layout: FusedLayout, first: FusedBlock): FusedKernel {
  return { kind: 'pass', label: 'forward stem', code: passKernel(layout, convForward(stemConv(layout), layout.a0, true) + blockForwardHead(first)) };
}

/** Forward from Bottleneck `b`'s BatchNorm to the next one's statistics. */
function forwardBlockKernel(layout: FusedLayout, b: FusedBlock, next: FusedBlock): FusedKernel {
  return { kind: 'pass', label: `forward ${b.shape.name}`, code: passKernel(layout, blockForwardTail(b) + blockForwardHead(next)) };
}

/** Forward from the top Bottleneck's BatchNorm through fc and the loss, and backward down to that BatchNorm. */
function headKernel(layout: FusedLayout, top: FusedBlock): FusedKernel {
  return {
    kind: 'pass',
    label: 'forward head, loss, backward head',
    code: passKernel(layout, blockForwardTail(top) + classifierHead(layout, top.y, top.gradY) + blockBackwardTail(top)),
  };
}

/** Backward from Bottleneck `b`'s BatchNorm down to the BatchNorm of the one below it. */
function backwardBlockKernel(layout: FusedLayout, b: FusedBlock, below: FusedBlock): FusedKernel {
  return { kind: 'pass', label: `backward ${b.shape.name}`, code: passKernel(layout, blockBackwardHead(b, below.gradY) + blockBackwardTail(below)) };
}

/** Backward from the first Bottleneck's BatchNorm through the stem's weight gradient. */
function backwardStemKernel(layout: FusedLayout, first: FusedBlock): FusedKernel {
  const body = blockBackwardHead(first, layout.gradA0, layout.a0) + convWeightGrad(stemConv(layout), layout.gradA0);
  return { kind: 'pass', label: 'backward stem', code: passKernel(layout, body) };
}

/** The kernels of one training step, in dispatch order. */
export function fusedKernels(layout: FusedLayout): FusedKernel[] {
  const { blocks } = layout;
  const first = blocks[0];
  const top = blocks.at(-1);
  if (!first || !top) throw new Error('the Classifier has no Bottleneck');
  // One shader serves the statistics of every BatchNorm.
  const statsForward = statsForwardKernel(layout);
  const statsBackward = statsBackwardKernel(layout);
  const kernels: FusedKernel[] = [forwardStemKernel(layout, first)];
  blocks.forEach((b, k) => {
    kernels.push({ kind: 'statsForward', label: `${b.shape.name} BN statistics`, code: statsForward, bn: k, channels: b.hidden });
    const next = blocks[k + 1];
    if (next) kernels.push(forwardBlockKernel(layout, b, next));
  });
  kernels.push(headKernel(layout, top));
  for (let k = blocks.length - 1; k >= 0; k--) {
    const b = blocks[k] as FusedBlock;
    kernels.push({ kind: 'statsBackward', label: `${b.shape.name} BN gradient`, code: statsBackward, bn: k, channels: b.hidden });
    const below = blocks[k - 1];
    kernels.push(below ? backwardBlockKernel(layout, b, below) : backwardStemKernel(layout, b));
  }
  kernels.push({ kind: 'adam', label: 'Adam', code: adamKernel(layout) });
  return kernels;
}
