/**
 * The one protocol between the page and a trial Worker. Every request carries an id and ends in
 * exactly one reply (`finished`, `stopped`, `snapshot`, `logits`, `disposed` or `error`) with that
 * id; `started`, `progress`, `epoch` and `heartbeat` are events of a running `train` request. A
 * `fault` request has no reply: it breaks the Worker on purpose, for the studio's failure tests.
 */
import type { BackendReport } from '../backend/init';
import type { BackendChoice } from '../backend/choice';
import type { MnistSource } from '../data/loadMnist';
import type { TorchStateDict } from '../model/stateDict';
import type { EpochReport, RunResult, StepProgress, TrainConfig, TrainingEngine, TrainingState } from '../train/trainer';

/** Request kinds, page to Worker. */
export const TRIAL_REQUESTS = {
  train: 'train',
  stop: 'stop',
  snapshot: 'snapshot',
  predict: 'predict',
  dispose: 'dispose',
  fault: 'fault',
} as const;

/** Response kinds, Worker to page. */
export const TRIAL_RESPONSES = {
  started: 'started',
  progress: 'progress',
  epoch: 'epoch',
  heartbeat: 'heartbeat',
  finished: 'finished',
  stopped: 'stopped',
  snapshot: 'snapshot',
  logits: 'logits',
  disposed: 'disposed',
  error: 'error',
} as const;

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

export type TrialRequest =
  | { kind: typeof TRIAL_REQUESTS.train; id: number; run: TrialRun }
  | { kind: typeof TRIAL_REQUESTS.stop; id: number }
  | { kind: typeof TRIAL_REQUESTS.snapshot; id: number }
  | { kind: typeof TRIAL_REQUESTS.predict; id: number; pixels: Float32Array }
  | { kind: typeof TRIAL_REQUESTS.dispose; id: number }
  | { kind: typeof TRIAL_REQUESTS.fault; id: number; fault: TrialFault };

export type TrialResponse =
  | { kind: typeof TRIAL_RESPONSES.started; id: number; started: TrialStarted }
  | { kind: typeof TRIAL_RESPONSES.progress; id: number; progress: StepProgress }
  | { kind: typeof TRIAL_RESPONSES.epoch; id: number; report: EpochReport; snapshot: TrialSnapshot }
  | { kind: typeof TRIAL_RESPONSES.heartbeat; id: number }
  | { kind: typeof TRIAL_RESPONSES.finished; id: number; result: RunResult }
  | { kind: typeof TRIAL_RESPONSES.stopped; id: number }
  | { kind: typeof TRIAL_RESPONSES.snapshot; id: number; snapshot: TrialSnapshot }
  | { kind: typeof TRIAL_RESPONSES.logits; id: number; logits: Float32Array }
  | { kind: typeof TRIAL_RESPONSES.disposed; id: number }
  /** `deviceLost` when the request failed because the GPU device was lost. */
  | { kind: typeof TRIAL_RESPONSES.error; id: number; message: string; deviceLost?: boolean };

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
