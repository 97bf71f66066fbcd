/** The benchmark page: one Worker per backend, driven by `npm run bench` through `window.digitBench`. */
import type { BackendName } from '../backend/choice';
import { requestChannel, type Channel } from '../workers/requestChannel';
import type { BenchPageApi } from './pageApi';
import type { BenchBackend, BenchRequest, BenchResponse, Measurement, MeasurePlan } from './protocol';

/** A backend's Worker and the channel its requests go through. */
interface BenchWorker {
  worker: Worker;
  request: Channel<BenchRequest, BenchResponse>;
}

const workers = new Map<BackendName, BenchWorker>();

function workerFor(backend: BackendName): BenchWorker {
  const worker = workers.get(backend);
  if (!worker) throw new Error(`${backend} has not been started`);
  return worker;
}

const api: BenchPageApi = {
  async start(backend: BackendName): Promise<BenchBackend> {
    api.stop(backend);
    const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' });
    const request = requestChannel<BenchRequest, BenchResponse>(worker, 'benchmark', () => false, {
      crashError: (detail) => new Error(detail || 'the benchmark Worker failed'),
    });
    workers.set(backend, { worker, request });
    return (await request({ kind: 'start', backend }, 'started')).started;
  },
  async measure(backend: BackendName, plan: MeasurePlan): Promise<Measurement> {
    return (await workerFor(backend).request({ kind: 'measure', plan }, 'measured')).measurement;
  },
  stop(backend: BackendName): void {
    workers.get(backend)?.worker.terminate();
    workers.delete(backend);
  },
  cores: () => navigator.hardwareConcurrency,
};

window.digitBench = api;
