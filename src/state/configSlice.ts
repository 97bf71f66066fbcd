import type { StateCreator } from 'zustand';
import { ARCHITECTURES, totalParams } from '../model/registry';
import { parseConfig, type ParsedConfig } from '../tune/config';
import { SEARCH_PRESETS } from './presets';
import type { TrialConfig } from '../tune/space';
import type { StudioState } from './store';

/**
 * The search the page opens with: the quick preset, sized for about a minute on a CPU. The
 * original's configuration/config.yaml is one click away, and shared links apply to it.
 */
const DEFAULT_PRESET = SEARCH_PRESETS.quick;

/** Counts a sampled config's trainable parameters for the configuration's `model`, with the registry. */
export const countParams = (config: TrialConfig, model: string): number => totalParams(model, config);

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
  configText: DEFAULT_PRESET.configText,
  configName: DEFAULT_PRESET.configName,
  overrides: [],
  parsed: parseStudioConfig(DEFAULT_PRESET.configText, []),
  setConfigText: (text, name) =>
    set({ configText: text, configName: name ?? get().configName, parsed: parseStudioConfig(text, get().overrides) }),
  setOverrides: (overrides) => set({ overrides, parsed: parseStudioConfig(get().configText, overrides) }),
  linkProblem: null,
  setLinkProblem: (linkProblem) => set({ linkProblem }),
});
