import type { StateCreator } from 'zustand';
import bundledConfig from '../../configuration/config.yaml?raw';
import { ARCHITECTURES, totalParams } from '../model/registry';
import { parseConfig, type ParsedConfig } from '../tune/config';
import type { TrialConfig } from '../tune/space';
import type { StudioState } from './store';

/** Where the bundled configuration comes from, as the original project named it. */
export const BUNDLED_CONFIG_NAME = 'configuration/config.yaml';

/** Counts a sampled config's trainable parameters with the registry (the default architecture). */
export const countParams = (config: TrialConfig): number => totalParams('Classifier', config);

/** The architecture names a configuration's `model` may take. */
export const MODEL_NAMES: readonly string[] = Object.keys(ARCHITECTURES);

/**
 * Parses a config.yaml text plus overrides with the studio's parameter counter and model names:
 * the one door through which the editor, share links, `npm run tune` and saved experiments pass.
 */
export function parseStudioConfig(text: string, overrides: readonly string[]): ParsedConfig {
  return parseConfig(text, overrides, { countParams, models: MODEL_NAMES });
}

/** The search space being edited: config.yaml text, Hydra-style overrides on top, and their parse. */
export interface ConfigSlice {
  configText: string;
  configName: string;
  overrides: string[];
  /** Always the parse of `configText` with `overrides`; Start is disabled while it has errors. */
  parsed: ParsedConfig;
  setConfigText: (text: string, name?: string) => void;
  setOverrides: (overrides: string[]) => void;
  /** Why the page's shared link was not applied, or null. */
  linkProblem: string | null;
  setLinkProblem: (problem: string | null) => void;
}

export const createConfigSlice: StateCreator<StudioState, [], [], ConfigSlice> = (set, get) => ({
  configText: bundledConfig,
  configName: BUNDLED_CONFIG_NAME,
  overrides: [],
  parsed: parseStudioConfig(bundledConfig, []),
  setConfigText: (text, name) =>
    set({ configText: text, configName: name ?? get().configName, parsed: parseStudioConfig(text, get().overrides) }),
  setOverrides: (overrides) => set({ overrides, parsed: parseStudioConfig(get().configText, overrides) }),
  linkProblem: null,
  setLinkProblem: (linkProblem) => set({ linkProblem }),
});
