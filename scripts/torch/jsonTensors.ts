/**
 * PyTorch's state as the Python helpers write it to JSON, and its conversion to the studio's typed
 * tensors. No Node imports: the Node tests and the page modules under e2e/ share it.
 */
import type { EngineState } from '../../src/engine/stepEngine';
import type { ModelSpec } from '../../src/model/spec';
import { fromTorchStateDict, joinParameters, type TorchTensor } from '../../src/model/stateDict';

/** A state-dict tensor as the Python helpers write it to JSON. */
export interface JsonTensor {
  key: string;
  shape: number[];
  dtype: 'float32' | 'int64';
  data: number[];
}

/** Adam's per-parameter state, in `model.parameters()` order. */
export type JsonAdamState = { step: number; exp_avg: number[]; exp_avg_sq: number[] }[];

/** PyTorch's model state and Adam state at one moment, as JSON. */
export interface TorchState {
  state: JsonTensor[];
  adam: JsonAdamState;
}

/** A JSON state dict as the studio's typed tensors. */
export function toTorchTensors(state: readonly JsonTensor[]): TorchTensor[] {
  return state.map((t) =>
    t.dtype === 'int64'
      ? { key: t.key, shape: t.shape, dtype: 'int64', data: BigInt64Array.from(t.data.map((v) => BigInt(v))) }
      : { key: t.key, shape: t.shape, dtype: 'float32', data: Float32Array.from(t.data) },
  );
}

/** PyTorch's state as a step engine's state (a fresh epoch: no loss summed yet). */
export function engineStateFromTorch(spec: ModelSpec, state: TorchState): EngineState {
  return {
    network: fromTorchStateDict(spec, toTorchTensors(state.state)),
    adam: {
      step: state.adam[0]?.step ?? 0,
      expAvg: joinParameters(spec, state.adam.map((s) => Float32Array.from(s.exp_avg))),
      expAvgSq: joinParameters(spec, state.adam.map((s) => Float32Array.from(s.exp_avg_sq))),
    },
    epochLossSum: 0,
  };
}
