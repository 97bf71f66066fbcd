/**
 * WGSL for the fused Classifier training cfg. One workgroup trains one image at a time through a
 * whole stretch of layers (activations and gradients stay in that image's slice of two arenas);
 * a pass ends only where BatchNorm needs statistics over the whole batch. Small single-workgroup
 * kernels reduce those statistics, and one Adam kernel sums the per-workgroup weight gradients
 * and updates every parameter. 26 dispatches train one batch.
 */
import type { BatchNormSlots, FusedBlock, FusedLayout, ImageTensor, LayerParams } from './layout';

/** Threads per workgroup of a pass kernel. */
export const PASS_THREADS = 128;
/** Threads of a statistics kernel (one workgroup) and per workgroup of the Adam kernel. */
export const REDUCE_THREADS = 256;
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
export type PassBinding = (typeof PASS_BINDINGS)[number];

/** The Adam kernel's storage bindings. */
export const ADAM_BINDINGS = ['params', 'part', 'expAvg', 'expAvgSq', 'stats', 'epochLoss'] as const;
/** The statistics kernels' storage bindings (forward: running mean and var; backward: the gradient slots). */
export const STATS_FORWARD_BINDINGS = ['params', 'stats', 'runningMean', 'runningVar'] as const;
export const STATS_BACKWARD_BINDINGS = ['params', 'stats', 'part'] as const;

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

/** out = act(conv(input) + bias) (+ residual): one thread per output value. */
function convForward(c: Conv, out: ImageTensor, relu6: boolean, residual?: ImageTensor): string {
  const co = out.c;
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
    s += params[${u(c.params.bias)} + co];
    ${relu6 ? 's = clamp(s, 0.0, 6.0);' : ''}
    ${residual ? `s += act[A + ${u(residual.base)} + i];` : ''}
    act[A + ${u(out.base)} + i] = s;
  }
  storageBarrier();`;
}

/** Per-image mean and sum of squared deviations of each channel (two passes, as BatchNorm sums them). */
function channelStats(t: ImageTensor, slots: BatchNormSlots): string {
  const hw = t.h * t.w;
  return `
  for (var c = lid; c < ${u(t.c)}; c += ${u(PASS_THREADS)}) {
    var sum = 0.0;
    for (var p = 0u; p < ${u(hw)}; p++) { sum += act[A + ${u(t.base)} + p * ${u(t.c)} + c]; }
    let mean = sum / ${hw}.0;
    var m2 = 0.0;
    for (var p = 0u; p < ${u(hw)}; p++) {
      let d = act[A + ${u(t.base)} + p * ${u(t.c)} + c] - mean;
      m2 += d * d;
    }
    stats[${u(slots.perImage)} + (n * ${u(t.c)} + c) * 2u] = mean;
    stats[${u(slots.perImage)} + (n * ${u(t.c)} + c) * 2u + 1u] = m2;
  }
  storageBarrier();`;
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
    if (lid == label) { stats[${u(loss)} + n] = -logProb; }
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
    ${residual ? `s += grad[D + ${u(residual.base)} + i];` : ''}
    ${mask ? `let a = act[A + ${u(mask.base)} + i]; if (!(a > 0.0 && a < 6.0)) { s = 0.0; }` : ''}
    grad[D + ${u(gradIn.base)} + i] = s;
  }`;
}

/** This image's share of a convolution's weight and bias gradients, added to the workgroup's slot. */
function convWeightGrad(c: Conv, gradOut: ImageTensor): string {
  const co = gradOut.c;
  return `
  for (var i = lid; i < ${u(c.kernel * c.kernel * c.cin * co)}; i += ${u(PASS_THREADS)}) {
    let co = i % ${u(co)};
    let r = i / ${u(co)};
    let ci = r % ${u(c.cin)};
    let k = r / ${u(c.cin)};
    let kx = i32(k % ${u(c.kernel)});
    let ky = i32(k / ${u(c.kernel)});
    var s = 0.0;
    for (var oy = 0; oy < ${gradOut.h}; oy++) {
      let iy = oy * ${c.stride} + ky - ${c.pad};
      if (iy < 0 || iy >= ${c.h}) { continue; }
      for (var ox = 0; ox < ${gradOut.w}; ox++) {
        let ix = ox * ${c.stride} + kx - ${c.pad};
        if (ix < 0 || ix >= ${c.w}) { continue; }
        s += ${readInput(c.input, c.w, c.cin)} * grad[D + ${u(gradOut.base)} + u32(oy * ${gradOut.w} + ox) * ${u(co)} + co];
      }
    }
    part[W + ${u(c.params.weight)} + i] = select(part[W + ${u(c.params.weight)} + i], 0.0, first) + s;
  }
  for (var co = lid; co < ${u(co)}; co += ${u(PASS_THREADS)}) {
    var s = 0.0;
    for (var p = 0u; p < ${u(gradOut.h * gradOut.w)}; p++) { s += grad[D + ${u(gradOut.base)} + p * ${u(co)} + co]; }
    part[W + ${u(c.params.bias)} + co] = select(part[W + ${u(c.params.bias)} + co], 0.0, first) + s;
  }`;
}

