// The fused CPU training step of the Classifier (AssemblyScript). The host writes a plan (see
// ../planSlots.ts) that says where every tensor lives; the same code runs on one thread or on
// several over one shared memory, each thread taking whole chunks of the batch, with barriers only
// where BatchNorm needs the whole batch. Every sum over images runs in image order (per-chunk
// gradient slots summed in chunk order), so results do not depend on the thread count.
import {
  H_BLOCKS, H_PARAMS, H_FLAT, H_EXP_AVG, H_EXP_AVG_SQ, H_MAP, H_MAP_T, H_PADDED, H_TRANSPOSED, H_SLOT_SIZE, H_SLOTS,
  H_ACT, H_ACT_PER, H_GRAD, H_GRAD_PER, H_REC, H_REC_PER, H_STATS, H_STATS_PER, H_RUN_MEAN, H_RUN_VAR,
  H_TRAIN_IMAGES, H_TRAIN_LABELS, H_ORDER, H_STEP_COUNT, H_STEPS, H_STEP_CONSTS, H_BETA1, H_ONE_MINUS_BETA1,
  H_BETA2, H_ONE_MINUS_BETA2, H_EPS, H_LAST_LOSS, H_EPOCH_LOSS, H_BARRIER, H_STEM, H_BLOCK_TABLE, H_FC,
  H_EVAL_IMAGES, H_EVAL_FLOAT, H_EVAL_LABELS, H_EVAL_LOGITS, H_EVAL_LOSS, H_EVAL_PRED, H_INPUT, H_A0, H_GRAD_A0,
  H_LOGITS, H_GRAD_LOGITS, H_IMAGE_LOSS, H_CHUNK, H_PROFILE, H_SCRATCH, H_SCRATCH_PER, SCRATCH_FLAG, H_LABEL_SMOOTHING, STEP_CONSTS,
  C_KERNEL, C_STRIDE, C_PAD, C_CIN, C_CIN_P, C_COUT, C_COUT_P, C_H, C_W, C_HO, C_WO, C_WEIGHT, C_BIAS, C_TRANSPOSED,
  N_CHANNELS, N_CHANNELS_P, N_HW, N_GAMMA, N_BETA, N_RUNNING, N_STATS, N_RECORD,
  S_MEAN, S_INV_STD, S_SCALE, S_SHIFT, S_GRAD_MEAN, S_PROJ, S_GAMMA,
  R_SUM, R_M2, R_DY, R_DY_XHAT,
  B_SKIP, B_X, B_E, B_U, B_D, B_Y, B_GRAD_Y, B_GRAD_D, B_GRAD_U, B_GRAD_E, B_GRAD_X, B_MASK_X,
  B_EXPANSION, B_DEPTHWISE, B_PROJECTION, B_BATCH_NORM, BLOCK_SLOTS,
  F_IN, F_OUT, F_WEIGHT, F_BIAS,
} from '../planSlots';
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM } from '../../../model/batchNorm';
import {
  convForward, convBackwardData, convWeightGrad, channelMoments, affine, batchNormGradSums, batchNormBackwardData,
} from './kernels';

let plan: usize = 0;
/** This instance's thread (each thread has its own instance, so its own globals). */
let self: i32 = 0;

@inline function hdr(slot: i32): i32 {
  return load<i32>(plan + (<usize>slot << 2));
}

@inline function ptr(slot: i32): usize {
  return <usize>hdr(slot);
}

@inline function rec(r: usize, slot: i32): i32 {
  return load<i32>(r + (<usize>slot << 2));
}

@inline function f32At(slot: i32): f32 {
  return load<f32>(plan + (<usize>slot << 2));
}

@inline function floats(n: i32): usize {
  return <usize>n << 2;
}

/** The heap's start: the host lays the plan and tensors out above it. */
export function heapBase(): usize {
  return __heap_base;
}

