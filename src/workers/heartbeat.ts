/**
 * How a trial Worker shows it is alive (issue 18, item 4). The Worker posts a heartbeat at least
 * every HEARTBEAT_INTERVAL_MS while it trains, and at least once per epoch, from the training loop
 * between steps (a timer alone would not fire while a long synchronous step blocks the Worker). The
 * page ends a trial Worker silent for longer than WORKER_SILENCE_TIMEOUT_MS and marks its trial ERROR;
 * the timeout is generous because a slow machine can take many seconds per chunk.
 */

/** Most time between two heartbeats from a training Worker. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/** Silence after which the page treats a trial Worker as hung and ends it. */
export const WORKER_SILENCE_TIMEOUT_MS = 60_000;

/** The trial's error when its Worker went silent past the timeout. */
export function hungWorkerMessage(timeoutMs: number = WORKER_SILENCE_TIMEOUT_MS): string {
  return `the trial's Worker stopped responding for ${Math.round(timeoutMs / 1000)} s`;
}

/** The trial's error when its Worker crashed (an `error` or `messageerror` event). */
export function crashedWorkerMessage(detail: string): string {
  return `the trial's Worker crashed: ${detail || 'unknown error'}`;
}
