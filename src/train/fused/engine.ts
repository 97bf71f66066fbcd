/**
 * Runs the fused Classifier training step on the tfjs WebGPU backend's own device, reading and
 * writing the trainer's tfjs tensors (parameters, Adam moments, BatchNorm running statistics, the
 * device-resident dataset) in place. Bind groups are built once per set of buffers; a run of
 * steps is one compute pass and one submit.
 */
import * as tf from '@tensorflow/tfjs';
import type { Network } from '../../model/network';
import type { Adam, AdamConfig } from '../adam';
import {
  ADAM_BINDINGS,
  ADAM_PARAMS_PER_WORKGROUP,
  batchNormRecord,
  fusedKernels,
  PASS_BINDINGS,
  STATS_BACKWARD_BINDINGS,
  STATS_FORWARD_BINDINGS,
  STEP_STRIDE,
  type FusedKernel,
} from './kernels';
import type { FusedLayout } from './layout';

/** The parts of tfjs's WebGPUBackend the fused step uses (its device, tensor buffers and queue). */
export interface WebGpuBackendLike {
  device: GPUDevice;
  tensorMap: { get(dataId: object): { resource?: unknown; values?: unknown } | undefined };
  uploadToGPU(dataId: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** The trainer's tensors the step reads and updates. */
export interface FusedTensors {
  params: tf.Tensor;
  expAvg: tf.Tensor;
  expAvgSq: tf.Tensor;
  /** Per BatchNorm, in forward order. */
  runningMeans: tf.Tensor[];
  runningVars: tf.Tensor[];
  /** Training images [N, 784] in 0..1, labels [N] int32, and the epoch's order [N] int32. */
  images: tf.Tensor;
  labels: tf.Tensor;
  order: tf.Tensor;
  /** A float32 scalar the step adds each batch's mean loss x batch size to. */
  epochLoss: tf.Tensor;
}

/** The parts of a model the fused step trains: the network's parameters and statistics, and Adam's moments. */
export interface FusedModel {
  network: Network;
  adam: Adam;
}

/** The tensors the fused step binds: the model's own, and the data and epoch loss it trains with. */
export function fusedTensors({ network, adam }: FusedModel, data: Pick<FusedTensors, 'images' | 'labels' | 'order' | 'epochLoss'>): FusedTensors {
  const stats = network.runningStatistics();
  return {
    params: network.flat,
    expAvg: adam.expAvg,
    expAvgSq: adam.expAvgSq,
    runningMeans: stats.map((s) => s.mean),
    runningVars: stats.map((s) => s.variance),
    ...data,
  };
}

/** One optimiser step: the batch is order[start .. start + size - 1]; `adamStep` is Adam's t after it. */
export interface FusedStep {
  start: number;
  size: number;
  adamStep: number;
}

/** Steps recorded into one submit at most (the uniform buffer holds one record per step). */
const STEPS_PER_SUBMIT = 32;

const STEP_RECORD_BYTES = 48;

/** The backend tfjs runs on, when it is WebGPU; otherwise null. */
export function currentWebGpuBackend(): WebGpuBackendLike | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return tf.backend() as unknown as WebGpuBackendLike;
}

/** Why this device cannot hold the fused step's buffers for `layout`, or null when it can. */
function fusedLimitProblem(device: GPUDevice, layout: FusedLayout): string | null {
  const largest = Math.max(layout.capacity * layout.actPerImage, layout.capacity * layout.gradPerImage, layout.maxGroups * layout.params) * 4;
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  if (largest > limit) return `the fused step needs a ${largest}-byte buffer, this device allows ${limit}`;
  const workgroups = Math.ceil(layout.params / ADAM_PARAMS_PER_WORKGROUP);
  const most = device.limits.maxComputeWorkgroupsPerDimension;
  return workgroups > most ? `the fused Adam kernel needs ${workgroups} workgroups, this device allows ${most}` : null;
}

/** Bytes of one BatchNorm record in the statistics kernels' table, and between two records. */
const BATCH_NORM_RECORD_BYTES = 48;
const BATCH_NORM_STRIDE = 256;

/** The step record, the storage buffers, and for the statistics kernels their BatchNorm record. */
function layoutFor(device: GPUDevice, storageBindings: number, batchNormRecord: boolean): GPUBindGroupLayout {
  const entries: GPUBindGroupLayoutEntry[] = [
    { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: STEP_RECORD_BYTES } },
  ];
  for (let i = 1; i <= storageBindings; i++) entries.push({ binding: i, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } });
  if (batchNormRecord) {
    entries.push({ binding: storageBindings + 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', minBindingSize: BATCH_NORM_RECORD_BYTES } });
  }
  return device.createBindGroupLayout({ entries });
}

const readsBatchNorm = (kernel: FusedKernel): kernel is Extract<FusedKernel, { bn: number }> =>
  kernel.kind === 'statsForward' || kernel.kind === 'statsBackward';

const bindingNames = (kernel: FusedKernel): readonly string[] => {
  switch (kernel.kind) {
    case 'pass':
      return PASS_BINDINGS;
    case 'statsForward':
      return STATS_FORWARD_BINDINGS;
    case 'statsBackward':
      return STATS_BACKWARD_BINDINGS;
    case 'adam':
      return ADAM_BINDINGS;
  }
};

interface Compiled {
  kernel: FusedKernel;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/** What one device has compiled: bind group layouts and pipelines, by code. */
interface DeviceCache {
  layouts: Map<string, GPUBindGroupLayout>;
  pipelines: Map<string, Promise<GPUComputePipeline>>;
}

const deviceCaches = new WeakMap<GPUDevice, DeviceCache>();

/**
 * Compiles the layout's kernels (in parallel), each distinct code once per device: kernels that
 * share code (every BatchNorm's statistics) share a pipeline, and later trials and batch sizes
 * reuse the first one's. A WGSL or pipeline error names the kernel.
 */
async function compileKernels(device: GPUDevice, layout: FusedLayout): Promise<Compiled[]> {
  const problem = fusedLimitProblem(device, layout);
  if (problem) throw new Error(problem);
  let cache = deviceCaches.get(device);
  if (!cache) {
    cache = { layouts: new Map(), pipelines: new Map() };
    deviceCaches.set(device, cache);
  }
  const { layouts, pipelines } = cache;
  return Promise.all(
    fusedKernels(layout).map(async (kernel) => {
      const count = bindingNames(kernel).length;
      const key = `${count},${readsBatchNorm(kernel)}`;
      const bindLayout = layouts.get(key) ?? layoutFor(device, count, readsBatchNorm(kernel));
      layouts.set(key, bindLayout);
      let pipeline = pipelines.get(kernel.code);
      if (!pipeline) {
        const module = device.createShaderModule({ label: kernel.label, code: kernel.code });
        pipeline = device
          .createComputePipelineAsync({ label: kernel.label, layout: device.createPipelineLayout({ bindGroupLayouts: [bindLayout] }), compute: { module, entryPoint: 'main' } })
          .catch(async (error: unknown) => {
            const info = await module.getCompilationInfo();
            const messages = info.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
            throw new Error(`fused kernel '${kernel.label}' did not compile: ${messages || String(error)}`);
          });
        pipelines.set(kernel.code, pipeline);
        // A failed compile is not kept, so that a later trial tries again.
        void pipeline.catch(() => pipelines.delete(kernel.code));
      }
      return { kernel, pipeline: await pipeline, layout: bindLayout };
    }),
  );
}

/**
 * Starts compiling the fused kernels for Classifier(f1, f2) on the current WebGPU backend, so that
 * the work overlaps whatever comes before training (loading the data); the trainer then finds them
 * compiled. Does nothing off WebGPU; a failure surfaces when the trainer compiles.
 */
export function precompileFusedKernels(layout: FusedLayout): void {
  const backend = currentWebGpuBackend();
  if (backend) compileKernels(backend.device, layout).catch(() => undefined);
}

/** The fused training step for one layout, compiled on one device. */
export class FusedTrainingStep {
  private readonly act: GPUBuffer;
  private readonly grad: GPUBuffer;
  private readonly part: GPUBuffer;
  private readonly stats: GPUBuffer;
  private readonly uniforms: GPUBuffer;
  private readonly batchNorms: GPUBuffer;
  private bound: { key: GPUBuffer[]; groups: GPUBindGroup[] } | null = null;
  /** Validation errors of the work recorded since the last `lastLoss`, reported there. */
  private readonly pendingErrors: Promise<GPUError | null>[] = [];

  private constructor(
    private readonly backend: WebGpuBackendLike,
    readonly layout: FusedLayout,
    private readonly adam: AdamConfig,
    private readonly compiled: Compiled[],
  ) {
    const device = backend.device;
    const storage = (label: string, floats: number): GPUBuffer =>
      device.createBuffer({ label, size: Math.max(floats, 1) * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    this.act = storage('fused activations', layout.capacity * layout.actPerImage);
    this.grad = storage('fused gradients', layout.capacity * layout.gradPerImage);
    this.part = storage('fused weight-gradient slots', layout.maxGroups * layout.params);
    this.stats = storage('fused statistics', layout.statsSize);
    this.uniforms = device.createBuffer({ label: 'fused step records', size: STEPS_PER_SUBMIT * STEP_STRIDE, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const table = new Uint32Array((layout.blocks.length * BATCH_NORM_STRIDE) / 4);
    layout.blocks.forEach((b, k) => table.set(batchNormRecord(b), (k * BATCH_NORM_STRIDE) / 4));
    this.batchNorms = device.createBuffer({ label: 'fused BatchNorm records', size: table.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(this.batchNorms, 0, table);
  }

  /** Compiles every kernel (in parallel); a WGSL or pipeline error names the kernel. */
  static async create(backend: WebGpuBackendLike, layout: FusedLayout, adam: AdamConfig): Promise<FusedTrainingStep> {
    return new FusedTrainingStep(backend, layout, adam, await compileKernels(backend.device, layout));
  }


  /** Dispatches per training step. */
  get dispatchesPerStep(): number {
    return this.compiled.length;
  }

  private bufferOf(t: tf.Tensor): GPUBuffer {
    this.backend.uploadToGPU(t.dataId);
    const resource = this.backend.tensorMap.get(t.dataId)?.resource;
    if (!resource || typeof (resource as GPUBuffer).mapAsync !== 'function') throw new Error('a training tensor is not in a WebGPU buffer');
    return resource as GPUBuffer;
  }

  private bindGroups(t: FusedTensors): GPUBindGroup[] {
    const named = {
      params: this.bufferOf(t.params),
      expAvg: this.bufferOf(t.expAvg),
      expAvgSq: this.bufferOf(t.expAvgSq),
      images: this.bufferOf(t.images),
      labels: this.bufferOf(t.labels),
      order: this.bufferOf(t.order),
      epochLoss: this.bufferOf(t.epochLoss),
      act: this.act,
      grad: this.grad,
      part: this.part,
      stats: this.stats,
    };
    const means = t.runningMeans.map((m) => this.bufferOf(m));
    const vars = t.runningVars.map((v) => this.bufferOf(v));
    const key = [...Object.values(named), ...means, ...vars];
    if (this.bound && this.bound.key.length === key.length && this.bound.key.every((b, i) => b === key[i])) return this.bound.groups;
    const device = this.backend.device;
    const groups = this.compiled.map(({ kernel, layout }) => {
      const lookup = (name: string): GPUBuffer => {
        if (kernel.kind === 'statsForward' && (name === 'runningMean' || name === 'runningVar')) {
          const buffer = (name === 'runningMean' ? means : vars)[kernel.bn];
          if (!buffer) throw new Error(`no running statistics for BatchNorm ${kernel.bn}`);
          return buffer;
        }
        const buffer = (named as Record<string, GPUBuffer | undefined>)[name];
        if (!buffer) throw new Error(`fused kernel '${kernel.label}' binds unknown buffer '${name}'`);
        return buffer;
      };
      const names = bindingNames(kernel);
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: this.uniforms, offset: 0, size: STEP_RECORD_BYTES } },
        ...names.map((name, i) => ({ binding: i + 1, resource: { buffer: lookup(name) } })),
      ];
      if (readsBatchNorm(kernel)) {
        entries.push({ binding: names.length + 1, resource: { buffer: this.batchNorms, offset: kernel.bn * BATCH_NORM_STRIDE, size: BATCH_NORM_RECORD_BYTES } });
      }
      return device.createBindGroup({ label: kernel.label, layout, entries });
    });
    this.bound = { key, groups };
    return groups;
  }

  private stepRecords(steps: readonly FusedStep[]): ArrayBuffer {
    const bytes = new ArrayBuffer(steps.length * STEP_STRIDE);
    const { lr, beta1, beta2 } = this.adam;
    const eps = this.adam.eps ?? 1e-8;
    steps.forEach((s, i) => {
      const ints = new Uint32Array(bytes, i * STEP_STRIDE, 4);
      const floats = new Float32Array(bytes, i * STEP_STRIDE + 16, 8);
      ints.set([s.size, s.start, this.groupsFor(s.size), 0]);
      floats.set([lr / (1 - beta1 ** s.adamStep), Math.sqrt(1 - beta2 ** s.adamStep), beta1, 1 - beta1, beta2, 1 - beta2, eps, 0]);
    });
    return bytes;
  }

  private groupsFor(size: number): number {
    return Math.min(size, this.layout.maxGroups);
  }

  /** Checks the steps, binds the tensors, and puts tfjs's pending work on the queue ahead of the step's. */
  private prepareRun(steps: readonly FusedStep[], tensors: FusedTensors): GPUBindGroup[] {
    for (const s of steps) {
      if (!Number.isInteger(s.size) || s.size < 1 || s.size > this.layout.capacity) {
        throw new Error(`a fused step takes 1..${this.layout.capacity} images, got ${s.size}`);
      }
    }
    const groups = this.bindGroups(tensors);
    // tfjs records lazily: its pending uploads and ops must reach the queue before this step's work.
    this.backend.ensureCommandEncoderReady();
    this.backend.endComputePassEncoder();
    this.backend.submitQueue();
    return groups;
  }

  /** Drops tfjs's CPU copies of the tensors the step changed, so that reads see the GPU's values. */
  private forgetCpuCopies(tensors: FusedTensors): void {
    for (const t of [tensors.params, tensors.expAvg, tensors.expAvgSq, tensors.epochLoss, ...tensors.runningMeans, ...tensors.runningVars]) {
      const data = this.backend.tensorMap.get(t.dataId);
      if (data) data.values = null;
    }
  }

  private dispatch(pass: GPUComputePassEncoder, k: number, group: GPUBindGroup, record: number, size: number): void {
    const { kernel, pipeline } = this.compiled[k] as Compiled;
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group, [record * STEP_STRIDE]);
    if (kernel.kind === 'pass') pass.dispatchWorkgroups(this.groupsFor(size));
    else if (kernel.kind === 'adam') pass.dispatchWorkgroups(Math.ceil(this.layout.params / ADAM_PARAMS_PER_WORKGROUP));
    else pass.dispatchWorkgroups(kernel.channels);
  }

  /** Trains the given steps in order, up to STEPS_PER_SUBMIT of them in one compute pass and one submit. */
  run(steps: readonly FusedStep[], tensors: FusedTensors): void {
    const { device } = this.backend;
    device.pushErrorScope('validation');
    const groups = this.prepareRun(steps, tensors);
    for (let first = 0; first < steps.length; first += STEPS_PER_SUBMIT) {
      const chunk = steps.slice(first, first + STEPS_PER_SUBMIT);
      device.queue.writeBuffer(this.uniforms, 0, this.stepRecords(chunk));
      const encoder = device.createCommandEncoder({ label: 'fused training steps' });
      const pass = encoder.beginComputePass();
      chunk.forEach((s, i) => {
        groups.forEach((group, k) => this.dispatch(pass, k, group, i, s.size));
      });
      pass.end();
      device.queue.submit([encoder.finish()]);
    }
    this.pendingErrors.push(device.popErrorScope());
    this.forgetCpuCopies(tensors);
  }

  /**
   * Trains one step with every kernel in its own timed compute pass and returns each kernel's GPU
   * time, in dispatch order. Needs the device's `timestamp-query` feature.
   */
  async profile(step: FusedStep, tensors: FusedTensors): Promise<{ label: string; ms: number }[]> {
    const { device } = this.backend;
    if (!device.features.has('timestamp-query')) throw new Error('this WebGPU device has no timestamp queries');
    const groups = this.prepareRun([step], tensors);
    const count = this.compiled.length * 2;
    const querySet = device.createQuerySet({ type: 'timestamp', count });
    const resolved = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const staging = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(this.uniforms, 0, this.stepRecords([step]));
    const encoder = device.createCommandEncoder({ label: 'fused training step, timed' });
    groups.forEach((group, k) => {
      const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 } });
      this.dispatch(pass, k, group, 0, step.size);
      pass.end();
    });
    encoder.resolveQuerySet(querySet, 0, count, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, staging, 0, count * 8);
    device.queue.submit([encoder.finish()]);
    this.forgetCpuCopies(tensors);
    await staging.mapAsync(GPUMapMode.READ);
    const times = new BigInt64Array(staging.getMappedRange().slice(0));
    staging.destroy();
    resolved.destroy();
    querySet.destroy();
    return this.compiled.map(({ kernel }, k) => ({ label: kernel.label, ms: Number((times[2 * k + 1] ?? 0n) - (times[2 * k] ?? 0n)) / 1e6 }));
  }

  /**
   * The mean loss of the last batch trained (waits for the GPU). Throws, saying so, when the steps
   * since the last call failed WebGPU validation or the GPU was lost.
   */
  async lastLoss(): Promise<number> {
    const { device } = this.backend;
    const errors = (await Promise.all(this.pendingErrors.splice(0))).filter((e): e is GPUError => e !== null);
    if (errors.length > 0) throw new Error(`the fused WebGPU training step was rejected by WebGPU: ${errors.map((e) => e.message).join('; ')}`);
    const staging = device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(this.stats, this.layout.lastLoss * 4, staging, 0, 4);
    device.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(GPUMapMode.READ);
    } catch (error) {
      throw new Error(`the GPU stopped answering during fused training (${error instanceof Error ? error.message : String(error)}); the trial can resume from its last saved epoch`);
    }
    const value = new Float32Array(staging.getMappedRange().slice(0))[0] ?? Number.NaN;
    staging.destroy();
    return value;
  }

  /** Frees the step's own buffers (the tfjs tensors stay with their owners). */
  dispose(): void {
    for (const b of [this.act, this.grad, this.part, this.stats, this.uniforms, this.batchNorms]) b.destroy();
    this.bound = null;
  }
}
