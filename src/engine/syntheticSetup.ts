import { DEFAULT_ARCHITECTURE, defaultHyperparameters, getArchitecture } from '../model/registry';
import { initialValues } from '../train/init';
import { Rng } from '../train/rng';
import type { EngineSetup } from './stepEngine';

const PIXELS = 28 * 28;

/**
 * A registered model at its default hyperparameters (the Classifier unless `model` names another), seeded, with one batch of seeded random images (0..255) and labels
 * 0..9 in turn as both its training and validation data: what the start-up probe and the
 * benchmark time every engine on.
 */
export function syntheticSetup(batch: number, seed: number, lr = 1e-3, model: string = DEFAULT_ARCHITECTURE): EngineSetup {
  const architecture = getArchitecture(model);
  const hyperparameters = defaultHyperparameters(architecture);
  const spec = architecture.spec(hyperparameters);
  const pixels = new Rng(seed + 1);
  const images = Uint8Array.from({ length: batch * PIXELS }, () => pixels.nextUint32() >>> 24);
  const labels = Uint8Array.from({ length: batch }, (_, i) => i % spec.classes);
  const data = { count: batch, images, labels };
  return {
    architecture,
    hyperparameters,
    adam: { lr, beta1: 0.9, beta2: 0.999 },
    batchSize: batch,
    train: data,
    val: data,
    initial: initialValues(spec, new Rng(seed)),
  };
}

/** The order that trains a synthetic setup's one batch: its images in turn. */
export const inOrder = (batch: number): Int32Array => Int32Array.from({ length: batch }, (_, i) => i);
