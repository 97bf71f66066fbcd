/// <reference lib="webworker" />
/** A Web Worker that trains one trial at a time on its own tfjs backend. */
import { NO_REPLY, serveWorker } from './host';
import { createLocalEngine } from './localEngine';
import type { TrialFault } from '../tune/trial';
import type { TrialRequest, TrialResponse } from './protocol';
import { TRIAL_HOST_OPTIONS, trialHandlers } from './trialHost';

declare const self: DedicatedWorkerGlobalScope;

const engine = createLocalEngine();

/** Breaks this Worker as asked (the studio's failure tests): the page must notice each on its own. */
function breakWorker(fault: TrialFault): void {
  switch (fault) {
    case 'crash':
      // Uncaught, so the page's Worker gets an `error` event.
      setTimeout(() => {
        throw new Error('fault injected: the trial Worker crashed');
      }, 0);
      return;
    case 'hang':
      // Blocks the thread for good: no heartbeat, no reply, until the page terminates the Worker.
      for (;;) {
        // busy
      }
    case 'exit':
      // Ends the Worker without an event: the page sees only silence.
      self.close();
      return;
    case 'lose-device':
      engine.injectFault?.(fault);
      return;
  }
}

serveWorker<TrialRequest, TrialResponse>(
  self,
  {
    ...trialHandlers(engine),
    fault: (request) => {
      breakWorker(request.fault);
      return NO_REPLY;
    },
  },
  TRIAL_HOST_OPTIONS,
);
