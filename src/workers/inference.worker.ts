/// <reference lib="webworker" />
/** A Web Worker that predicts drawn digits and evaluates models on the test split, off the page's thread. */
import { createLocalInferenceEngine } from './inferenceEngine';
import { handleInferenceRequest } from './inferenceHost';
import type { InferenceRequest } from './inferenceProtocol';

declare const self: DedicatedWorkerGlobalScope;

const engine = createLocalInferenceEngine();

self.addEventListener('message', (event: MessageEvent<InferenceRequest>) => {
  void handleInferenceRequest(engine, event.data, (response, transfer = []) => self.postMessage(response, transfer));
});
