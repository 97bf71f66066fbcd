import originalConfig from '../../configuration/config.yaml?raw';
import quickConfig from '../../configuration/quick.yaml?raw';

/** A search the run controls offer in one click: a config.yaml and the data it trains on. */
export interface SearchPreset {
  id: string;
  label: string;
  /** The file the text comes from, as the editor names it. */
  configName: string;
  configText: string;
  /** Training and validation images (the full splits: 60,000 and 10,000). */
  trainImages: number;
  valImages: number;
}

/** The presets, quick first. */
export const SEARCH_PRESETS = {
  quick: {
    id: 'quick',
    label: 'Quick search',
    configName: 'configuration/quick.yaml',
    configText: quickConfig,
    trainImages: 60_000,
    valImages: 10_000,
  },
  original: {
    id: 'original',
    label: 'The original config.yaml',
    configName: 'configuration/config.yaml',
    configText: originalConfig,
    trainImages: 60_000,
    valImages: 10_000,
  },
} as const satisfies Record<string, SearchPreset>;
