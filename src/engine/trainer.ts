import type { MnistSplit } from '../data/idx';
import type { EngineName } from './stepEngine';
import { startEngine, type EngineChoice } from './engines';
import { precompileFusedWebGpu } from './fusedWebGpuEngine';
import type { Architecture, Hyperparameters } from '../model/architecture';
import { getArchitecture, trialHyperparameters } from '../model/registry';
import { countParameters } from '../model/spec';
import { toTorchStateDict, type NetworkValues, type TorchStateDict } from '../model/stateDict';
import type { AdamState } from '../train/adam';
import { initialValues } from '../train/init';
import { augmentImages, augments, recipeOf } from '../train/recipe';
import { Rng } from '../train/rng';

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
  /** The engine that trains: `auto` (default) takes the fastest that applies here. */
  engine?: EngineChoice;
}

/** Which engine trains the steps, in the user's words, and why a faster one did not. */
export interface TrainingEngine {
  /** The engine's name (`fused-cpu`, `fused-webgpu`, `tfjs`). */
  engine: EngineName;
  /** What trains, e.g. "fused WebGPU kernels" or "tfjs wasm". */
  name: string;
  /** Why a faster engine is not used, when one could have been. */
  note?: string;
}

/** How a call to `run` ended. */
export interface RunResult {
  status: 'completed' | 'stopped';
  history: EpochReport[];
}

/** A trial's trainer: the epoch loop, the shuffle and the history, over one step engine. */
export interface Trainer {
  readonly architecture: Architecture;
  readonly totalParams: number;
  readonly history: readonly EpochReport[];
  /** The engine that trains, and why a faster one does not. */
  readonly engine: TrainingEngine;
  /** Trains until `max_num_epochs` or until the signal aborts (then resumable by calling again). */
  run(): Promise<RunResult>;
  /** Validation loss and accuracy of the current weights (evaluation mode). */
  evaluate(): Promise<{ val_loss: number; val_acc: number }>;
  /** Logits [N x classes] for images given as 0..255 bytes or 0..1 floats, 28x28 each. */
  predict(pixels: Uint8Array | Float32Array): Promise<Float32Array>;
  /** The full training state. */
  readState(): Promise<TrainingState>;
  /** PyTorch's `state_dict` for network values read by `readState`. */
  torchStateDictOf(values: NetworkValues): TorchStateDict;
  /** Replaces the full training state, so `run` continues the saved run exactly. */
  restoreState(state: TrainingState): void;
  /** The model's PyTorch `state_dict`, in order. */
  torchStateDict(): Promise<TorchStateDict>;
  /** Frees everything the engine holds. */
  dispose(): void;
}

/** The architecture and its hyperparameters (f1, f2, ...) named by a trial's config. */
function modelOf(config: TrainConfig): { architecture: Architecture; hyperparameters: Hyperparameters } {
  const architecture = getArchitecture(config.model);
  return { architecture, hyperparameters: trialHyperparameters(config, architecture) };
}

/**
 * Starts compiling what a trial with this config will train with, where that takes a while (the
 * fused WebGPU kernels), so that it overlaps loading the data. Does nothing elsewhere.
 */
