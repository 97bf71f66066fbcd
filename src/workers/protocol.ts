/**
 * The one protocol between the page and a trial Worker. Every request carries an id and ends in
 * exactly one reply (`finished`, `stopped`, `snapshot`, `logits`, `disposed` or `error`) with that
 * id; `started`, `progress`, `epoch` and `heartbeat` are events of a running `train` request. A
 * `fault` request has no reply: it breaks the Worker on purpose, for the studio's failure tests.
 */
import type { EpochReport, RunResult, StepProgress } from '../engine/trainer';
import type { TrialFault, TrialRun, TrialSnapshot, TrialStarted } from '../tune/trial';
import type { ErrorReply } from './message';

export type TrialRequest =
  | { kind: 'train'; id: number; run: TrialRun }
  | { kind: 'stop'; id: number }
  | { kind: 'snapshot'; id: number }
  | { kind: 'predict'; id: number; pixels: Float32Array }
  | { kind: 'dispose'; id: number }
  | { kind: 'fault'; id: number; fault: TrialFault };

export type TrialResponse =
  | { kind: 'started'; id: number; started: TrialStarted }
  | { kind: 'progress'; id: number; progress: StepProgress }
  | { kind: 'epoch'; id: number; report: EpochReport; snapshot: TrialSnapshot }
  | { kind: 'heartbeat'; id: number }
  | { kind: 'finished'; id: number; result: RunResult }
  | { kind: 'stopped'; id: number }
  | { kind: 'snapshot'; id: number; snapshot: TrialSnapshot }
  | { kind: 'logits'; id: number; logits: Float32Array }
  | { kind: 'disposed'; id: number }
  /** `deviceLost` when the request failed because the GPU device was lost. */
  | (ErrorReply & { deviceLost?: boolean });
