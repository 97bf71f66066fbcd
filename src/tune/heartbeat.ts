/**
 * How a trial Worker shows it is alive. The Worker posts a heartbeat at least every
 * HEARTBEAT_INTERVAL_MS while it trains, and at least once per epoch, from the training loop between
 * steps (a timer alone would go on firing while the loop waits forever on a GPU that stopped
 * answering). The page ends a trial Worker silent for longer than WORKER_SILENCE_TIMEOUT_MS and
 * fails its trial; the timeout is generous because a slow machine can take many seconds per chunk.
 */

/** Most time between two heartbeats from a training Worker. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/** Silence after which the page treats a trial Worker as hung and ends it. */
export const WORKER_SILENCE_TIMEOUT_MS = 60_000;

/** The trial's error when its Worker went silent past the timeout. */
export function hungWorkerMessage(timeoutMs: number = WORKER_SILENCE_TIMEOUT_MS): string {
  const silence = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
  return `the trial's Worker stopped responding for ${silence}`;
}

/** The trial's error when its Worker crashed (an `error` or `messageerror` event). */
export function crashedWorkerMessage(detail: string): string {
  return `the trial's Worker crashed: ${detail || 'unknown error'}`;
}