/** Waits until every thread has arrived (a no-op on one thread). */
function barrier(threads: i32): void {
  if (threads <= 1) return;
  if (ASC_FEATURE_THREADS) {
    const count = ptr(H_BARRIER);
    const generation = count + 4;
    const gen = atomic.load<i32>(generation);
    if (atomic.add<i32>(count, 1) == threads - 1) {
      atomic.store<i32>(count, 0);
      atomic.store<i32>(generation, gen + 1);
      atomic.notify(generation);
    } else {
      for (let spin = 0; spin < 20000; spin++) {
        if (atomic.load<i32>(generation) != gen) return;
      }
      while (atomic.load<i32>(generation) == gen) atomic.wait<i32>(generation, gen, -1);
    }
  }
}

// ---------------------------------------------------------------- plan readers

@inline function block(k: i32): usize {
  return ptr(H_BLOCK_TABLE) + floats(k * BLOCK_SLOTS);
}

@inline function padded(offset: i32): usize {
  return ptr(H_PADDED) + floats(offset);
}

@inline function actOf(image: i32, offset: i32): usize {
  return ptr(H_ACT) + floats(image * hdr(H_ACT_PER) + offset);
}

@inline function gradOf(image: i32, offset: i32): usize {
  if (offset & SCRATCH_FLAG) return ptr(H_SCRATCH) + floats(self * hdr(H_SCRATCH_PER) + (offset & ~SCRATCH_FLAG));
  return ptr(H_GRAD) + floats(image * hdr(H_GRAD_PER) + offset);
}

@inline function recordOf(image: i32, offset: i32): usize {
  return ptr(H_REC) + floats(image * hdr(H_REC_PER) + offset);
}

@inline function slotOf(image: i32): usize {
  return ptr(H_SLOTS) + floats((image / hdr(H_CHUNK)) * hdr(H_SLOT_SIZE));
}

@inline function statsOf(thread: i32, bn: usize, vector: i32): usize {
  return ptr(H_STATS) + floats(thread * hdr(H_STATS_PER) + rec(bn, N_STATS) + vector * rec(bn, N_CHANNELS_P));
}

/** conv(in) of a convolution record, from activation `inp` to `out`. */
function forwardConv(c: usize, inp: usize, out: usize, relu: bool, res: usize): void {
  convForward(
    inp, rec(c, C_H), rec(c, C_W), rec(c, C_CIN), rec(c, C_CIN_P),
    padded(rec(c, C_WEIGHT)), padded(rec(c, C_BIAS)), rec(c, C_KERNEL), rec(c, C_STRIDE), rec(c, C_PAD),
    out, rec(c, C_HO), rec(c, C_WO), rec(c, C_COUT_P), relu, res,
  );
}

function backwardConvData(c: usize, dy: usize, dx: usize, res: usize, mask: usize): void {
  convBackwardData(
    dy, rec(c, C_HO), rec(c, C_WO), rec(c, C_COUT), rec(c, C_COUT_P),
    ptr(H_TRANSPOSED) + floats(rec(c, C_TRANSPOSED)), rec(c, C_KERNEL), rec(c, C_STRIDE), rec(c, C_PAD),
    dx, rec(c, C_H), rec(c, C_W), rec(c, C_CIN_P), res, mask,
  );
}

function backwardConvWeights(c: usize, inp: usize, dy: usize, slot: usize): void {
  convWeightGrad(
    inp, rec(c, C_H), rec(c, C_W), rec(c, C_CIN), rec(c, C_CIN_P),
    dy, rec(c, C_HO), rec(c, C_WO), rec(c, C_COUT_P), rec(c, C_KERNEL), rec(c, C_STRIDE), rec(c, C_PAD),
    slot + floats(rec(c, C_WEIGHT)), slot + floats(rec(c, C_BIAS)),
  );
}

// ---------------------------------------------------------------- per-image pieces

/** The image as float32 pixel / 255 (or given floats), into the image's input tensor. */
function loadInput(image: i32, source: usize, isFloat: bool): void {
  const dst = actOf(image, hdr(H_INPUT));
  if (isFloat) {
    memory.copy(dst, source, 784 * 4);
  } else {
    for (let i = 0; i < 784; i++) store<f32>(dst + floats(i), <f32>load<u8>(source + <usize>i) / <f32>255.0);
  }
}

function stemForward(image: i32): void {
  forwardConv(ptr(H_STEM), actOf(image, hdr(H_INPUT)), actOf(image, hdr(H_A0)), true, 0);
}

