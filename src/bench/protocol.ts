/**
 * The one protocol between the benchmark page and its Worker. Every request carries an id and ends
 * in exactly one reply with that id: `started` or `measured`, or `error`.
 */
import type { BackendName } from '../backend/choice';
import type { EngineName } from '../engine/stepEngine';
import type { ErrorReply } from '../workers/message';

/** How long to time one backend at one batch size. */
export interface MeasurePlan {
  engine: EngineName;
  batch: number;
  /** A fixed number of timed steps; without it the step count follows `budgetSeconds`. */
  steps?: number;
  /** Roughly how long the timed loop should run, estimated from one steady-state step. */
  budgetSeconds: number;
  /** Fewest timed steps, however slow a step is. */
  minSteps: number;
  /** Most timed steps, however fast a step is. */
  maxSteps: number;
  seed: number;
  /** Time each part of one step too, where the engine can (the fused engines). */
  profile?: boolean;
}

/** One part of a step (a fused kernel, a layer's loop nest) and its time in one step. */
export interface KernelTime {
  label: string;
  ms: number;
}

/** The backend a Worker runs on, and the device under it in a few words. */
export interface BenchBackend {
  backend: BackendName;
  adapter: string;
}

/** One backend's training speed at one batch size. */
export interface Measurement extends BenchBackend {
  engine: EngineName;
  batch: number;
  /** Timed steady-state steps. */
  steps: number;
  samplesPerSecond: number;
  msPerStep: number;
  /** The first step on fresh tensors, synced: kernel compilation and allocation included. */
  firstStepMs: number;
  /** GPU dispatches in one steady-state step on WebGPU; null on other backends. */
  dispatchesPerStep: number | null;
  /** Each part's time in one step, when the plan asked for a profile. */
  kernels?: KernelTime[];
}

/** Start exactly this backend (no fallback) in the Worker. */
export interface StartRequest {
  kind: 'start';
  id: number;
  backend: BackendName;
}

/** Time training at one batch size on the started backend. */
export interface MeasureRequest {
  kind: 'measure';
  id: number;
  plan: MeasurePlan;
}

export type BenchRequest = StartRequest | MeasureRequest;

export interface StartedResponse {
  kind: 'started';
  id: number;
  started: BenchBackend;
}

export interface MeasuredResponse {
  kind: 'measured';
  id: number;
  measurement: Measurement;
}

export type BenchResponse = StartedResponse | MeasuredResponse | ErrorReply;
