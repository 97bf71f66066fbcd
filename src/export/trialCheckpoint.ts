import { getArchitecture } from '../model/registry';
import { splitParameters, type TorchStateDict } from '../model/stateDict';
import type { AdamState as StudioAdamState } from '../train/adam';
import { recipeOf } from '../train/recipe';
import { trialHyperparameters, type TrainConfig } from '../engine/trainer';
import type { TrialSnapshot } from '../tune/trial';
import type { CheckpointContents } from './ptWriter';
import { defaultAdamParamGroup, type AdamParamState } from './stateDict';

/**
 * What the original's `torch.save((model.state_dict(), optimizer.state_dict()))` holds, from the
 * studio's state dict and Adam state: the flat tfjs-layout moments split per parameter into
 * PyTorch's layout, and one param group with the trial's (base) lr, (beta1, beta2) and weight
 * decay (the state loads into torch.optim.Adam or AdamW alike). Before the first
 * step Adam has no per-parameter state, as in PyTorch.
 */
export function checkpointContents(config: TrainConfig, stateDict: TorchStateDict, adam: StudioAdamState): CheckpointContents {
  const spec = getArchitecture(config.model).spec(trialHyperparameters(config));
  const expAvg = splitParameters(spec, adam.expAvg);
  const expAvgSq = splitParameters(spec, adam.expAvgSq);
  const state: AdamParamState[] =
    adam.step === 0
      ? []
      : expAvg.map((moment, index) => ({ index, step: adam.step, expAvg: moment.data, expAvgSq: expAvgSq[index]?.data ?? new Float32Array() }));
  const weightDecay = recipeOf(config, 1).weightDecay;
  return { model: stateDict, optimizer: { state, paramGroup: { ...defaultAdamParamGroup(config.lr, [config.beta1, config.beta2]), weightDecay } } };
}

/** A trial snapshot as the contents of its `checkpoint.pt`. */
export function snapshotCheckpoint(snapshot: TrialSnapshot): CheckpointContents {
  return checkpointContents(snapshot.config, snapshot.stateDict, snapshot.state.adam);
}
