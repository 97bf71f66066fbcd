/**
 * A few Adam steps of the fused CPU step on seeded random images. The same module runs in Node and
 * in the page (which imports it from the dev server), so the two runs are the same code.
 */
import { FusedCpuStep } from '../src/engine/cpu/fusedCpu';
import { classifier } from '../src/model/classifier';
import { initialValues } from '../src/train/init';
import { Rng } from '../src/train/rng';

/** What a run ends with: its per-step losses, its parameters, its BatchNorm running variances and its eval loss. */
export interface CpuRun {
  threads: number;
  losses: number[];
  params: number[];
  runningVars: number[];
  evalLossSum: number;
}

const BATCH = 24;
const IMAGES = 96;

/** Trains Classifier(8, 6) for one epoch of 96 seeded images at batch 24 on `threads` threads. */
export async function trainFusedCpu(threads: number): Promise<CpuRun> {
  const rng = new Rng(5);
  const images = Uint8Array.from({ length: IMAGES * 784 }, () => Math.floor(rng.uniform(0, 256)));
  const labels = Uint8Array.from({ length: IMAGES }, () => Math.floor(rng.uniform(0, 10)));
  const step = await FusedCpuStep.create({ f1: 8, f2: 6, lr: 1e-3, beta1: 0.9, beta2: 0.999, maxBatch: BATCH, threads });
  step.setData('train', images, labels);
  step.setData('val', images, labels);
  const values = initialValues(classifier.spec({ f1: 8, f2: 6 }), rng);
  const zeros = new Float32Array(values.params.length);
  step.writeState(values, { step: 0, expAvg: zeros, expAvgSq: zeros.slice() });
  const order = Int32Array.from({ length: IMAGES }, (_, i) => (i * 37) % IMAGES);
  const losses: number[] = [];
  for (let start = 0; start < IMAGES; start += BATCH) losses.push(await step.run(order, [{ start, size: BATCH }]));
  const { network } = step.readState();
  const { lossSum } = await step.evaluate();
  step.dispose();
  return { threads: step.threads, losses, params: Array.from(network.params), runningVars: Array.from(network.runningVars), evalLossSum: lossSum };
}
