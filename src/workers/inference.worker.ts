/// <reference lib="webworker" />
/** A Web Worker that predicts drawn digits and evaluates models on the test split, off the page's thread. */
import { serveWorker } from './host';
import { createLocalInferenceEngine } from './inferenceEngine';
import { inferenceHandlers } from './inferenceHost';

declare const self: DedicatedWorkerGlobalScope;

serveWorker(self, inferenceHandlers(createLocalInferenceEngine()));
