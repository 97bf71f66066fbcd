/**
 * The fused CPU training step of the Classifier: forward, softmax cross-entropy, backward,
 * BatchNorm statistics and Adam in one WebAssembly module (128-bit SIMD), with weights, moments,
 * the datasets and every activation in one memory. With `threads` > 1 (where SharedArrayBuffer
 * exists) the threaded build runs in that many Workers over a shared memory; results are bit for
 * bit those of one thread. Plain TypeScript: runs in a Worker, in the page and in Node.
 */
import type { NetworkValues } from '../../model/stateDict';
import { adamStepConstants, type AdamConfig, type AdamState } from '../../train/adam';
import { blockRecord, convRecord, stepPlan, type StepPlan } from './plan';
import * as S from './planSlots';
import { ThreadPool } from './threads';
import { SHARED_MAXIMUM_PAGES, SINGLE_THREAD_WASM, THREADED_WASM } from './wasmBinaries.generated';

/** The engine's settings: model size, Adam's (or AdamW's) settings and schedule, label smoothing, the largest batch, threads. */
export interface FusedCpuOptions extends AdamConfig {
  f1: number;
  f2: number;
  /** CrossEntropyLoss's label_smoothing for the training loss (0 by default). */
  labelSmoothing?: number;
  maxBatch: number;
  /** Threads (Workers); 1 runs on the calling thread. Default: the cores, up to 8, where SharedArrayBuffer exists. */
  threads?: number;
  /** Accumulates the time of each stretch of the step (see `profile()`); for benchmarks. */
  profile?: boolean;
}

interface StepExports {
  heapBase(): number;
  train(plan: number, thread: number, threads: number): void;
  evaluate(plan: number, thread: number, threads: number, count: number): void;
}

const PAGE = 65536;
const IMAGE = 784;
const CLASSES_MAX = 16;
const align = (n: number, to = 64): number => Math.ceil(n / to) * to;

/** Decodes base64 (atob exists in browsers, Workers and Node). */
function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Whether this context can share wasm memory between threads. */
function canShareMemory(): boolean {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean; process?: { versions?: { node?: string } } };
  if (typeof g.SharedArrayBuffer !== 'function') return false;
  return Boolean(g.process?.versions?.node) || g.crossOriginIsolated !== false;
}

function defaultThreads(): number {
  if (!canShareMemory()) return 1;
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(8, cores));
}

/** Where the fixed regions start (bytes). */
interface Regions {
  plan: number;
  flat: number;
  expAvg: number;
  expAvgSq: number;
  runMean: number;
  runVar: number;
  padded: number;
  transposed: number;
  epochLoss: number;
  profile: number;
}

/** The fused CPU step (see the file comment). Call `writeState` before training: it starts from zeros. */
export class FusedCpuStep {
  readonly threads: number;
  private top: number;
  private readonly scratch = new Map<string, { at: number; bytes: number }>();
  private readonly counts = { train: 0, val: 0 };
  private adamStep = 0;
  private batchesTracked = 0;
  private disposed = false;

  private constructor(
    private readonly options: FusedCpuOptions,
    private readonly plan: StepPlan,
    private readonly memory: WebAssembly.Memory,
    private readonly wasm: StepExports,
    private readonly pool: ThreadPool | null,
    threads: number,
    private readonly at: Regions,
    top: number,
  ) {
    this.threads = threads;
    this.top = top;
  }

