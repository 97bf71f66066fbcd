import { getArchitecture, trialHyperparameters } from '../model/registry';
import { countParameters, type ModelSpec } from '../model/spec';
import { joinParameters, splitParameters, type TorchStateDict } from '../model/stateDict';
import type { AdamState as StudioAdamState } from '../train/adam';
import { recipeOf } from '../train/recipe';
import type { TrainConfig } from '../engine/trainer';
import type { TrialSnapshot } from '../tune/trial';
import type { CheckpointContents } from './ptWriter';
import { defaultAdamParamGroup, type AdamParamState, type AdamState as TorchAdamState } from './stateDict';

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

/**
 * The studio's Adam state from a checkpoint's optimizer state (the inverse of
 * `checkpointContents`): PyTorch's per-parameter moments joined into the flat tfjs layout; zero
 * moments at step 0 when the checkpoint has none (Adam before its first step).
 */
export function adamStateFromCheckpoint(spec: ModelSpec, optimizer: TorchAdamState | undefined): StudioAdamState {
  const trainable = spec.entries.filter((e) => e.trainable);
  const states = optimizer?.state ?? [];
  if (states.length === 0) {
    const size = countParameters(spec);
    return { step: 0, expAvg: new Float32Array(size), expAvgSq: new Float32Array(size) };
  }
  if (states.length !== trainable.length || states.some((s, i) => s.index !== i || s.step !== states[0]?.step)) {
    throw new Error(`the optimizer state has ${states.length} parameters at mixed steps or out of order; the model has ${trainable.length}`);
  }
  return {
    step: states[0]?.step ?? 0,
    expAvg: joinParameters(spec, states.map((s) => s.expAvg)),
    expAvgSq: joinParameters(spec, states.map((s) => s.expAvgSq)),
  };
}
