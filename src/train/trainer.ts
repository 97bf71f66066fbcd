import * as tf from '@tensorflow/tfjs';
import type { MnistSplit } from '../data/idx';
import type { Architecture } from '../model/architecture';
import { Network } from '../model/network';
import { getArchitecture } from '../model/registry';
import { toTorchStateDict, type NetworkValues, type TorchStateDict } from '../model/stateDict';
import { Adam, type AdamState } from './adam';
import { DeviceDataset, pixelsToBatch } from './dataset';
import { initialValues } from './init';
import { Rng } from './rng';
import { crossEntropy, trainStep } from './step';
import { classifier } from '../model/classifier';
import { hyperparameter } from '../model/architecture';
import { currentWebGpuBackend, FusedTrainingStep, fusedTensors, precompileFusedKernels, type FusedStep } from './fused/engine';
import { fusedLayout } from './fused/layout';

/** One trial's settings, named as in config.yaml. Architecture hyperparameters (f1, f2, ...) sit beside them. */
export interface TrainConfig {
  /** Registered architecture name; 'Classifier' when absent. */
  model?: string;
  lr: number;
  beta1: number;
  beta2: number;
  batch_size: number;
  seed: number;
  max_num_epochs: number;
  [hyperparameter: string]: number | string | undefined;
}

/** The metrics reported after every epoch (the tuner's `val_acc` is the one it maximises). */
export interface EpochReport {
  epoch: number;
  train_loss: number;
  val_loss: number;
  val_acc: number;
  total_params: number;
  time_s: number;
  samples_per_s: number;
}

/** Step progress, reported every `progressEvery` steps with an asynchronously read loss. */
export interface StepProgress {
  epoch: number;
  step: number;
  steps_per_epoch: number;
  loss: number;
}

/** Everything a run needs to continue exactly where it stopped, as plain arrays. */
export interface TrainingState {
  network: NetworkValues;
  adam: AdamState;
  /** Completed epochs. */
  epoch: number;
  /** Steps done in the current epoch, and that epoch's shuffle (null between epochs). */
  stepInEpoch: number;
  permutation: Int32Array | null;
  /** Sum over the current epoch's batches of loss x batch size, as the device holds it. */
  epochLossSum: number;
  rng: Uint32Array;
  history: EpochReport[];
}

export interface TrainerOptions {
  config: TrainConfig;
  data: { train: MnistSplit; test: MnistSplit };
  /** Train on the first N training images only. */
  trainLimit?: number;
  /** Validate on the first N test images only. */
  valLimit?: number;
  onProgress?: (progress: StepProgress) => void;
  /** Called after each epoch's evaluation; training waits for a returned promise (e.g. a checkpoint read). */
  onEpoch?: (report: EpochReport) => void | Promise<void>;
  /** Aborting stops the run cleanly before the next step. */
  signal?: AbortSignal;
  /** Steps between loss reads, progress reports and yields to the event loop (default 20). */
  progressEvery?: number;
  /** Validation batch size (default 1000). */
  evalBatchSize?: number;
  /** Train with the fused WebGPU kernels where they apply (default true); false keeps every step in tfjs ops. */
  fused?: boolean;
}

/** Which code trains the steps: the fused WebGPU kernels, or tfjs ops on the named backend. */
export interface TrainingEngine {
  name: string;
  /** Why the fused kernels are not used, when they could have been. */
  note?: string;
}

/** How a call to `run` ended. */
export interface RunResult {
  status: 'completed' | 'stopped';
  history: EpochReport[];
}

/** A trial's training engine on the current tfjs backend. */
export interface Trainer {
  readonly architecture: Architecture;
  readonly totalParams: number;
  readonly history: readonly EpochReport[];
  /** Compiles what training needs and says which engine trains (run calls it too). */
  prepare(): Promise<TrainingEngine>;
  /** Trains until `max_num_epochs` or until the signal aborts (then resumable by calling again). */
  run(): Promise<RunResult>;
  /** Validation loss and accuracy of the current weights (evaluation mode). */
  evaluate(): Promise<{ val_loss: number; val_acc: number }>;
  /** Logits [N x classes] for images given as 0..255 bytes or 0..1 floats, 28x28 each. */
  predict(pixels: Uint8Array | Float32Array): Promise<Float32Array>;
  /** The full training state (a sync readback: CPU and wasm backends). */
  saveState(): TrainingState;
  /** The full training state, read without blocking (any backend). */
  readState(): Promise<TrainingState>;
  /** PyTorch's `state_dict` for network values read by `saveState` or `readState`. */
  torchStateDictOf(values: NetworkValues): TorchStateDict;
  /** Replaces the full training state, so `run` continues the saved run exactly. */
  restoreState(state: TrainingState): void;
  /** The model's PyTorch `state_dict`, in order. */
  torchStateDict(): TorchStateDict;
  /** Adam's state (step and flat moments in tfjs layout; see `splitParameters` for PyTorch's). */
  adamState(): AdamState;
  /** Frees every tensor the trainer holds. */
  dispose(): void;
}

