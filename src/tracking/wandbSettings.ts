/**
 * The user's W&B settings. Off by default. The API key lives in memory for the tab; only when
 * the user ticks "remember on this device" are the settings, key included, kept in IndexedDB
 * (through the storage module), and unticking it deletes them.
 */
import { STORAGE_AREAS, storageArea } from '../data/storage';
import { WANDB_CLOUD_URL } from './wandbTransport';

export interface WandbSettings {
  enabled: boolean;
  apiKey: string;
  project: string;
  /** Empty: the API key's default entity. */
  entity: string;
  /** W&B's API, or a self-hosted server's. */
  baseUrl: string;
  remember: boolean;
}

export const DEFAULT_WANDB_SETTINGS: WandbSettings = {
  enabled: false,
  apiKey: '',
  project: 'filenest-digit-studio',
  entity: '',
  baseUrl: WANDB_CLOUD_URL,
  remember: false,
};

const STORED_NAME = 'wandb';
const area = () => storageArea(STORAGE_AREAS.tracking);

/** Why these settings cannot log a search, or null when they can. */
export function wandbSettingsProblem(settings: WandbSettings): string | null {
  if (!settings.apiKey.trim()) return 'enter an API key';
  if (!settings.project.trim()) return 'enter a project';
  return wandbBaseUrlProblem(settings.baseUrl);
}

/** Hosts that may be reached over plain http: this machine, for a local server or a test stand-in. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why a W&B base URL is refused, or null: the API key travels with every request, so only https
 * is accepted, except to this machine; credentials in the URL are refused too.
 */
export function wandbBaseUrlProblem(baseUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return 'the base URL is not a URL';
  }
  if (url.username !== '' || url.password !== '') return 'the base URL must not carry a user name or password';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return `the base URL must be https:// (plain http:// only to localhost or 127.0.0.1), got ${url.protocol}//${url.host}`;
}

/** Keeps the settings on this device when they ask to be remembered, and forgets them otherwise. */
export async function storeWandbSettings(settings: WandbSettings): Promise<void> {
  if (settings.remember) await area().set(STORED_NAME, settings);
  else await area().delete(STORED_NAME);
}

/** The remembered settings, or the defaults. */
export async function loadWandbSettings(): Promise<WandbSettings> {
  const stored = await area().get<Partial<WandbSettings>>(STORED_NAME);
  return stored ? { ...DEFAULT_WANDB_SETTINGS, ...stored, remember: true } : DEFAULT_WANDB_SETTINGS;
}
