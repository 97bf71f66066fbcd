import * as tf from '@tensorflow/tfjs';
import { Network } from '../model/network';
import { getArchitecture } from '../model/registry';
import { Adam } from './adam';
import { initialValues } from './init';
import { Rng } from './rng';
import { trainStep } from './step';

/** What to time: the model, the batch size, and how many steps to warm up and to time. */
export interface ThroughputOptions {
  model?: string;
  hyperparameters?: Record<string, number>;
  batchSize?: number;
  warmupSteps?: number;
  steps?: number;
  seed?: number;
}

/** The measured training speed on the current backend. */
export interface ThroughputResult {
  backend: string;
  batchSize: number;
  steps: number;
  seconds: number;
  samplesPerSecond: number;
  msPerStep: number;
}

/**
 * Times steady-state training steps (forward, backward, Adam) on the current tfjs backend with
 * random data already on the device, syncing once after the timed loop.
 */
export async function measureThroughput(options: ThroughputOptions = {}): Promise<ThroughputResult> {
  const batchSize = options.batchSize ?? 64;
  const steps = options.steps ?? 20;
  const architecture = getArchitecture(options.model);
  const hyperparameters = options.hyperparameters ?? {};
  const rng = new Rng(options.seed ?? 0);
  const network = new Network(architecture, hyperparameters, initialValues(architecture.spec(hyperparameters), rng));
  const adam = new Adam(network.totalParams, { lr: 1e-3, beta1: 0.9, beta2: 0.999 });
  const [h, w, c] = network.spec.inputShape;
  const x = tf.randomUniform<tf.Rank.R4>([batchSize, h, w, c], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([batchSize], 0, network.spec.classes, 'int32', 2), network.spec.classes).toFloat() as tf.Tensor2D;
  const run = async (count: number): Promise<void> => {
    let loss: tf.Scalar | undefined;
    for (let i = 0; i < count; i++) {
      loss?.dispose();
      loss = trainStep(network, adam, x, y);
    }
    await loss?.data();
    loss?.dispose();
  };
  try {
    await run(options.warmupSteps ?? 3);
    const started = performance.now();
    await run(steps);
    const seconds = (performance.now() - started) / 1000;
    return { backend: tf.getBackend(), batchSize, steps, seconds, samplesPerSecond: (steps * batchSize) / seconds, msPerStep: (seconds * 1000) / steps };
  } finally {
    tf.dispose([x, y]);
    adam.dispose();
    network.dispose();
  }
}
