import { ENTRY_LAYOUT, shapeSize, type ModelSpec } from '../model/spec';
import { fromTorchStateDict, type NetworkValues, type TorchTensor } from '../model/stateDict';
import type { Rng } from './rng';

/**
 * PyTorch's default initialisation, drawn from a seeded generator in `state_dict` order:
 * Conv2d/Linear weights and biases uniform in ±1/sqrt(fan_in), BatchNorm weight 1 and bias 0,
 * running mean 0, running variance 1, `num_batches_tracked` 0.
 */
export function initialValues(spec: ModelSpec, rng: Rng): NetworkValues {
  const state: TorchTensor[] = spec.entries.map((entry) => {
    const size = shapeSize(entry.torchShape);
    const shape = [...entry.torchShape];
    if (entry.layout === ENTRY_LAYOUT.batchesTracked) return { key: entry.key, shape, dtype: 'int64', data: new BigInt64Array(1) };
    const data = new Float32Array(size);
    switch (entry.layout) {
      case ENTRY_LAYOUT.convWeight:
      case ENTRY_LAYOUT.linearWeight:
      case ENTRY_LAYOUT.bias: {
        const bound = 1 / Math.sqrt(entry.fanIn);
        for (let i = 0; i < size; i++) data[i] = rng.uniform(-bound, bound);
        break;
      }
      case ENTRY_LAYOUT.bnWeight:
      case ENTRY_LAYOUT.runningVar:
        data.fill(1);
        break;
      default:
        break;
    }
    return { key: entry.key, shape, dtype: 'float32', data };
  });
  return fromTorchStateDict(spec, state);
}
