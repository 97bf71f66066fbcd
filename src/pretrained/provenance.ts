/**
 * The pretrained model the studio ships: where its files live under public/ and what its
 * provenance record (written by `npm run pretrain`) says about how it was trained.
 */

/** The shipped files, relative to the page: a standard tfjs LayersModel and its provenance. */
export const PRETRAINED_FILES = {
  folder: 'pretrained',
  model: 'model.json',
  provenance: 'pretrained.json',
} as const;

/** How the shipped model was made; the README's "Pretrained model" section quotes it. */
export interface PretrainedProvenance {
  /** The committed configuration it was trained with, and its text at the time. */
  config: string;
  configText: string;
  /** The best trial's hyperparameters (lr, betas, f1, f2, batch size, epochs). */
  trainedConfig: Record<string, number | string>;
  /** The search's seed (each trial's initialisation derives from it). */
  seed: number;
  /** The epoch whose weights were kept (the best val_acc). */
  epochs: number;
  /** Accuracy on the test split (the original's validation set). */
  valAcc: number;
  valImages: number;
  trainImages: number;
  backend: string;
  samplesPerSecond: number | null;
  /** YYYY-MM-DD. */
  trainedAt: string;
}
