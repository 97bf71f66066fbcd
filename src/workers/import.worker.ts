/// <reference lib="webworker" />
/** A Web Worker that reads checkpoint files under the importer's limits, off the page's thread. */
import { importModel } from '../export/importModel';
import type { ImportRequest, ImportResponse } from './importProtocol';
import { messageOf } from '../studioError';

declare const self: DedicatedWorkerGlobalScope;

self.addEventListener('message', (event: MessageEvent<ImportRequest>) => {
  const { id, files } = event.data;
  let response: ImportResponse;
  let transfer: Transferable[] = [];
  try {
    const model = importModel(files);
    response = { kind: 'imported', id, model };
    transfer = model.stateDict.map((tensor) => tensor.data.buffer as ArrayBuffer);
  } catch (error) {
    response = { kind: 'error', id, message: messageOf(error) };
  }
  self.postMessage(response, transfer);
});
