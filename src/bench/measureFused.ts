import * as tf from '@tensorflow/tfjs';
import { Network } from '../model/network';
import { getArchitecture, defaultHyperparameters } from '../model/registry';
import { Adam } from '../train/adam';
import { currentWebGpuBackend, FusedTrainingStep, fusedTensors, type FusedTensors } from '../train/fused/engine';
import { fusedLayout } from '../train/fused/layout';
import { initialValues } from '../train/init';
import { Rng } from '../train/rng';
import { plannedSteps } from './plan';
import type { BenchBackend, Measurement, MeasurePlan } from './protocol';

/** Steps per submit, as the trainer runs them between two progress reports (its default). */
const STEPS_PER_RUN = 20;

/**
 * Times the fused WebGPU training step as trials run it: random data resident on the device, the
 * batch gathered by the kernels, runs of 20 steps per submit, synced once at the end. The first
 * step includes compiling every kernel.
 */
export async function measureFusedTraining(
  started: BenchBackend,
  plan: MeasurePlan,
  dispatchCount: () => number | null,
): Promise<Measurement> {
  const backend = currentWebGpuBackend();
  if (!backend) throw new Error(`the fused kernels need the webgpu backend, tfjs runs ${tf.getBackend()}`);
  const architecture = getArchitecture();
  const h = defaultHyperparameters(architecture);
  const network = new Network(architecture, h, initialValues(architecture.spec(h), new Rng(plan.seed)));
  const config = { lr: 1e-3, beta1: 0.9, beta2: 0.999 };
  const adam = new Adam(network.totalParams, config);
  const tensors: FusedTensors = fusedTensors(
    { network, adam },
    {
      images: tf.randomUniform([plan.batch, 28 * 28], 0, 1, 'float32', plan.seed + 1),
      labels: tf.randomUniform([plan.batch], 0, network.spec.classes, 'int32', plan.seed + 2),
      order: tf.range(0, plan.batch, 1, 'int32'),
      epochLoss: tf.variable(tf.scalar(0), false),
    },
  );
  await Promise.all([tensors.images.data(), tensors.labels.data(), tensors.order.data()]);
  let fused: FusedTrainingStep | undefined;
  const train = async (count: number): Promise<void> => {
    for (let done = 0; done < count; done += STEPS_PER_RUN) {
      const steps = Array.from({ length: Math.min(STEPS_PER_RUN, count - done) }, (_, i) => ({ start: 0, size: plan.batch, adamStep: adam.step + i + 1 }));
      fused?.run(steps, tensors);
      adam.step += steps.length;
    }
    await fused?.lastLoss();
  };
  try {
    const firstStarted = performance.now();
    fused = await FusedTrainingStep.create(backend, fusedLayout(h.f1 ?? 8, h.f2 ?? 6, plan.batch), config);
    await train(1);
    const firstStepMs = performance.now() - firstStarted;
    const before = dispatchCount();
    const estimateStarted = performance.now();
    await train(1);
    const estimateMs = performance.now() - estimateStarted;
    const after = dispatchCount();
    const planned = plannedSteps(estimateMs, plan);
    const timedStarted = performance.now();
    if (planned > 0) await train(planned);
    const ms = planned === 0 ? estimateMs : performance.now() - timedStarted;
    const steps = Math.max(planned, 1);
    const kernels = plan.profile && fused ? await fused.profile({ start: 0, size: plan.batch, adamStep: adam.step + 1 }, tensors) : undefined;
    return {
      kernels,
      ...started,
      engine: 'fused',
      batch: plan.batch,
      steps,
      samplesPerSecond: (steps * plan.batch * 1000) / ms,
      msPerStep: ms / steps,
      firstStepMs,
      dispatchesPerStep: before === null || after === null ? null : after - before,
    };
  } finally {
    fused?.dispose();
    tf.dispose([tensors.images, tensors.labels, tensors.order, tensors.epochLoss]);
    adam.dispose();
    network.dispose();
  }
}
