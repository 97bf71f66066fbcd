import { describe, expect, it } from 'vitest';
import { crashedWorkerMessage, HEARTBEAT_INTERVAL_MS, hungWorkerMessage, WORKER_SILENCE_TIMEOUT_MS } from './heartbeat';

describe('trial Worker heartbeat constants', () => {
  it('waits through many missed heartbeats before calling a Worker hung', () => {
    expect(WORKER_SILENCE_TIMEOUT_MS).toBeGreaterThanOrEqual(10 * HEARTBEAT_INTERVAL_MS);
  });

  it('words the reasons a trial ends in ERROR', () => {
    expect(hungWorkerMessage()).toBe("the trial's Worker stopped responding for 60 s");
    expect(hungWorkerMessage(250)).toBe("the trial's Worker stopped responding for 250 ms");
    expect(crashedWorkerMessage('out of memory')).toBe("the trial's Worker crashed: out of memory");
    expect(crashedWorkerMessage('')).toBe("the trial's Worker crashed: unknown error");
  });
});
