/// <reference lib="webworker" />
/** A Web Worker that reads checkpoint files under the importer's limits, off the page's thread. */
import { importModel } from '../export/importModel';
import { reply, serveWorker } from './host';
import type { ImportRequest, ImportResponse } from './importProtocol';

declare const self: DedicatedWorkerGlobalScope;

serveWorker<ImportRequest, ImportResponse>(self, {
  import: (request) => {
    const model = importModel(request.files);
    return reply(
      { kind: 'imported', model },
      model.stateDict.map((tensor) => tensor.data.buffer as ArrayBuffer),
    );
  },
});
