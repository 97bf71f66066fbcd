/// <reference lib="webworker" />
/** A Web Worker that runs the start-up training probe, whose backend switching must not touch the page's tfjs. */
import { runTrainingProbe } from '../backend/trainingProbe';
import { reply, serveWorker } from './host';
import type { ProbeRequest, ProbeResponse } from './probeProtocol';

declare const self: DedicatedWorkerGlobalScope;

serveWorker<ProbeRequest, ProbeResponse>(self, {
  measure: async (request) => reply({ kind: 'measured', result: await runTrainingProbe(request.runtime, self.navigator.userAgent) }),
});