function expansionForward(image: i32, b: usize): void {
  forwardConv(b + floats(B_EXPANSION), actOf(image, rec(b, B_X)), actOf(image, rec(b, B_E)), true, 0);
}

/** BatchNorm with the given statistics, the full 3x3 conv and relu6, the projection (+ skip). */
function blockTail(image: i32, b: usize, thread: i32): void {
  const bn = b + floats(B_BATCH_NORM);
  affine(
    actOf(image, rec(b, B_E)), rec(bn, N_HW), rec(bn, N_CHANNELS_P),
    statsOf(thread, bn, S_SCALE), statsOf(thread, bn, S_SHIFT), actOf(image, rec(b, B_U)),
  );
  forwardConv(b + floats(B_DEPTHWISE), actOf(image, rec(b, B_U)), actOf(image, rec(b, B_D)), true, 0);
  forwardConv(
    b + floats(B_PROJECTION), actOf(image, rec(b, B_D)), actOf(image, rec(b, B_Y)), false,
    rec(b, B_SKIP) ? actOf(image, rec(b, B_X)) : 0,
  );
}

function imageMoments(image: i32, b: usize): void {
  const bn = b + floats(B_BATCH_NORM);
  const cP = rec(bn, N_CHANNELS_P);
  const r = rec(bn, N_RECORD);
  channelMoments(actOf(image, rec(b, B_E)), rec(bn, N_HW), cP, recordOf(image, r + R_SUM * cP), recordOf(image, r + R_M2 * cP));
}

/**
 * fc, the image's softmax cross-entropy (label-smoothed by `smoothing` as PyTorch's
 * CrossEntropyLoss(label_smoothing=) smooths it), and (when training) the gradients of fc and its input.
 */
function head(image: i32, features: usize, label: i32, invBatch: f32, slot: usize, gradFeatures: usize, smoothing: f32): f32 {
  const fc = ptr(H_FC);
  const nIn = rec(fc, F_IN);
  const nOut = rec(fc, F_OUT);
  const w = padded(rec(fc, F_WEIGHT));
  const bias = padded(rec(fc, F_BIAS));
  const logits = actOf(image, hdr(H_LOGITS));
  for (let o = 0; o < nOut; o++) {
    let s: f32 = 0;
    for (let f = 0; f < nIn; f++) s += load<f32>(features + floats(f)) * load<f32>(w + floats(f * nOut + o));
    store<f32>(logits + floats(o), s + load<f32>(bias + floats(o)));
  }
  let top = load<f32>(logits);
  for (let o = 1; o < nOut; o++) top = max(top, load<f32>(logits + floats(o)));
  let total: f64 = 0;
  for (let o = 0; o < nOut; o++) total += Math.exp(<f64>(load<f32>(logits + floats(o)) - top));
  const logTotal = <f32>Math.log(total);
  let loss = -(load<f32>(logits + floats(label)) - top - logTotal);
  const spread = smoothing / <f32>nOut;
  if (smoothing != 0) {
    let sumLogP: f32 = 0;
    for (let o = 0; o < nOut; o++) sumLogP += load<f32>(logits + floats(o)) - top - logTotal;
    loss = (<f32>1 - smoothing) * loss - spread * sumLogP;
  }
  if (!slot) return loss;
  const dl = gradOf(image, hdr(H_GRAD_LOGITS));
  const onLabel = <f32>1 - smoothing + spread;
  for (let o = 0; o < nOut; o++) {
    const p = <f32>Math.exp(<f64>(load<f32>(logits + floats(o)) - top - logTotal));
    store<f32>(dl + floats(o), (p - (o == label ? onLabel : spread)) * invBatch);
  }
  const sw = slot + floats(rec(fc, F_WEIGHT));
  const sb = slot + floats(rec(fc, F_BIAS));
  for (let f = 0; f < nIn; f++) {
    const x = load<f32>(features + floats(f));
    let g: f32 = 0;
    for (let o = 0; o < nOut; o++) {
      const d = load<f32>(dl + floats(o));
      const at = sw + floats(f * nOut + o);
      store<f32>(at, load<f32>(at) + x * d);
      g += load<f32>(w + floats(f * nOut + o)) * d;
    }
    store<f32>(gradFeatures + floats(f), g);
  }
  for (let o = 0; o < nOut; o++) store<f32>(sb + floats(o), load<f32>(sb + floats(o)) + load<f32>(dl + floats(o)));
  return loss;
}

