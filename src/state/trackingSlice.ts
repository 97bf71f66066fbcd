import type { StateCreator } from 'zustand';
import { WandbLogger, type WandbActivity } from '../tracking/wandbLogger';
import {
  DEFAULT_WANDB_SETTINGS,
  loadWandbSettings,
  storeWandbSettings,
  wandbSettingsProblem,
  type WandbSettings,
} from '../tracking/wandbSettings';
import { httpTransport } from '../tracking/wandbTransport';
import { observeSearches } from './searchSlice';
import type { StudioState } from './store';
import { messageOf } from '../studioError';

/** Optional W&B logging of every search: its settings, and what the current search has sent. */
export interface TrackingSlice {
  wandb: WandbSettings;
  /** The one notice of a W&B problem in the current search (null when all is well). */
  wandbNotice: string | null;
  /** Runs, entries and finished runs the current search has sent; null when it is not logged. */
  wandbActivity: WandbActivity | null;
  /** Changes settings; they are kept on this device only while `remember` is on. */
  setWandb: (change: Partial<WandbSettings>) => Promise<void>;
  /** Reads remembered settings (once, at start). */
  loadWandb: () => Promise<void>;
  dismissWandbNotice: () => void;
}

/**
 * A request the browser could not send at all is, for a reachable server, most often a refused
 * cross-origin request; Node has no such rule, so the command line still logs.
 */
export function withCorsHint(message: string): string {
  if (!message.includes('could not reach')) return message;
  return `${message} If the server is up, it may refuse requests from this page (CORS): run the search with \`npm run tune -- --wandb\`, which logs from Node.`;
}

export const createTrackingSlice: StateCreator<StudioState, [], [], TrackingSlice> = (set, get) => {
  observeSearches((experimentId) => {
    set({ wandbNotice: null, wandbActivity: null });
    const settings = get().wandb;
    if (!settings.enabled) return null;
    const problem = wandbSettingsProblem(settings);
    if (problem) {
      set({ wandbNotice: `This search is not logged to W&B: ${problem}.` });
      return null;
    }
    const logger = new WandbLogger({
      transport: httpTransport(settings.baseUrl, settings.apiKey),
      project: settings.project.trim(),
      entity: settings.entity,
      experimentId,
      onProblem: (message) => set({ wandbNotice: withCorsHint(message) }),
      onSent: (activity) => set({ wandbActivity: activity }),
    });
    set({ wandbActivity: { ...logger.activity } });
    return { onState: (state) => logger.observe(state) };
  });

  return {
    wandb: DEFAULT_WANDB_SETTINGS,
    wandbNotice: null,
    wandbActivity: null,
    setWandb: async (change) => {
      const next = { ...get().wandb, ...change };
      set({ wandb: next });
      try {
        await storeWandbSettings(next);
      } catch (error) {
        set({ wandbNotice: `W&B settings could not be remembered: ${messageOf(error)}` });
      }
    },
    loadWandb: async () => {
      try {
        const remembered = await loadWandbSettings();
        // Keep anything the user typed while IndexedDB was answering.
        if (get().wandb === DEFAULT_WANDB_SETTINGS) set({ wandb: remembered });
      } catch {
        // Nothing remembered is readable: the defaults stand.
      }
    },
    dismissWandbNotice: () => set({ wandbNotice: null }),
  };
};
