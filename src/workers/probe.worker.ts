/// <reference lib="webworker" />
/** A Web Worker that runs the start-up training probe, whose backend switching must not touch the page's tfjs. */
import { messageOf } from '../studioError';
import { runTrainingProbe } from '../backend/trainingProbe';
import type { ProbeRequest, ProbeResponse } from './probeProtocol';

declare const self: DedicatedWorkerGlobalScope;

self.addEventListener('message', (event: MessageEvent<ProbeRequest>) => {
  const { id, runtime } = event.data;
  const post = (response: ProbeResponse) => self.postMessage(response);
  runTrainingProbe(runtime, self.navigator.userAgent).then(
    (result) => post({ kind: 'measured', id, result }),
    (error: unknown) => post({ kind: 'error', id, message: messageOf(error) }),
  );
});
