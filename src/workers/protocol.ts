/**
 * The one protocol between the page and a trial Worker. Every request carries an id and ends in
 * exactly one reply (`finished`, `stopped`, `snapshot`, `logits`, `disposed` or `error`) with that
 * id; `started`, `progress`, `epoch` and `heartbeat` are events of a running `train` request. A
 * `fault` request has no reply: it breaks the Worker on purpose, for the studio's failure tests.
 */
import type { EpochReport, RunResult, StepProgress } from '../engine/trainer';
import type { TrialFault, TrialRun, TrialSnapshot, TrialStarted } from '../tune/trial';

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