  /** Compiles and instantiates the step for Classifier(f1, f2) at batches up to `maxBatch`. */
  static async create(options: FusedCpuOptions): Promise<FusedCpuStep> {
    const { f1, f2, maxBatch } = options;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`maxBatch must be a positive integer, got ${maxBatch}`);
    const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()));
    if (threads > 1 && !canShareMemory()) throw new Error('threads need SharedArrayBuffer (a cross-origin isolated page, a Worker in one, or Node)');
    const plan = stepPlan(f1, f2);
    const threaded = threads > 1;
    const module = await WebAssembly.compile(decode(threaded ? THREADED_WASM : SINGLE_THREAD_WASM));
    const memory = threaded
      ? new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAXIMUM_PAGES, shared: true })
      : new WebAssembly.Memory({ initial: 1 });
    const imports = { env: { memory, now: () => performance.now() } };
    const wasm = (await WebAssembly.instantiate(module, imports)).exports as unknown as StepExports;

    // Fixed regions, laid out above the module's own data.
    let top = align(wasm.heapBase() + 1024);
    const take = (bytes: number): number => {
      const at = top;
      top = align(top + bytes);
      return at;
    };
    const arenaImages = Math.max(maxBatch, threads);
    const chunks = Math.ceil(maxBatch / S.CHUNK_IMAGES);
    const P = plan.params;
    const blockTable = S.HEADER_SLOTS + S.CONV_SLOTS + S.FC_SLOTS;
    const planInts = blockTable + plan.blocks.length * S.BLOCK_SLOTS;
    const at: Regions = {
      plan: take(planInts * 4),
      flat: take(P * 4),
      expAvg: take(P * 4),
      expAvgSq: take(P * 4),
      runMean: take(plan.channels * 4),
      runVar: take(plan.channels * 4),
      padded: take(plan.paddedSize * 4),
      transposed: take(plan.transposedSize * 4),
      epochLoss: take(8),
      profile: take(64 * 8),
    };
    const map = take(P * 4);
    const mapT = take(P * 4);
    const slots = take(chunks * plan.paddedSize * 4);
    const act = take(arenaImages * plan.actPerImage * 4);
    const grad = take(maxBatch * plan.gradPerImage * 4);
    const records = take(maxBatch * plan.recordPerImage * 4);
    const stats = take(threads * plan.statsPerThread * 4);
    const scratch = take(threads * plan.scratchPerThread * 4);
    const barrier = take(64);
    grow(memory, top);

    const ints = new Int32Array(memory.buffer);
    const f32 = new Float32Array(memory.buffer);
    const h = at.plan / 4;
    const header: [number, number][] = [
      [S.H_BLOCKS, plan.blocks.length],
      [S.H_PARAMS, P],
      [S.H_FLAT, at.flat],
      [S.H_EXP_AVG, at.expAvg],
      [S.H_EXP_AVG_SQ, at.expAvgSq],
      [S.H_MAP, map],
      [S.H_MAP_T, mapT],
      [S.H_PADDED, at.padded],
      [S.H_TRANSPOSED, at.transposed],
      [S.H_SLOT_SIZE, plan.paddedSize],
      [S.H_SLOTS, slots],
      [S.H_ACT, act],
      [S.H_ACT_PER, plan.actPerImage],
      [S.H_GRAD, grad],
      [S.H_GRAD_PER, plan.gradPerImage],
      [S.H_REC, records],
      [S.H_REC_PER, plan.recordPerImage],
      [S.H_STATS, stats],
      [S.H_STATS_PER, plan.statsPerThread],
      [S.H_SCRATCH, scratch],
      [S.H_SCRATCH_PER, plan.scratchPerThread],
      [S.H_RUN_MEAN, at.runMean],
      [S.H_RUN_VAR, at.runVar],
      [S.H_EPOCH_LOSS, at.epochLoss],
      [S.H_BARRIER, barrier],
      [S.H_STEM, at.plan + S.HEADER_SLOTS * 4],
      [S.H_FC, at.plan + (S.HEADER_SLOTS + S.CONV_SLOTS) * 4],
      [S.H_BLOCK_TABLE, at.plan + blockTable * 4],
      [S.H_INPUT, plan.input],
      [S.H_A0, plan.a0],
      [S.H_GRAD_A0, plan.gradA0],
      [S.H_LOGITS, plan.logits],
      [S.H_GRAD_LOGITS, plan.gradLogits],
      [S.H_IMAGE_LOSS, plan.imageLoss],
      [S.H_CHUNK, S.CHUNK_IMAGES],
      [S.H_PROFILE, options.profile ? at.profile : 0],
    ];
    for (const [slot, value] of header) ints[h + slot] = value;
    const eps = options.eps ?? 1e-8;
    f32[h + S.H_BETA1] = options.beta1;
    f32[h + S.H_ONE_MINUS_BETA1] = 1 - options.beta1;
    f32[h + S.H_BETA2] = options.beta2;
    f32[h + S.H_ONE_MINUS_BETA2] = 1 - options.beta2;
    f32[h + S.H_EPS] = eps;
    f32[h + S.H_LABEL_SMOOTHING] = options.labelSmoothing ?? 0;
    ints.set(convRecord(plan.stem, 1), h + S.HEADER_SLOTS);
    const fc = [plan.fc.in, plan.fc.out, plan.fc.weight, plan.fc.bias];
    if (plan.fc.out > CLASSES_MAX) throw new Error(`fc has ${plan.fc.out} outputs; the step holds at most ${CLASSES_MAX}`);
    ints.set(fc, h + S.HEADER_SLOTS + S.CONV_SLOTS);
    plan.blocks.forEach((b, k) => ints.set(blockRecord(b), h + blockTable + k * S.BLOCK_SLOTS));
    ints.set(plan.map, map / 4);
    ints.set(plan.mapT, mapT / 4);
    f32.fill(1, at.runVar / 4, at.runVar / 4 + plan.channels);

    const pool = threaded ? await ThreadPool.start(module, memory, threads) : null;
    return new FusedCpuStep(options, plan, memory, wasm, pool, threads, at, top);
  }

  private get i32(): Int32Array {
    return new Int32Array(this.memory.buffer);
  }

  private get f32(): Float32Array {
    return new Float32Array(this.memory.buffer);
  }

  private setHeader(slot: number, value: number): void {
    this.i32[this.at.plan / 4 + slot] = value;
  }

  /** A scratch region of at least `bytes`, reused while big enough (memory only grows). */
  private reserve(name: string, bytes: number): number {
    const have = this.scratch.get(name);
    if (have && have.bytes >= bytes) return have.at;
    const at = this.top;
    this.top = align(at + bytes);
    grow(this.memory, this.top);
    this.scratch.set(name, { at, bytes });
    return at;
  }

  private check(): void {
    if (this.disposed) throw new Error('the fused CPU step was disposed');
  }

  /** Copies a split into the wasm memory (pixels 0..255, 784 per image; labels 0..9). */
  setData(split: 'train' | 'val', images: Uint8Array, labels: Uint8Array): void {
    this.check();
    const count = labels.length;
    if (images.length !== count * IMAGE) throw new Error(`${split}: ${images.length} pixels for ${count} labels`);
    const pixels = this.reserve(`${split}Images`, images.length);
    const classes = this.reserve(`${split}Labels`, count);
    new Uint8Array(this.memory.buffer).set(images, pixels);
    new Uint8Array(this.memory.buffer).set(labels, classes);
    this.counts[split] = count;
  }

  /** Trains steps[i] on images order[start .. start+size) of the train split, in sequence; the last step's loss. */
  async run(order: Int32Array, steps: readonly { start: number; size: number }[]): Promise<number> {
    this.check();
    if (steps.length === 0) return this.lastLoss();
    const train = this.scratch.get('trainImages');
    const labels = this.scratch.get('trainLabels');
    if (!train || !labels) throw new Error('setData("train", ...) must come before run');
    for (const { start, size } of steps) {
      if (!Number.isInteger(size) || size < 1 || size > this.options.maxBatch) throw new Error(`batch of ${size} is outside 1..${this.options.maxBatch}`);
      if (!Number.isInteger(start) || start < 0 || start + size > order.length) throw new Error(`step [${start}, ${start + size}) is outside the order's ${order.length}`);
    }
    for (const index of order) {
      if (index < 0 || index >= this.counts.train) throw new Error(`image ${index} is outside the train split's ${this.counts.train}`);
    }
    const orderAt = this.reserve('order', order.length * 4);
    const stepsAt = this.reserve('steps', steps.length * 8);
    const constsAt = this.reserve('stepConsts', steps.length * 4 * S.STEP_CONSTS);
    const i32 = this.i32;
    const f32 = this.f32;
    i32.set(order, orderAt / 4);
    const { beta1, beta2 } = this.options;
    steps.forEach(({ start, size }, i) => {
      i32[stepsAt / 4 + 2 * i] = start;
      i32[stepsAt / 4 + 2 * i + 1] = size;
      // Bias corrections in float64 as adam.ts computes them, rounded to float32 as its scalars are.
      const t = this.adamStep + i + 1;
      const { lr, decay, l2 } = adamStepConstants(this.options, t);
      const at = constsAt / 4 + S.STEP_CONSTS * i;
      f32[at] = lr / (1 - beta1 ** t);
      f32[at + 1] = Math.sqrt(1 - beta2 ** t);
      f32[at + 2] = decay;
      f32[at + 3] = l2;
    });
    this.setHeader(S.H_TRAIN_IMAGES, train.at);
    this.setHeader(S.H_TRAIN_LABELS, labels.at);
    this.setHeader(S.H_ORDER, orderAt);
    this.setHeader(S.H_STEPS, stepsAt);
    this.setHeader(S.H_STEP_CONSTS, constsAt);
    this.setHeader(S.H_STEP_COUNT, steps.length);
    if (this.pool) await this.pool.call({ kind: 'train', plan: this.at.plan });
    else this.wasm.train(this.at.plan, 0, 1);
    this.adamStep += steps.length;
    this.batchesTracked += steps.length;
    return this.lastLoss();
  }

  private lastLoss(): number {
    return this.f32[this.at.plan / 4 + S.H_LAST_LOSS] ?? NaN;
  }

  /** Sum over this epoch's steps of loss x batch size. */
  epochLossSum(): number {
    return new Float64Array(this.memory.buffer, this.at.epochLoss, 1)[0] ?? 0;
  }

  /** Sets the epoch's loss sum (0 at an epoch's start; a saved value on resume). */
  resetEpochLoss(value = 0): void {
    new Float64Array(this.memory.buffer, this.at.epochLoss, 1)[0] = value;
  }

  private async forwardEval(images: number, isFloat: boolean, labels: number, logits: number, count: number): Promise<void> {
    this.setHeader(S.H_EVAL_IMAGES, images);
    this.setHeader(S.H_EVAL_FLOAT, isFloat ? 1 : 0);
    this.setHeader(S.H_EVAL_LABELS, labels);
    this.setHeader(S.H_EVAL_LOGITS, logits);
    if (this.pool) await this.pool.call({ kind: 'evaluate', plan: this.at.plan, count });
    else this.wasm.evaluate(this.at.plan, 0, 1, count);
  }

  /** Eval mode (running statistics) over the first `count` val images: summed cross-entropy and correct predictions. */
  async evaluate(count = this.counts.val): Promise<{ lossSum: number; correct: number }> {
    this.check();
    const images = this.scratch.get('valImages');
    const labels = this.scratch.get('valLabels');
    if (!images || !labels) throw new Error('setData("val", ...) must come before evaluate');
    if (!Number.isInteger(count) || count < 0 || count > this.counts.val) throw new Error(`cannot evaluate ${count} of ${this.counts.val} val images`);
    if (count === 0) return { lossSum: 0, correct: 0 };
    const loss = this.reserve('evalLoss', count * 4);
    const pred = this.reserve('evalPred', count * 4);
    this.setHeader(S.H_EVAL_LOSS, loss);
    this.setHeader(S.H_EVAL_PRED, pred);
    await this.forwardEval(images.at, false, labels.at, 0, count);
    const losses = new Float32Array(this.memory.buffer, loss, count);
    const predicted = new Int32Array(this.memory.buffer, pred, count);
    const truth = new Uint8Array(this.memory.buffer, labels.at, count);
    let lossSum = 0;
    let correct = 0;
    for (let i = 0; i < count; i++) {
      lossSum += losses[i] ?? 0;
      if (predicted[i] === truth[i]) correct += 1;
    }
    return { lossSum, correct };
  }

  /** Eval-mode logits [N x classes] of images given as floats in 0..1 (N x 784). */
  async predict(images: Float32Array): Promise<Float32Array> {
    this.check();
    const count = images.length / IMAGE;
    if (!Number.isInteger(count)) throw new Error(`${images.length} values is not a whole number of 28x28 images`);
    const classes = this.plan.fc.out;
    if (count === 0) return new Float32Array(0);
    const input = this.reserve('predictImages', images.length * 4);
    const logits = this.reserve('predictLogits', count * classes * 4);
    this.f32.set(images, input / 4);
    await this.forwardEval(input, true, 0, logits, count);
    return new Float32Array(this.memory.buffer, logits, count * classes).slice();
  }

  /** Every parameter, running statistic and Adam's state, in the studio's layouts. */
  readState(): { network: NetworkValues; adam: AdamState } {
    this.check();
    const f32 = this.f32;
    const P = this.plan.params;
    const C = this.plan.channels;
    const slice = (at: number, n: number): Float32Array => f32.slice(at / 4, at / 4 + n);
    return {
      network: {
        params: slice(this.at.flat, P),
        runningMeans: slice(this.at.runMean, C),
        runningVars: slice(this.at.runVar, C),
        batchesTracked: this.batchesTracked,
      },
      adam: { step: this.adamStep, expAvg: slice(this.at.expAvg, P), expAvgSq: slice(this.at.expAvgSq, P) },
    };
  }

  /** Overwrites every parameter, running statistic and Adam's state. */
  writeState(network: NetworkValues, adam: AdamState): void {
    this.check();
    const P = this.plan.params;
    const C = this.plan.channels;
    if (network.params.length !== P || adam.expAvg.length !== P || adam.expAvgSq.length !== P) {
      throw new Error(`state has ${network.params.length} parameters and ${adam.expAvg.length} moments, the model ${P}`);
    }
    if (network.runningMeans.length !== C || network.runningVars.length !== C) {
      throw new Error(`state has ${network.runningMeans.length} BatchNorm channels, the model ${C}`);
    }
    const f32 = this.f32;
    f32.set(network.params, this.at.flat / 4);
    f32.set(adam.expAvg, this.at.expAvg / 4);
    f32.set(adam.expAvgSq, this.at.expAvgSq / 4);
    f32.set(network.runningMeans, this.at.runMean / 4);
    f32.set(network.runningVars, this.at.runVar / 4);
    // The kernels read the weights from their padded (and transposed) copies; pads stay zero.
    const { map, mapT } = this.plan;
    for (let j = 0; j < P; j++) {
      const p = network.params[j] ?? 0;
      f32[this.at.padded / 4 + (map[j] ?? 0)] = p;
      const t = mapT[j] ?? -1;
      if (t >= 0) f32[this.at.transposed / 4 + t] = p;
    }
    this.batchesTracked = network.batchesTracked;
    this.adamStep = adam.step;
  }

  /** Milliseconds spent per stretch of the step since creation (with `profile: true`), by label. */
  profile(): { label: string; ms: number }[] {
    const times = new Float64Array(this.memory.buffer, this.at.profile, 64);
    const names = this.plan.blocks.map((b) => b.name);
    const first = names[0] ?? '';
    const last = names[names.length - 1] ?? '';
    const out: { label: string; ms: number }[] = [{ label: `input, stem forward; backward: ${first} BN+expansion, stem`, ms: times[0] ?? 0 }];
    names.forEach((name, k) => {
      const before = k > 0 ? `${names[k - 1]} BN+3x3+projection, ` : '';
      out.push({ label: `forward: ${before}${name} expansion+moments`, ms: times[1 + 2 * k] ?? 0 });
    });
    out.push({ label: `forward: ${last} BN+3x3+projection, fc, loss; backward: fc, ${last} projection+3x3`, ms: times[1 + 2 * names.length] ?? 0 });
    names.slice(0, -1).forEach((name, k) => {
      out.push({ label: `backward: ${names[k + 1] ?? ''} BN+expansion, ${name} projection+3x3`, ms: times[2 + 2 * k] ?? 0 });
    });
    out.push({ label: 'Adam (+ gradient reduction)', ms: times[2 + 2 * names.length] ?? 0 });
    return out;
  }

  /** Stops the threads and drops the memory. */
  dispose(): void {
    this.disposed = true;
    this.pool?.dispose();
  }
}

/** Grows `memory` to hold `bytes`. */
function grow(memory: WebAssembly.Memory, bytes: number): void {
  const pages = Math.ceil(bytes / PAGE);
  const have = memory.buffer.byteLength / PAGE;
  if (pages > have) memory.grow(pages - have);
}

