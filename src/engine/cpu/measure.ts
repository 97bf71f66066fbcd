/**
 * Training throughput of the fused CPU step, for the benchmark and the start-up probe: Adam steps
 * on random images (as PyTorch's bench_torch.py times its model), on any thread count.
 */
import { classifier } from '../../model/classifier';
import { initialValues } from '../../train/init';
import { Rng } from '../../train/rng';
import { FusedCpuStep } from './fusedCpu';

/** What to time: batch size, time budget, threads, and optionally the model size and a profile. */
export interface FusedCpuBenchPlan {
  batch: number;
  seconds: number;
  threads?: number;
  f1?: number;
  f2?: number;
  /** Also time each stretch of the step (slightly slower). */
  profile?: boolean;
}

/** One measurement: throughput, time per step, the first step (compile + instantiate + one batch). */
export interface FusedCpuMeasurement {
  batch: number;
  threads: number;
  samples_per_s: number;
  ms_per_step: number;
  first_step_ms: number;
  steps: number;
  /** Per stretch of the step, milliseconds per step (with `profile`). */
  profile?: { label: string; ms: number }[];
}

/** Times Adam steps of the fused CPU step on random images until `seconds` have passed. */
export async function measureFusedCpu(plan: FusedCpuBenchPlan): Promise<FusedCpuMeasurement> {
  const { batch, seconds } = plan;
  const f1 = plan.f1 ?? 8;
  const f2 = plan.f2 ?? 6;
  const rng = new Rng(0);
  const images = Uint8Array.from({ length: batch * 784 }, () => Math.floor(rng.uniform(0, 256)));
  const labels = Uint8Array.from({ length: batch }, () => Math.floor(rng.uniform(0, 10)));
  const order = Int32Array.from({ length: batch }, (_, i) => i);
  const began = performance.now();
  const step = await FusedCpuStep.create({ f1, f2, lr: 1e-3, beta1: 0.9, beta2: 0.999, maxBatch: batch, threads: plan.threads, profile: plan.profile });
  try {
    step.setData('train', images, labels);
    const values = initialValues(classifier.spec({ f1, f2 }), rng);
    const zeros = new Float32Array(values.params.length);
    step.writeState(values, { step: 0, expAvg: zeros, expAvgSq: zeros.slice() });
    const one = [{ start: 0, size: batch }];
    await step.run(order, one);
    const first = performance.now() - began;
    // Size the timed loop from a short warm-up, then run it as few calls of many steps (as an epoch runs).
    const warm = performance.now();
    await step.run(order, [...one, ...one]);
    const estimate = (performance.now() - warm) / 2;
    const wanted = Math.max(3, Math.ceil((seconds * 1000) / Math.max(estimate, 0.01)));
    const profileBefore = step.profile().map((p) => p.ms);
    const t0 = performance.now();
    let done = 0;
    while (done < wanted) {
      const count = Math.min(50, wanted - done);
      await step.run(order, Array.from({ length: count }, () => one[0]!));
      done += count;
    }
    const elapsed = performance.now() - t0;
    const measurement: FusedCpuMeasurement = {
      batch,
      threads: step.threads,
      samples_per_s: Math.round((done * batch * 1000) / elapsed),
      ms_per_step: Number((elapsed / done).toFixed(3)),
      first_step_ms: Number(first.toFixed(1)),
      steps: done,
    };
    if (plan.profile) {
      measurement.profile = step.profile().map((p, i) => ({ label: p.label, ms: Number(((p.ms - (profileBefore[i] ?? 0)) / done).toFixed(4)) }));
    }
    return measurement;
  } finally {
    step.dispose();
  }
}
