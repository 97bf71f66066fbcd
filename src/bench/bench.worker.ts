/// <reference lib="webworker" />
/** A Web Worker that starts one tfjs backend and times training on it, as trials train in Workers. */
import { initBackend } from '../backend/init';
import { reply, serveWorker } from '../workers/host';
import type { BackendName } from '../backend/choice';
import { describeAdapter } from './adapter';
import { dispatchCount, installDispatchCounter } from './dispatchCounter';
import { measureTraining } from './measure';
import type { BenchBackend, BenchRequest, BenchResponse } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

// Before any backend starts, so that every WebGPU encoder it creates is counted.
installDispatchCounter();

let started: BenchBackend | undefined;

async function start(backend: BackendName): Promise<BenchBackend> {
  if (started) throw new Error(`this Worker already runs ${started.backend}`);
  const report = await initBackend(backend);
  if (report.chosen !== backend) throw new Error(`${backend} did not start: ${report.reason}`);
  started = { backend, adapter: describeAdapter(backend, report) };
  return started;
}

serveWorker<BenchRequest, BenchResponse>(self, {
  start: async (request) => reply({ kind: 'started', started: await start(request.backend) }),
  measure: async (request) => {
    if (!started) throw new Error('no backend started');
    const counted = started.backend === 'webgpu' ? dispatchCount : () => null;
    return reply({ kind: 'measured', measurement: await measureTraining(started, request.plan, counted) });
  },
});
