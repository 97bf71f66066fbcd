/** The benchmark page: one Worker per backend, driven by `npm run bench` through `window.digitBench`. */
import type { BackendName } from '../backend/choice';
import type { BenchPageApi } from './pageApi';
import { BENCH_REQUESTS, type BenchBackend, type BenchRequest, type BenchResponse, type Measurement, type MeasurePlan } from './protocol';

const workers = new Map<BackendName, Worker>();
let nextId = 1;

/** Sends one request and resolves with its one reply, or rejects with the Worker's error. */
function ask(worker: Worker, request: BenchRequest): Promise<BenchResponse> {
  return new Promise((resolve, reject) => {
    const onMessage = (event: MessageEvent<BenchResponse>): void => {
      if (event.data.id !== request.id) return;
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      if (event.data.kind === 'error') reject(new Error(event.data.message));
      else resolve(event.data);
    };
    const onError = (event: ErrorEvent): void => {
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      reject(new Error(event.message || 'the benchmark Worker failed'));
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
    worker.postMessage(request);
  });
}

function workerFor(backend: BackendName): Worker {
  const worker = workers.get(backend);
  if (!worker) throw new Error(`${backend} has not been started`);
  return worker;
}

const api: BenchPageApi = {
  async start(backend: BackendName): Promise<BenchBackend> {
    api.stop(backend);
    const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' });
    workers.set(backend, worker);
    const reply = await ask(worker, { kind: BENCH_REQUESTS.start, id: nextId++, backend });
    if (reply.kind !== 'started') throw new Error(`unexpected reply ${reply.kind}`);
    return reply.started;
  },
  async measure(backend: BackendName, plan: MeasurePlan): Promise<Measurement> {
    const reply = await ask(workerFor(backend), { kind: BENCH_REQUESTS.measure, id: nextId++, plan });
    if (reply.kind !== 'measured') throw new Error(`unexpected reply ${reply.kind}`);
    return reply.measurement;
  },
  stop(backend: BackendName): void {
    workers.get(backend)?.terminate();
    workers.delete(backend);
  },
  cores: () => navigator.hardwareConcurrency,
};

window.digitBench = api;