/** The fused kernels' layout for a trial, or null where they do not apply (another architecture). */
function fusedLayoutFor(config: TrainConfig): ReturnType<typeof fusedLayout> | null {
  if (getArchitecture(config.model) !== classifier) return null;
  const value = (name: string): number => hyperparameter(classifier, typeof config[name] === 'number' ? { [name]: config[name] } : {}, name);
  return fusedLayout(value('f1'), value('f2'), config.batch_size);
}

/**
 * Starts compiling what a trial with this config will train with on WebGPU, so that compilation
 * overlaps loading its data; `createTrainer` then finds it ready. Does nothing elsewhere.
 */
export function precompileTraining(config: TrainConfig): void {
  try {
    const layout = fusedLayoutFor(config);
    if (layout) precompileFusedKernels(layout);
  } catch {
    // A config the trainer rejects is reported when the trainer is built.
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Builds a trainer: seeded PyTorch-default initialisation, the data uploaded to the device once. */
export function createTrainer(options: TrainerOptions): Trainer {
  const { config } = options;
  const architecture = getArchitecture(config.model);
  const hyperparameters = Object.fromEntries(
    Object.keys(architecture.hyperparameters).flatMap((name) => (typeof config[name] === 'number' ? [[name, config[name]]] : [])),
  );
  const progressEvery = options.progressEvery ?? 20;
  const evalBatchSize = options.evalBatchSize ?? 1000;
  const batchSize = config.batch_size;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch_size must be a positive integer, got ${batchSize}`);

  let rng = new Rng(config.seed);
  const spec = architecture.spec(hyperparameters);
  const network = new Network(architecture, hyperparameters, initialValues(spec, rng));
  const adam = new Adam(network.totalParams, { lr: config.lr, beta1: config.beta1, beta2: config.beta2 });
  const train = new DeviceDataset(options.data.train, options.trainLimit ?? options.data.train.count);
  const val = new DeviceDataset(options.data.test, options.valLimit ?? options.data.test.count);
  const stepsPerEpoch = Math.ceil(train.count / batchSize);
  const epochLossSum = tf.variable(tf.scalar(0), false);
  const adamConfig = { lr: config.lr, beta1: config.beta1, beta2: config.beta2 };

  let fused: FusedTrainingStep | null = null;
  let prepared: Promise<TrainingEngine> | null = null;
  const startFused = async (): Promise<TrainingEngine> => {
    const stock: TrainingEngine = { name: `tfjs ${tf.getBackend()}` };
    const backend = currentWebGpuBackend();
    if (!backend || options.fused === false) return stock;
    if (architecture !== classifier) return { ...stock, note: `the fused kernels train the Classifier only, not ${architecture.name}` };
    try {
      const layout = fusedLayoutFor(config);
      if (!layout) return stock;
      fused = await FusedTrainingStep.create(backend, layout, adamConfig);
      return { name: 'fused WebGPU kernels' };
    } catch (error) {
      return { ...stock, note: error instanceof Error ? error.message : String(error) };
    }
  };
  const prepare = (): Promise<TrainingEngine> => (prepared ??= startFused());

  let epoch = 0;
  let stepInEpoch = 0;
  let permutation: Int32Array | null = null;
  let permutationTensor: tf.Tensor1D | null = null;
  const history: EpochReport[] = [];

  const setPermutation = (p: Int32Array | null): void => {
    permutationTensor?.dispose();
    permutation = p;
    permutationTensor = p ? tf.tensor1d(p, 'int32') : null;
  };

  const evaluate = async (): Promise<{ val_loss: number; val_acc: number }> => {
    const totals = tf.tidy(() => {
      let lossSum: tf.Tensor = tf.scalar(0);
      let correct: tf.Tensor = tf.scalar(0);
      for (let start = 0; start < val.count; start += evalBatchSize) {
        const size = Math.min(evalBatchSize, val.count - start);
        const { x, y, labels } = val.range(start, size);
        const logits = network.logits(x, 'eval');
        lossSum = tf.add(lossSum, tf.mul(crossEntropy(logits, y), size));
        correct = tf.add(correct, tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')));
      }
      return tf.stack([lossSum, correct]);
    });
    const [lossSum = 0, correct = 0] = await totals.data();
    totals.dispose();
    return { val_loss: lossSum / val.count, val_acc: correct / val.count };
  };

  /** Trains steps stepInEpoch.. up to the next progress report with the fused kernels; returns the last batch's loss. */
  const fusedSteps = async (step: FusedTrainingStep): Promise<number> => {
    const until = Math.min(stepsPerEpoch, (Math.floor(stepInEpoch / progressEvery) + 1) * progressEvery);
    const steps: FusedStep[] = [];
    for (let s = stepInEpoch; s < until; s++) {
      const start = s * batchSize;
      steps.push({ start, size: Math.min(batchSize, train.count - start), adamStep: adam.step + steps.length + 1 });
    }
    step.run(steps, fusedTensors({ network, adam }, { images: train.images, labels: train.labels, order: permutationTensor as tf.Tensor1D, epochLoss: epochLossSum }));
    adam.step += steps.length;
    network.batchesTracked += steps.length;
    stepInEpoch = until;
    return step.lastLoss();
  };

  const run = async (): Promise<RunResult> => {
    await prepare();
    while (epoch < config.max_num_epochs) {
      const started = performance.now();
      const firstStep = stepInEpoch;
      if (!permutation) {
        setPermutation(rng.permutation(train.count));
        tf.tidy(() => epochLossSum.assign(tf.scalar(0)));
      } else if (!permutationTensor) {
        setPermutation(permutation);
      }
      while (stepInEpoch < stepsPerEpoch) {
        if (options.signal?.aborted) return { status: 'stopped', history: [...history] };
        if (fused) {
          const value = await fusedSteps(fused);
          options.onProgress?.({ epoch: epoch + 1, step: stepInEpoch, steps_per_epoch: stepsPerEpoch, loss: value });
          await yieldToEventLoop();
          continue;
        }
        const start = stepInEpoch * batchSize;
        const size = Math.min(batchSize, train.count - start);
        const loss = tf.tidy(() => {
          const { x, y } = train.batch(tf.slice(permutationTensor as tf.Tensor1D, [start], [size]));
          const batchLoss = trainStep(network, adam, x, y);
          epochLossSum.assign(tf.add(epochLossSum, tf.mul(batchLoss, size)));
          return batchLoss;
        });
        stepInEpoch += 1;
        if (stepInEpoch % progressEvery === 0 || stepInEpoch === stepsPerEpoch) {
          const [value = Number.NaN] = await loss.data();
          options.onProgress?.({ epoch: epoch + 1, step: stepInEpoch, steps_per_epoch: stepsPerEpoch, loss: value });
          await yieldToEventLoop();
        }
        loss.dispose();
      }
      const [lossSum = Number.NaN] = await epochLossSum.data();
      const trainSeconds = (performance.now() - started) / 1000;
      const samples = Math.min(stepsPerEpoch * batchSize, train.count) - firstStep * batchSize;
      const metrics = await evaluate();
      epoch += 1;
      stepInEpoch = 0;
      setPermutation(null);
      const report: EpochReport = {
        epoch,
        train_loss: lossSum / train.count,
        val_loss: metrics.val_loss,
        val_acc: metrics.val_acc,
        total_params: network.totalParams,
        time_s: (performance.now() - started) / 1000,
        samples_per_s: samples / trainSeconds,
      };
      history.push(report);
      await options.onEpoch?.(report);
    }
    return { status: 'completed', history: [...history] };
  };

  return {
    architecture,
    totalParams: network.totalParams,
    history,
    prepare,
    run,
    evaluate,
    async predict(pixels) {
      const logits = tf.tidy(() => {
        const x = pixelsToBatch(pixels);
        return network.logits(x, 'eval');
      });
      const out = (await logits.data()) as Float32Array;
      logits.dispose();
      return out;
    },
    saveState() {
      return {
        network: network.readValues(),
        adam: adam.readState(),
        epoch,
        stepInEpoch,
        permutation: permutation ? Int32Array.from(permutation) : null,
        epochLossSum: epochLossSum.dataSync()[0] ?? 0,
        rng: rng.state(),
        history: history.map((h) => ({ ...h })),
      };
    },
    async readState() {
      // The counters are taken before the reads so that the state is one consistent moment.
      const counters = {
        epoch,
        stepInEpoch,
        permutation: permutation ? Int32Array.from(permutation) : null,
        rng: rng.state(),
        history: history.map((h) => ({ ...h })),
      };
      const [networkValues, adamValues, lossSum] = await Promise.all([network.readValuesAsync(), adam.readStateAsync(), epochLossSum.data()]);
      return { ...counters, network: networkValues, adam: adamValues, epochLossSum: lossSum[0] ?? 0 };
    },
    torchStateDictOf: (values) => toTorchStateDict(spec, values),
    restoreState(state) {
      network.writeValues(state.network);
      adam.writeState(state.adam);
      epoch = state.epoch;
      stepInEpoch = state.stepInEpoch;
      setPermutation(state.permutation ? Int32Array.from(state.permutation) : null);
      tf.tidy(() => epochLossSum.assign(tf.scalar(state.epochLossSum)));
      rng = new Rng(state.rng);
      history.splice(0, history.length, ...state.history.map((h) => ({ ...h })));
    },
    torchStateDict: () => toTorchStateDict(spec, network.readValues()),
    adamState: () => adam.readState(),
    dispose() {
      fused?.dispose();
      setPermutation(null);
      tf.dispose([epochLossSum]);
      network.dispose();
      adam.dispose();
      train.dispose();
      val.dispose();
    },
  };
}
