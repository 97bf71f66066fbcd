/**
 * The one protocol between the page and the backend-probe Worker, which measures each candidate
 * backend once at start-up. Every request carries an id and ends in exactly one reply (`measured`
 * or `error`) with that id.
 */
import type { RuntimeProbe } from '../backend/choice';
import type { TrainingProbeResult } from '../backend/probeDecision';
import type { ErrorReply } from './message';

export type ProbeRequest = { kind: 'measure'; id: number; runtime: RuntimeProbe };

export type ProbeResponse =
  | { kind: 'measured'; id: number; result: TrainingProbeResult }
  | ErrorReply;