/** BatchNorm's input, normalised with the batch statistics: (e - mean) * invStd. */
const xhat = (b: FusedBlock, position: string): string =>
  `((act[A + ${u(b.e.base)} + ${position}] - stats[${u(b.stats.mean)} + c]) * stats[${u(b.stats.invStd)} + c])`;

/** This image's sums of dy and dy * xhat per channel: BatchNorm's bias and weight gradients. */
function batchNormPartials(b: FusedBlock): string {
  const { e, gradU, bn } = b;
  return `
  for (var c = lid; c < ${u(e.c)}; c += ${u(PASS_THREADS)}) {
    var dy = 0.0;
    var dyXhat = 0.0;
    for (var p = 0u; p < ${u(e.h * e.w)}; p++) {
      let g = grad[D + ${u(gradU.base)} + p * ${u(e.c)} + c];
      dy += g;
      dyXhat += g * ${xhat(b, `p * ${u(e.c)} + c`)};
    }
    part[W + ${u(bn.bias)} + c] = select(part[W + ${u(bn.bias)} + c], 0.0, first) + dy;
    part[W + ${u(bn.weight)} + c] = select(part[W + ${u(bn.weight)} + c], 0.0, first) + dyXhat;
  }
  storageBarrier();`;
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
@compute @workgroup_size(${PASS_THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let W = wid.x * ${u(layout.params)};
  for (var n = wid.x; n < cfg.size; n += cfg.groups) {
    let first = n == wid.x;
    let A = n * ${u(layout.actPerImage)};
    let D = n * ${u(layout.gradPerImage)};
    let src = u32(order[cfg.start + n]) * 784u;
    ${body}
  }
}`;
}

/** Tree sum over the statistics kernel's workgroup; every thread gets the total. */
const TREE_SUM = `
var<workgroup> tree: array<f32, ${REDUCE_THREADS}>;
fn workgroupSum(lid: u32, value: f32) -> f32 {
  tree[lid] = value;
  workgroupBarrier();
  for (var half = ${u(REDUCE_THREADS / 2)}; half > 0u; half >>= 1u) {
    if (lid < half) { tree[lid] += tree[lid + half]; }
    workgroupBarrier();
  }
  let total = tree[0];
  workgroupBarrier();
  return total;
}`;

/**
 * Batch statistics of one BatchNorm from the per-image means and M2s (Chan's combination), the
 * running statistics' update (momentum 0.1, unbiased variance) and the scale and shift the next
 * pass normalises with.
 */
function statsForwardKernel(b: FusedBlock): string {
  const s = b.stats;
  const hw = b.e.h * b.e.w;
  return `${STEP_STRUCT}
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> runningMean: array<f32>;
@group(0) @binding(4) var<storage, read_write> runningVar: array<f32>;
${TREE_SUM}
@compute @workgroup_size(${REDUCE_THREADS})
fn main(@builtin(local_invocation_index) lid: u32) {
  for (var c = 0u; c < ${u(s.channels)}; c++) {
    var sum = 0.0;
    for (var n = lid; n < cfg.size; n += ${u(REDUCE_THREADS)}) { sum += stats[${u(s.perImage)} + (n * ${u(s.channels)} + c) * 2u]; }
    let mean = workgroupSum(lid, sum) / f32(cfg.size);
    var m2 = 0.0;
    for (var n = lid; n < cfg.size; n += ${u(REDUCE_THREADS)}) {
      let at = ${u(s.perImage)} + (n * ${u(s.channels)} + c) * 2u;
      let d = stats[at] - mean;
      m2 += stats[at + 1u] + ${hw}.0 * d * d;
    }
    let total = workgroupSum(lid, m2);
    if (lid == 0u) {
      let count = f32(cfg.size * ${u(hw)});
      let variance = total / count;
      runningMean[c] = runningMean[c] * 0.9 + mean * 0.1;
      runningVar[c] = runningVar[c] * 0.9 + variance * (count / max(count - 1.0, 1.0)) * 0.1;
      let invStd = 1.0 / sqrt(variance + 1e-5);
      let scale = params[${u(b.bn.weight)} + c] * invStd;
      stats[${u(s.mean)} + c] = mean;
      stats[${u(s.invStd)} + c] = invStd;
      stats[${u(s.scale)} + c] = scale;
      stats[${u(s.shift)} + c] = params[${u(b.bn.bias)} + c] - mean * scale;
    }
  }
}`;
}

/** BatchNorm's backward coefficients from the batch sums of dy and dy * xhat. */
function statsBackwardKernel(layout: FusedLayout, b: FusedBlock): string {
  const s = b.stats;
  const hw = b.e.h * b.e.w;
  return `${STEP_STRUCT}
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> part: array<f32>;
${TREE_SUM}
@compute @workgroup_size(${REDUCE_THREADS})
fn main(@builtin(local_invocation_index) lid: u32) {
  for (var c = 0u; c < ${u(s.channels)}; c++) {
    var dy = 0.0;
    var dyXhat = 0.0;
    for (var g = lid; g < cfg.groups; g += ${u(REDUCE_THREADS)}) {
      dy += part[g * ${u(layout.params)} + ${u(b.bn.bias)} + c];
      dyXhat += part[g * ${u(layout.params)} + ${u(b.bn.weight)} + c];
    }
    let sumDy = workgroupSum(lid, dy);
    let sumDyXhat = workgroupSum(lid, dyXhat);
    if (lid == 0u) {
      let count = f32(cfg.size * ${u(hw)});
      stats[${u(s.coef)} + c] = params[${u(b.bn.weight)} + c] * stats[${u(s.invStd)} + c];
      stats[${u(s.meanDy)} + c] = sumDy / count;
      stats[${u(s.meanDyXhat)} + c] = sumDyXhat / count;
    }
  }
}`;
}

/**
 * Adam (PyTorch's update, tfjs's operation order) over the flat parameters, each gradient the sum
 * of the workgroups' slots; thread 0 also adds the batch's mean loss to the epoch's loss sum.
 */
function adamKernel(layout: FusedLayout): string {
  return `${STEP_STRUCT}
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> part: array<f32>;
@group(0) @binding(3) var<storage, read_write> expAvg: array<f32>;
@group(0) @binding(4) var<storage, read_write> expAvgSq: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;
@group(0) @binding(6) var<storage, read_write> epochLoss: array<f32>;
@compute @workgroup_size(${REDUCE_THREADS})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = gid.x;
  if (p == 0u) {
    var sum = 0.0;
    for (var n = 0u; n < cfg.size; n++) { sum += stats[${u(layout.loss)} + n]; }
    let mean = sum / f32(cfg.size);
    stats[${u(layout.lastLoss)}] = mean;
    epochLoss[0] = epochLoss[0] + mean * f32(cfg.size);
  }
  if (p >= ${u(layout.params)}) { return; }
  var g = 0.0;
  for (var k = 0u; k < cfg.groups; k++) { g += part[k * ${u(layout.params)} + p]; }
  let m = expAvg[p] * cfg.beta1 + g * cfg.oneMinusBeta1;
  let v = expAvgSq[p] * cfg.beta2 + g * cfg.oneMinusBeta2 * g;
  let denom = sqrt(v) / cfg.sqrtBc2 + cfg.eps;
  expAvg[p] = m;
  expAvgSq[p] = v;
  params[p] = params[p] - (m / denom) * cfg.lrOverBc1;
}`;
}

/** What a kernel binds and how it is dispatched. */
export type FusedKernel =
  | { kind: 'pass'; label: string; code: string }
  | { kind: 'statsForward'; label: string; code: string; bn: number }
  | { kind: 'statsBackward'; label: string; code: string }
  | { kind: 'adam'; label: string; code: string };

/** The kernels of one training step, in dispatch order. */
export function fusedKernels(layout: FusedLayout): FusedKernel[] {
  const { blocks } = layout;
  const last = blocks.length - 1;
  const kernels: FusedKernel[] = [];
  const pass = (label: string, body: string): void => {
    kernels.push({ kind: 'pass', label, code: passKernel(layout, body) });
  };
  const stem = conv({ image: true }, layout.cl1, 1, 3, 2, 0);
  const first = blocks[0];
  if (!first) throw new Error('the Classifier has no Bottleneck');
  pass('forward stem', convForward(stem, layout.a0, true) + blockForwardHead(first));
  blocks.forEach((b, k) => {
    kernels.push({ kind: 'statsForward', label: `${b.shape.name} BN statistics`, code: statsForwardKernel(b), bn: k });
    const next = blocks[k + 1];
    if (next) pass(`forward ${b.shape.name}`, blockForwardTail(b) + blockForwardHead(next));
  });
  const top = blocks[last];
  if (!top) throw new Error('the Classifier has no Bottleneck');
  pass('forward head, loss, backward head', blockForwardTail(top) + classifierHead(layout, top.y, top.gradY) + blockBackwardTail(top));
  for (let k = last; k >= 0; k--) {
    const b = blocks[k] as FusedBlock;
    kernels.push({ kind: 'statsBackward', label: `${b.shape.name} BN gradient`, code: statsBackwardKernel(layout, b) });
    const below = blocks[k - 1];
    if (below) {
      pass(`backward ${b.shape.name}`, blockBackwardHead(b, below.gradY) + blockBackwardTail(below));
    } else {
      const stemGrad = convWeightGrad(stem, layout.gradA0);
      pass('backward stem', blockBackwardHead(b, layout.gradA0, layout.a0) + stemGrad);
    }
  }
  kernels.push({ kind: 'adam', label: 'Adam', code: adamKernel(layout) });
  return kernels;
}
