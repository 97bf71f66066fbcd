/// <reference lib="webworker" />
/** A Web Worker that reads checkpoint files under the importer's limits, off the page's thread. */
import { importModel } from '../export/importModel';
import type { ImportRequest, ImportResponse } from './importProtocol';
import { serveWorker } from './workerHost';

declare const self: DedicatedWorkerGlobalScope;

serveWorker<ImportRequest, ImportResponse>(self, {
  import: (request) => {
    const model = importModel(request.files);
    return Promise.resolve({ reply: { kind: 'imported', model }, transfer: model.stateDict.map((tensor) => tensor.data.buffer as ArrayBuffer) });
  },
});
