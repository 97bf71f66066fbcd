/**
 * What the search asks of one trial and what it hears back: the work order, the events before the
 * one result, the snapshot that is the trial's checkpoint, and the engine interface that both the
 * in-thread trainer and the Worker proxy (src/workers/) implement.
 */
import type { BackendReport } from '../backend/init';
import type { BackendChoice } from '../backend/choice';
import type { MnistSource } from '../data/loadMnist';
import type { EpochReport, RunResult, StepProgress, TrainConfig, TrainingEngine, TrainingState } from '../engine/trainer';
import type { TorchStateDict } from '../model/stateDict';

/** One trial's work order: its config, the data to use and the backend to ask for. */
export interface TrialRun {
  trialId: string;
  config: TrainConfig;
  backend: BackendChoice;
  /** Absolute URL of the MNIST manifest; the Worker reads the shards from IndexedDB itself. */
  manifestUrl: string;
  trainLimit?: number;
  valLimit?: number;
  /** Steps between progress events (and asynchronous loss reads). */
  progressEvery?: number;
  /** A saved state to continue from instead of a fresh initialisation. */
  resume?: TrainingState;
}

/** What a Worker reports once its backend and data are ready and training begins. */
export interface TrialStarted {
  trialId: string;
  backend: BackendReport;
  /** What trains the steps (the fused WebGPU kernels or tfjs ops), and why not the fused kernels where it says. */
  engine: TrainingEngine;
  dataSource: MnistSource;
  trainCount: number;
  valCount: number;
  totalParams: number;
}

/** The trial's weights and optimizer state, enough to export a checkpoint or resume. */
export interface TrialSnapshot {
  config: TrainConfig;
  state: TrainingState;
  stateDict: TorchStateDict;
}

/**
 * Ways to break a trial Worker on purpose (the studio's failure tests): throw an uncaught error,
 * block its thread forever, close it from inside, or lose its GPU device.
 */
export const TRIAL_FAULTS = ['crash', 'hang', 'exit', 'lose-device'] as const;
export type TrialFault = (typeof TRIAL_FAULTS)[number];

/**
 * The trial's GPU device was lost (a driver reset, the GPU ran out of memory). The trial keeps its
 * last checkpoint and can go on with another backend, whatever max_failures says.
 */
export class DeviceLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceLostError';
  }
}

/** The events a running trial emits before its one reply. */
export interface TrialEvents {
  onStarted?: (started: TrialStarted) => void;
  onProgress?: (progress: StepProgress) => void;
  /** After each epoch, with the trial's state at that epoch's end (its checkpoint). */
  onEpoch?: (report: EpochReport, snapshot: TrialSnapshot) => void;
  /** The Worker is alive: from the training loop between chunks of steps, and at least once per epoch. */
  onHeartbeat?: () => void;
}

/**
 * One trial's engine. The in-Worker implementation trains; the page's proxy forwards to a Worker;
 * both honour the same contract, so tests can run either.
 */
export interface TrialEngine {
  /** Trains until `max_num_epochs` or `stop()`; rejects with the trial's error (a `DeviceLostError` when the GPU was lost). */
  train(run: TrialRun, events?: TrialEvents): Promise<RunResult>;
  /** Asks a running `train` to end before its next step; resolves once it has been asked. */
  stop(): Promise<void>;
  /** The current weights and optimizer state. */
  snapshot(): Promise<TrialSnapshot>;
  /** Logits, 10 per image, for 28x28 images given as 0..1 floats. */
  predict(pixels: Float32Array): Promise<Float32Array>;
  /** Frees the engine's tensors (and, for the proxy, terminates the Worker). */
  dispose(): Promise<void>;
  /**
   * Ends the engine at once, without asking it (a hung Worker is terminated); every request still
   * waiting fails. Absent where there is nothing to end (an in-process stand-in).
   */
  terminate?(): void;
  /** Breaks the engine on purpose, for the studio's failure tests; absent where that cannot be done. */
  injectFault?(fault: TrialFault): void;
}
