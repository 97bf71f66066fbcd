/** A training state as plain arrays, as it crosses into and out of the page; shared by the spec and its page module. */
import type { EngineState } from '../src/engine/stepEngine';

/** A step engine's state with every typed array as a plain array. */
export interface PlainState {
  params: number[];
  runningMeans: number[];
  runningVars: number[];
  batchesTracked: number;
  step: number;
  expAvg: number[];
  expAvgSq: number[];
}

/** A step engine's state (or a trainer's, which holds one) as plain arrays. */
export const plain = (s: EngineState): PlainState => ({
  params: Array.from(s.network.params),
  runningMeans: Array.from(s.network.runningMeans),
  runningVars: Array.from(s.network.runningVars),
  batchesTracked: s.network.batchesTracked,
  step: s.adam.step,
  expAvg: Array.from(s.adam.expAvg),
  expAvgSq: Array.from(s.adam.expAvgSq),
});

/** Plain arrays back as a step engine's state, at the start of an epoch (no loss summed yet). */
export const engineState = (s: PlainState): EngineState => ({
  network: { params: Float32Array.from(s.params), runningMeans: Float32Array.from(s.runningMeans), runningVars: Float32Array.from(s.runningVars), batchesTracked: s.batchesTracked },
  adam: { step: s.step, expAvg: Float32Array.from(s.expAvg), expAvgSq: Float32Array.from(s.expAvgSq) },
  epochLossSum: 0,
});