/** Backward through projection and the full 3x3 conv down to BatchNorm's output, and the image's BN sums. */
function blockBackwardTail(image: i32, b: usize, thread: i32): void {
  const slot = slotOf(image);
  const proj = b + floats(B_PROJECTION);
  const dw = b + floats(B_DEPTHWISE);
  const bn = b + floats(B_BATCH_NORM);
  const gy = gradOf(image, rec(b, B_GRAD_Y));
  const gd = gradOf(image, rec(b, B_GRAD_D));
  const gu = gradOf(image, rec(b, B_GRAD_U));
  const d = actOf(image, rec(b, B_D));
  backwardConvWeights(proj, d, gy, slot);
  backwardConvData(proj, gy, gd, 0, d);
  backwardConvWeights(dw, actOf(image, rec(b, B_U)), gd, slot);
  backwardConvData(dw, gd, gu, 0, 0);
  const cP = rec(bn, N_CHANNELS_P);
  const r = rec(bn, N_RECORD);
  batchNormGradSums(
    gu, actOf(image, rec(b, B_E)), rec(bn, N_HW), cP, statsOf(thread, bn, S_MEAN),
    recordOf(image, r + R_DY * cP), recordOf(image, r + R_DY_XHAT * cP),
  );
}

/** Backward from BatchNorm's output through BN, relu6 and the expansion to the block's input. */
function blockBackwardHead(image: i32, b: usize, thread: i32): void {
  const slot = slotOf(image);
  const bn = b + floats(B_BATCH_NORM);
  const exp = b + floats(B_EXPANSION);
  const ge = gradOf(image, rec(b, B_GRAD_E));
  batchNormBackwardData(
    gradOf(image, rec(b, B_GRAD_U)), actOf(image, rec(b, B_E)), rec(bn, N_HW), rec(bn, N_CHANNELS_P),
    statsOf(thread, bn, S_MEAN), ge,
  );
  backwardConvWeights(exp, actOf(image, rec(b, B_X)), ge, slot);
  const mask = rec(b, B_MASK_X);
  backwardConvData(
    exp, ge, gradOf(image, rec(b, B_GRAD_X)),
    rec(b, B_SKIP) ? gradOf(image, rec(b, B_GRAD_Y)) : 0,
    mask >= 0 ? actOf(image, mask) : 0,
  );
}

// ---------------------------------------------------------------- whole-batch points

/**
 * Batch mean and biased variance of one BatchNorm from the images' sums and M2s (Chan's
 * combination, in float64, in image order), the scale and shift it normalises with, and (thread 0)
 * the running statistics' update with momentum 0.1 and the unbiased variance.
 */
function batchNormForward(b: usize, size: i32, thread: i32): void {
  const bn = b + floats(B_BATCH_NORM);
  const c = rec(bn, N_CHANNELS);
  const cP = rec(bn, N_CHANNELS_P);
  const hw = <f64>rec(bn, N_HW);
  const r = rec(bn, N_RECORD);
  const n = hw * <f64>size;
  for (let ch = 0; ch < c; ch++) {
    let total: f64 = 0;
    for (let i = 0; i < size; i++) total += <f64>load<f32>(recordOf(i, r + R_SUM * cP + ch));
    const mean = total / n;
    let m2: f64 = 0;
    for (let i = 0; i < size; i++) {
      const d = <f64>load<f32>(recordOf(i, r + R_SUM * cP + ch)) / hw - mean;
      m2 += <f64>load<f32>(recordOf(i, r + R_M2 * cP + ch)) + hw * d * d;
    }
    const variance = m2 / n;
    const invStd = <f32>(1.0 / Math.sqrt(variance + BATCH_NORM_EPSILON));
    const meanF = <f32>mean;
    const gamma = load<f32>(padded(rec(bn, N_GAMMA) + ch));
    const beta = load<f32>(padded(rec(bn, N_BETA) + ch));
    const scale = invStd * gamma;
    store<f32>(statsOf(thread, bn, S_MEAN) + floats(ch), meanF);
    store<f32>(statsOf(thread, bn, S_INV_STD) + floats(ch), invStd);
    store<f32>(statsOf(thread, bn, S_SCALE) + floats(ch), scale);
    store<f32>(statsOf(thread, bn, S_SHIFT) + floats(ch), beta - meanF * scale);
    store<f32>(statsOf(thread, bn, S_GAMMA) + floats(ch), gamma);
    if (thread == 0) {
      const rm = ptr(H_RUN_MEAN) + floats(rec(bn, N_RUNNING) + ch);
      const rv = ptr(H_RUN_VAR) + floats(rec(bn, N_RUNNING) + ch);
      const unbiased = m2 / max(n - 1, 1);
      store<f32>(rm, <f32>(BATCH_NORM_MOMENTUM * mean + (1 - BATCH_NORM_MOMENTUM) * <f64>load<f32>(rm)));
      store<f32>(rv, <f32>(BATCH_NORM_MOMENTUM * unbiased + (1 - BATCH_NORM_MOMENTUM) * <f64>load<f32>(rv)));
    }
  }
}

