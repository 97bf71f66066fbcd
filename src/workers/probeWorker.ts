/** The page's side of the backend-probe Worker: one measurement per Worker, which ends with it. */
import type { RuntimeProbe } from '../backend/choice';
import type { TrainingProbeResult } from '../backend/probeDecision';
import type { ProbeRequest, ProbeResponse } from './probeProtocol';
import { requestChannel, type ProtocolPort } from './requestChannel';

/** The part of a Worker the proxy uses; tests may pass an in-process stand-in. */
export type ProbePort = ProtocolPort<ProbeRequest, ProbeResponse>;

/** Starts the backend-probe Worker from the bundled module. */
function spawnProbeWorker(): ProbePort {
  return new Worker(new URL('./probe.worker.ts', import.meta.url), { type: 'module', name: 'backend-probe' });
}

/** Measures the candidate backends in a fresh Worker and terminates it once the result is in. */
export async function measureBackendsInWorker(runtime: RuntimeProbe, port: ProbePort = spawnProbeWorker()): Promise<TrainingProbeResult> {
  const request = requestChannel(port, 'backend probe', () => false);
  try {
    return (await request({ kind: 'measure', runtime }, 'measured')).result;
  } finally {
    port.terminate();
  }
}
