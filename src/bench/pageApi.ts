import type { BackendName } from '../backend/choice';
import type { BenchBackend, Measurement, MeasurePlan } from './protocol';

/** What the benchmark page offers the command line, as `window.digitBench`. */
export interface BenchPageApi {
  /** Starts `backend` in a fresh Worker. */
  start(backend: BackendName): Promise<BenchBackend>;
  /** Times training at one batch size in that backend's Worker. */
  measure(backend: BackendName, plan: MeasurePlan): Promise<Measurement>;
  /** Ends that backend's Worker. */
  stop(backend: BackendName): void;
  /** Logical cores the browser reports (`navigator.hardwareConcurrency`). */
  cores(): number;
}

declare global {
  interface Window {
    digitBench?: BenchPageApi;
  }
}