/** BatchNorm's backward coefficients from the images' sums (in image order), and (thread 0) its gamma and beta gradients. */
function batchNormBackward(b: usize, size: i32, thread: i32): void {
  const bn = b + floats(B_BATCH_NORM);
  const c = rec(bn, N_CHANNELS);
  const cP = rec(bn, N_CHANNELS_P);
  const r = rec(bn, N_RECORD);
  const n = <f32>(rec(bn, N_HW) * size);
  const slot = ptr(H_SLOTS);
  for (let ch = 0; ch < c; ch++) {
    let sum: f64 = 0;
    let dot: f64 = 0;
    for (let i = 0; i < size; i++) {
      sum += <f64>load<f32>(recordOf(i, r + R_DY * cP + ch));
      dot += <f64>load<f32>(recordOf(i, r + R_DY_XHAT * cP + ch));
    }
    const invStd = load<f32>(statsOf(thread, bn, S_INV_STD) + floats(ch));
    const dotF = <f32>dot;
    const sumF = <f32>sum;
    store<f32>(statsOf(thread, bn, S_GRAD_MEAN) + floats(ch), sumF / n);
    store<f32>(statsOf(thread, bn, S_PROJ) + floats(ch), dotF * invStd * invStd / n);
    if (thread == 0) {
      store<f32>(slot + floats(rec(bn, N_GAMMA) + ch), dotF * invStd);
      store<f32>(slot + floats(rec(bn, N_BETA) + ch), sumF);
    }
  }
}

/**
 * Adam over this thread's share of the parameters, each gradient summed over the slots in chunk
 * order; torch.optim.Adam's weight decay adds `l2` p to the gradient, AdamW's scales p by `decay` first.
 */
function adam(thread: i32, threads: i32, chunks: i32, lrOverBc1: f32, sqrtBc2: f32, decay: f32, l2: f32): void {
  const count = hdr(H_PARAMS);
  const from = <i32>((<i64>count * thread) / threads);
  const to = <i32>((<i64>count * (thread + 1)) / threads);
  const beta1 = f32At(H_BETA1);
  const oneMinusBeta1 = f32At(H_ONE_MINUS_BETA1);
  const beta2 = f32At(H_BETA2);
  const oneMinusBeta2 = f32At(H_ONE_MINUS_BETA2);
  const eps = f32At(H_EPS);
  const flat = ptr(H_FLAT);
  const m1 = ptr(H_EXP_AVG);
  const m2 = ptr(H_EXP_AVG_SQ);
  const map = ptr(H_MAP);
  const mapT = ptr(H_MAP_T);
  const slots = ptr(H_SLOTS);
  const slotBytes = floats(hdr(H_SLOT_SIZE));
  const pad = ptr(H_PADDED);
  const tr = ptr(H_TRANSPOSED);
  for (let j = from; j < to; j++) {
    const at = floats(load<i32>(map + floats(j)));
    let g: f32 = 0;
    let s = slots + at;
    for (let k = 0; k < chunks; k++) {
      g += load<f32>(s);
      s += slotBytes;
    }
    const old = load<f32>(flat + floats(j));
    if (l2 != 0) g += l2 * old;
    const m = load<f32>(m1 + floats(j)) * beta1 + g * oneMinusBeta1;
    const v = load<f32>(m2 + floats(j)) * beta2 + g * oneMinusBeta2 * g;
    const denom = <f32>Math.sqrt(<f64>v) / sqrtBc2 + eps;
    const p = (decay != 1 ? old * decay : old) - (m / denom) * lrOverBc1;
    store<f32>(m1 + floats(j), m);
    store<f32>(m2 + floats(j), v);
    store<f32>(flat + floats(j), p);
    store<f32>(pad + at, p);
    const t = load<i32>(mapT + floats(j));
    if (t >= 0) store<f32>(tr + floats(t), p);
  }
}

