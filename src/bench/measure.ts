import * as tf from '@tensorflow/tfjs';
import { Network } from '../model/network';
import { getArchitecture } from '../model/registry';
import { Adam } from '../train/adam';
import { initialValues } from '../train/init';
import { Rng } from '../train/rng';
import { trainStep } from '../train/step';
import { plannedSteps } from './plan';
import type { BenchBackend, Measurement, MeasurePlan } from './protocol';

/** Milliseconds for `count` training steps, synced once after the last one. */
async function timeSteps(count: number, step: () => tf.Scalar): Promise<number> {
  const started = performance.now();
  let loss: tf.Scalar | undefined;
  for (let i = 0; i < count; i++) {
    loss?.dispose();
    loss = step();
  }
  await loss?.data();
  loss?.dispose();
  return performance.now() - started;
}

/**
 * Times the studio's training step (the Classifier at its default size, forward, backward, Adam,
 * random data already on the device) on the current tfjs backend: the first step on its own, then
 * one steady-state step that has its dispatches counted and sizes the timed loop (or, when it alone
 * filled the time budget, is the measurement), then the loop, synced once at its end.
 */
export async function measureTraining(
  started: BenchBackend,
  plan: MeasurePlan,
  dispatchCount: () => number | null,
): Promise<Measurement> {
  const architecture = getArchitecture();
  const network = new Network(architecture, {}, initialValues(architecture.spec({}), new Rng(plan.seed)));
  const adam = new Adam(network.totalParams, { lr: 1e-3, beta1: 0.9, beta2: 0.999 });
  const [h, w, c] = network.spec.inputShape;
  const classes = network.spec.classes;
  const x = tf.randomUniform<tf.Rank.R4>([plan.batch, h, w, c], 0, 1, 'float32', plan.seed + 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([plan.batch], 0, classes, 'int32', plan.seed + 2), classes).toFloat() as tf.Tensor2D);
  await Promise.all([x.data(), y.data()]);
  const step = (): tf.Scalar => trainStep(network, adam, x, y);
  try {
    const firstStepMs = await timeSteps(1, step);
    const estimateStarted = performance.now();
    const before = dispatchCount();
    const loss = step();
    const after = dispatchCount();
    await loss.data();
    loss.dispose();
    const estimateMs = performance.now() - estimateStarted;
    const planned = plannedSteps(estimateMs, plan);
    const ms = planned === 0 ? estimateMs : await timeSteps(planned, step);
    const steps = Math.max(planned, 1);
    return {
      ...started,
      engine: 'tfjs',
      batch: plan.batch,
      steps,
      samplesPerSecond: (steps * plan.batch * 1000) / ms,
      msPerStep: ms / steps,
      firstStepMs,
      dispatchesPerStep: before === null || after === null ? null : after - before,
    };
  } finally {
    tf.dispose([x, y]);
    adam.dispose();
    network.dispose();
  }
}
