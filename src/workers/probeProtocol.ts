/**
 * The one protocol between the page and the backend-probe Worker, which measures each candidate
 * backend once at start-up. Every request carries an id and ends in exactly one reply (`measured`
 * or `error`) with that id.
 */
import type { RuntimeProbe } from '../backend/choice';
import type { TrainingProbeResult } from '../backend/probeDecision';

/** Request kinds, page to Worker. */
export const PROBE_REQUESTS = { measure: 'measure' } as const;

/** Response kinds, Worker to page. */
export const PROBE_RESPONSES = { measured: 'measured', error: 'error' } as const;

export type ProbeRequest = { kind: typeof PROBE_REQUESTS.measure; id: number; runtime: RuntimeProbe };

export type ProbeResponse =
  | { kind: typeof PROBE_RESPONSES.measured; id: number; result: TrainingProbeResult }
  | { kind: typeof PROBE_RESPONSES.error; id: number; message: string };
