/// <reference lib="webworker" />
/** A Web Worker that trains one trial at a time on its own tfjs backend. */
import { handleRequest } from './host';
import { createLocalEngine } from './localEngine';
import type { TrialRequest } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const engine = createLocalEngine();

self.addEventListener('message', (event: MessageEvent<TrialRequest>) => {
  void handleRequest(engine, event.data, (response, transfer = []) => self.postMessage(response, transfer));
});
