/// <reference lib="webworker" />
/** A Web Worker that starts one tfjs backend and times training on it, as trials train in Workers. */
import { initBackend } from '../backend/init';
import { messageOf } from '../studioError';
import type { BackendName } from '../backend/choice';
import { describeAdapter } from './adapter';
import { dispatchCount, installDispatchCounter } from './dispatchCounter';
import { measureTraining } from './measure';
import { BENCH_RESPONSES, type BenchBackend, type BenchRequest, type BenchResponse } from './protocol';

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

async function handle(request: BenchRequest): Promise<BenchResponse> {
  switch (request.kind) {
    case 'start':
      return { kind: BENCH_RESPONSES.started, id: request.id, started: await start(request.backend) };
    case 'measure': {
      if (!started) throw new Error('no backend started');
      const counted = started.backend === 'webgpu' ? dispatchCount : () => null;
      return { kind: BENCH_RESPONSES.measured, id: request.id, measurement: await measureTraining(started, request.plan, counted) };
    }
  }
}

self.addEventListener('message', (event: MessageEvent<BenchRequest>) => {
  const request = event.data;
  handle(request).then(
    (response) => self.postMessage(response),
    (error: unknown) => self.postMessage({ kind: BENCH_RESPONSES.error, id: request.id, message: messageOf(error) } satisfies BenchResponse),
  );
});