export function precompileTraining(config: TrainConfig): void {
  try {
    precompileFusedWebGpu({ ...modelOf(config), batchSize: config.batch_size });
  } catch {
    // A config the trainer rejects is reported when the trainer is built.
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Builds a trainer: seeded PyTorch-default initialisation, then the engine started with the data. */
export async function createTrainer(options: TrainerOptions): Promise<Trainer> {
  const { config } = options;
  const { architecture, hyperparameters } = modelOf(config);
  const progressEvery = options.progressEvery ?? 20;
  const evalBatchSize = options.evalBatchSize ?? 1000;
  const batchSize = config.batch_size;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch_size must be a positive integer, got ${batchSize}`);

  let rng = new Rng(config.seed);
  const spec = architecture.spec(hyperparameters);
  const train = limitedSplit(options.data.train, options.trainLimit);
  const val = limitedSplit(options.data.test, options.valLimit);
  const stepsPerEpoch = Math.ceil(train.count / batchSize);
  // Schedules span the whole run, as a PyTorch scheduler built with total_steps = epochs x steps does.
  const recipe = recipeOf(config, config.max_num_epochs * stepsPerEpoch);
  const started = await startEngine(options.engine ?? 'auto', {
    architecture,
    hyperparameters,
    adam: { lr: config.lr, beta1: config.beta1, beta2: config.beta2 },
    batchSize,
    train,
    val,
    initial: initialValues(spec, rng),
    recipe,
  });
  const { engine } = started;
  /** The epoch whose augmented images the engine holds (augmentation depends on the seed and epoch only). */
  let augmentedEpoch: number | null = null;

  let epoch = 0;
  let stepInEpoch = 0;
  let permutation: Int32Array | null = null;
  const history: EpochReport[] = [];
  const evaluate = () => engine.evaluate(evalBatchSize);

  /** Trains from stepInEpoch up to the next progress report; returns the last batch's loss. */
  const trainUntilReport = (order: Int32Array): Promise<number> => {
    const until = Math.min(stepsPerEpoch, (Math.floor(stepInEpoch / progressEvery) + 1) * progressEvery);
    const steps = [];
    for (let s = stepInEpoch; s < until; s++) {
      const start = s * batchSize;
      steps.push({ start, size: Math.min(batchSize, train.count - start) });
    }
    stepInEpoch = until;
    return engine.train(order, steps);
  };

  const run = async (): Promise<RunResult> => {
    while (epoch < config.max_num_epochs) {
      const epochStarted = performance.now();
      const firstStep = stepInEpoch;
      if (!permutation) {
        permutation = rng.permutation(train.count);
        engine.startEpoch();
      }
      if (augments(recipe.augment) && augmentedEpoch !== epoch) {
        engine.setTrainImages(augmentImages(train.images, recipe.augment, config.seed, epoch));
        augmentedEpoch = epoch;
      }
      while (stepInEpoch < stepsPerEpoch) {
        if (options.signal?.aborted) return { status: 'stopped', history: [...history] };
        const loss = await trainUntilReport(permutation);
        options.onProgress?.({ epoch: epoch + 1, step: stepInEpoch, steps_per_epoch: stepsPerEpoch, loss });
        await yieldToEventLoop();
      }
      const lossSum = await engine.epochLossSum();
      const trainSeconds = (performance.now() - epochStarted) / 1000;
      const samples = train.count - Math.min(firstStep * batchSize, train.count);
      const metrics = await evaluate();
      epoch += 1;
      stepInEpoch = 0;
      permutation = null;
      const report: EpochReport = {
        epoch,
        train_loss: lossSum / train.count,
        val_loss: metrics.val_loss,
        val_acc: metrics.val_acc,
        total_params: countParameters(spec),
        time_s: (performance.now() - epochStarted) / 1000,
        samples_per_s: samples / trainSeconds,
      };
      history.push(report);
      await options.onEpoch?.(report);
    }
    return { status: 'completed', history: [...history] };
  };

  const readState = async (): Promise<TrainingState> => {
    // The counters are taken before the reads so that the state is one consistent moment.
    const counters = {
      epoch,
      stepInEpoch,
      permutation: permutation ? Int32Array.from(permutation) : null,
      rng: rng.state(),
      history: history.map((h) => ({ ...h })),
    };
    const { network, adam, epochLossSum } = await engine.readState();
    return { ...counters, network, adam, epochLossSum };
  };

  return {
    architecture,
    totalParams: countParameters(spec),
    history,
    engine: { engine: engine.name, name: engine.description, ...(started.note ? { note: started.note } : {}) },
    run,
    evaluate,
    predict: (pixels) => engine.predict(pixels),
    readState,
    torchStateDictOf: (values) => toTorchStateDict(spec, values),
    restoreState(state) {
      engine.writeState({ network: state.network, adam: state.adam, epochLossSum: state.epochLossSum });
      epoch = state.epoch;
      stepInEpoch = state.stepInEpoch;
      permutation = state.permutation ? Int32Array.from(state.permutation) : null;
      rng = new Rng(state.rng);
      history.splice(0, history.length, ...state.history.map((h) => ({ ...h })));
    },
    torchStateDict: async () => toTorchStateDict(spec, (await engine.readState()).network),
    dispose: () => engine.dispose(),
  };
}

/** The first `limit` samples of a split (all of them by default), checked. */
function limitedSplit(split: MnistSplit, limit: number = split.count): MnistSplit {
  if (!Number.isInteger(limit) || limit < 1 || limit > split.count) {
    throw new Error(`cannot take ${limit} samples from a split of ${split.count}`);
  }
  return { count: limit, images: split.images.subarray(0, limit * 28 * 28), labels: split.labels.subarray(0, limit) };
}
