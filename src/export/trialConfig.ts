import type { TrainConfig } from '../engine/trainer';
import { defaultSpace, DEFAULT_SETTINGS, DEFAULT_TRIAL_CONFIG, serializeSpace, trialKeys, type RunSettings } from '../tune';

/**
 * A trial's config.yaml: every sampled hyperparameter as a fixed value and one trial of its
 * epochs, so `parseConfig` reads it back and `npm run tune` reruns exactly this configuration.
 */
export function trialConfigYaml(config: TrainConfig, trialName?: string): string {
  const space = defaultSpace();
  for (const name of trialKeys(config.model ?? DEFAULT_SETTINGS.model)) {
    const value = config[name];
    space[name] = { kind: 'fixed', value: typeof value === 'number' ? value : DEFAULT_TRIAL_CONFIG[name] };
  }
  const settings: RunSettings = {
    ...DEFAULT_SETTINGS,
    numTrials: 1,
    maxNumEpochs: config.max_num_epochs,
    seed: config.seed,
    model: config.model ?? DEFAULT_SETTINGS.model,
  };
  const header = `# ${trialName ? `Trial ${trialName}` : 'A trial'}'s configuration, every hyperparameter fixed at its sampled value.\n`;
  return header + serializeSpace(space, settings);
}
