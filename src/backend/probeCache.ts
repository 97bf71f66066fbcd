/**
 * The training probe's results, kept in IndexedDB under their cache key so that a later visit on
 * the same adapter and browser starts on the measured backend without measuring again. Works in
 * the page and in Workers, which read the page's decision from here.
 */
import { STORAGE_AREAS, storageArea } from '../data/storage';
import type { RuntimeProbe } from './choice';
import { probeCacheKey, type TrainingProbeResult } from './probeDecision';

const probes = storageArea(STORAGE_AREAS.backendProbe);

/** This thread's user agent, part of the cache key ('' where there is none, as in some tests). */
export function currentUserAgent(): string {
  return (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? '';
}

/** The cached probe result for this runtime, or undefined when there is none or storage is unavailable. */
export async function readCachedProbe(runtime: RuntimeProbe, userAgent = currentUserAgent()): Promise<TrainingProbeResult | undefined> {
  const key = probeCacheKey(runtime, userAgent);
  try {
    const cached = await probes.get<TrainingProbeResult>(key);
    return cached?.cacheKey === key ? cached : undefined;
  } catch {
    // Without IndexedDB the studio decides by rule, as before the probe existed.
    return undefined;
  }
}

/** Keeps `result` under its own cache key; a StorageError when IndexedDB refuses. */
export function saveProbe(result: TrainingProbeResult): Promise<void> {
  return probes.set(result.cacheKey, result);
}

/** Forgets every cached probe result, so that the next start measures again. */
export function forgetProbes(): Promise<void> {
  return probes.clear();
}
