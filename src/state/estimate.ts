/**
 * What a search will cost here, said before it starts: its trials and epochs, and a rough time
 * from the start-up probe's samples/s on this device.
 */
import type { TuneConfig } from '../tune/config';
import { totalTrials } from '../tune/space';
import type { BackendState } from './backendSlice';

/** Above this many seconds the run controls warn and offer the quick preset. */
export const LONG_SEARCH_SECONDS = 180;

/** An evaluation pass costs about a third of a training step per image (forward only). */
const EVAL_COST = 1 / 3;

/** The chosen backend's training speed from the probe (measured now or cached), or null. */
export function probeSamplesPerSecond(backend: BackendState): number | null {
  if (backend.status !== 'ready') return null;
  const probe = backend.probe;
  if (probe.status !== 'measured' && probe.status !== 'cached') return null;
  const outcome = probe.result.candidates.find((c) => c.backend === backend.report.chosen);
  return outcome?.status === 'measured' && outcome.correct ? outcome.measurement.samplesPerSecond : null;
}

/** A search's size and, when the speed is known, its expected wall time. */
export interface SearchEstimate {
  trials: number;
  epochs: number;
  /** Images trained on over the whole search (an upper bound under ASHA, which stops trials early). */
  samples: number;
  seconds: number | null;
}

/**
 * Estimates a search: every trial runs every epoch (ASHA can only make it shorter). Trials at once
 * share the device, so `concurrency` helps by half a trial each beyond the first: what two trials
 * gained on two CPU cores (66 s against 90 s for one).
 */
export function estimateSearch(
  config: TuneConfig,
  data: { trainImages: number; valImages: number },
  samplesPerSecond: number | null,
  concurrency: number,
): SearchEstimate {
  const trials = totalTrials(config.space, config.settings);
  const epochs = trials * config.settings.maxNumEpochs;
  const samples = epochs * data.trainImages;
  if (samplesPerSecond === null || samplesPerSecond <= 0) return { trials, epochs, samples, seconds: null };
  const work = samples + epochs * data.valImages * EVAL_COST;
  const parallel = 1 + 0.5 * Math.max(0, Math.min(concurrency, trials) - 1);
  return { trials, epochs, samples, seconds: work / samplesPerSecond / parallel };
}

/** "about 4 minutes", "about 40 seconds", "about 2 hours". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `about ${Math.max(5, Math.round(seconds / 5) * 5)} seconds`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} minutes`;
  const hours = seconds / 3600;
  return `about ${hours < 10 ? hours.toFixed(1) : Math.round(hours)} hours`;
}