@inline function profile(slot: i32, t0: f64): f64 {
  const at = ptr(H_PROFILE);
  if (!at) return 0;
  const now = performanceNow();
  store<f64>(at + (<usize>slot << 3), load<f64>(at + (<usize>slot << 3)) + now - t0);
  return now;
}

@external("env", "now")
declare function performanceNow(): f64;

/** One training step of images order[start .. start+size) on this thread's share of the chunks. */
function trainStep(thread: i32, threads: i32, start: i32, size: i32, consts: usize): void {
  const chunk = hdr(H_CHUNK);
  const chunks = (size + chunk - 1) / chunk;
  const c0 = <i32>((<i64>chunks * thread) / threads);
  const c1 = <i32>((<i64>chunks * (thread + 1)) / threads);
  const i0 = c0 * chunk;
  const i1 = min(c1 * chunk, size);
  const blocks = hdr(H_BLOCKS);
  const order = ptr(H_ORDER) + floats(start);
  const images = ptr(H_TRAIN_IMAGES);
  const labels = ptr(H_TRAIN_LABELS);
  const invBatch = <f32>1 / <f32>size;
  const slotBytes = floats(hdr(H_SLOT_SIZE));
  let t = ptr(H_PROFILE) ? performanceNow() : 0;
  memory.fill(ptr(H_SLOTS) + <usize>c0 * slotBytes, 0, <usize>(c1 - c0) * slotBytes);
  for (let i = i0; i < i1; i++) {
    loadInput(i, images + <usize>load<i32>(order + floats(i)) * 784, false);
    stemForward(i);
  }
  t = profile(0, t);
  for (let k = 0; k < blocks; k++) {
    const b = block(k);
    for (let i = i0; i < i1; i++) {
      if (k > 0) blockTail(i, block(k - 1), thread);
      expansionForward(i, b);
      imageMoments(i, b);
    }
    t = profile(1 + 2 * k, t);
    barrier(threads);
    batchNormForward(b, size, thread);
  }
  const last = block(blocks - 1);
  for (let i = i0; i < i1; i++) {
    blockTail(i, last, thread);
    const label = <i32>load<u8>(labels + <usize>load<i32>(order + floats(i)));
    const loss = head(i, actOf(i, rec(last, B_Y)), label, invBatch, slotOf(i), gradOf(i, rec(last, B_GRAD_Y)), f32At(H_LABEL_SMOOTHING));
    store<f32>(recordOf(i, hdr(H_IMAGE_LOSS)), loss);
    blockBackwardTail(i, last, thread);
  }
  t = profile(1 + 2 * blocks, t);
  barrier(threads);
  batchNormBackward(last, size, thread);
  for (let k = blocks - 1; k >= 0; k--) {
    const b = block(k);
    for (let i = i0; i < i1; i++) {
      blockBackwardHead(i, b, thread);
      if (k == 0) {
        const stem = ptr(H_STEM);
        backwardConvWeights(stem, actOf(i, hdr(H_INPUT)), gradOf(i, hdr(H_GRAD_A0)), slotOf(i));
      } else {
        blockBackwardTail(i, block(k - 1), thread);
      }
    }
    t = profile(k == 0 ? 0 : 2 + 2 * (k - 1), t);
    barrier(threads);
    if (k > 0) batchNormBackward(block(k - 1), size, thread);
  }
  adam(thread, threads, chunks, load<f32>(consts), load<f32>(consts, 4), load<f32>(consts, 8), load<f32>(consts, 12));
  if (thread == 0) {
    let total: f32 = 0;
    for (let i = 0; i < size; i++) total += load<f32>(recordOf(i, hdr(H_IMAGE_LOSS)));
    const mean = total / <f32>size;
    store<f32>(plan + (<usize>H_LAST_LOSS << 2), mean);
    const epoch = ptr(H_EPOCH_LOSS);
    store<f64>(epoch, load<f64>(epoch) + <f64>mean * <f64>size);
  }
  t = profile(2 + 2 * blocks, t);
  barrier(threads);
}

/** Runs the plan's steps (H_STEPS: start, size pairs into H_ORDER) as thread `thread` of `threads`. */
export function train(planAt: usize, thread: i32, threads: i32): void {
  plan = planAt;
  self = thread;
  const steps = ptr(H_STEPS);
  const consts = ptr(H_STEP_CONSTS);
  for (let s = 0; s < hdr(H_STEP_COUNT); s++) {
    trainStep(thread, threads, load<i32>(steps + floats(2 * s)), load<i32>(steps + floats(2 * s + 1)), consts + floats(STEP_CONSTS * s));
  }
}

/** Eval-mode scale and shift of every BatchNorm from the running statistics, into this thread's stats. */
function evalStatistics(thread: i32): void {
  for (let k = 0; k < hdr(H_BLOCKS); k++) {
    const bn = block(k) + floats(B_BATCH_NORM);
    for (let ch = 0; ch < rec(bn, N_CHANNELS); ch++) {
      const mean = load<f32>(ptr(H_RUN_MEAN) + floats(rec(bn, N_RUNNING) + ch));
      const variance = load<f32>(ptr(H_RUN_VAR) + floats(rec(bn, N_RUNNING) + ch));
      const invStd = <f32>(1.0 / Math.sqrt(<f64>variance + BATCH_NORM_EPSILON));
      const scale = invStd * load<f32>(padded(rec(bn, N_GAMMA) + ch));
      store<f32>(statsOf(thread, bn, S_SCALE) + floats(ch), scale);
      store<f32>(statsOf(thread, bn, S_SHIFT) + floats(ch), load<f32>(padded(rec(bn, N_BETA) + ch)) - mean * scale);
    }
  }
}

/**
 * Eval-mode forward of images [0, count) (H_EVAL_IMAGES: bytes, or floats when H_EVAL_FLOAT), this
 * thread taking a contiguous share through its own arena: logits to H_EVAL_LOGITS when set, and
 * with labels (H_EVAL_LABELS) each image's loss and predicted class.
 */
export function evaluate(planAt: usize, thread: i32, threads: i32, count: i32): void {
  plan = planAt;
  self = thread;
  evalStatistics(thread);
  const from = <i32>((<i64>count * thread) / threads);
  const to = <i32>((<i64>count * (thread + 1)) / threads);
  const isFloat = hdr(H_EVAL_FLOAT) != 0;
  const source = ptr(H_EVAL_IMAGES);
  const labels = ptr(H_EVAL_LABELS);
  const out = ptr(H_EVAL_LOGITS);
  const fc = ptr(H_FC);
  const nOut = rec(fc, F_OUT);
  const blocks = hdr(H_BLOCKS);
  for (let n = from; n < to; n++) {
    loadInput(thread, source + <usize>n * (isFloat ? 784 * 4 : 784), isFloat);
    stemForward(thread);
    for (let k = 0; k < blocks; k++) {
      expansionForward(thread, block(k));
      blockTail(thread, block(k), thread);
    }
    const label = labels ? <i32>load<u8>(labels + <usize>n) : 0;
    const loss = head(thread, actOf(thread, rec(block(blocks - 1), B_Y)), label, 1, 0, 0, 0);
    const logits = actOf(thread, hdr(H_LOGITS));
    if (out) memory.copy(out + floats(n * nOut), logits, floats(nOut));
    if (labels) {
      let best = 0;
      for (let o = 1; o < nOut; o++) if (load<f32>(logits + floats(o)) > load<f32>(logits + floats(best))) best = o;
      store<f32>(ptr(H_EVAL_LOSS) + floats(n), loss);
      store<i32>(ptr(H_EVAL_PRED) + floats(n), best);
    }
  }
}
