/**
 * The in-page halves of the PyTorch parity checks: the studio's own modules (and its tfjs, which
 * the dev server resolves to the app's copy) run on one of PyTorch's fixtures in the page, which
 * imports this module from the dev server. The specs compare what comes back with PyTorch.
 */
import * as tf from '@tensorflow/tfjs';
import type { TorchFixture } from '../scripts/torch/fixtures';
import { engineStateFromTorch, toTorchTensors, type JsonTensor, type TorchState } from '../scripts/torch/jsonTensors';
import type { BackendName } from '../src/backend/choice';
import { initBackend } from '../src/backend/init';
import { classifier } from '../src/model/classifier';
import { Network } from '../src/model/network';
import { fromTorchStateDict, splitParameters, toTorchStateDict } from '../src/model/stateDict';
import { Adam } from '../src/train/adam';
import { currentWebGpuBackend, FusedTrainingStep, fusedTensors } from '../src/train/fused/engine';
import { fusedLayout } from '../src/train/fused/layout';
import { lossAndGradient, trainStep } from '../src/train/step';

/** What the page needs of the PyTorch fixture: the Classifier's size, Adam's settings and the images. */
export type PageFixture = Pick<TorchFixture, 'f1' | 'f2' | 'batch' | 'lr' | 'betas' | 'images' | 'labels'>;

/** The Classifier's check: PyTorch's initial state, and its state before its first Adam step with that step's batch. */
export interface ClassifierParityInput {
  backend: BackendName;
  fixture: PageFixture;
  initial: JsonTensor[];
  before: { state: JsonTensor[]; batchIndex: number };
}

/** What the page computes from the PyTorch fixture on one backend. */
export interface ClassifierRun {
  backend: string;
  evalLogits: number[];
  trainLogits: number[];
  loss: number;
  grads: number[][];
  stepLoss: number;
  paramsAfter: number[][];
}

/** Runs the Classifier on `backend` from PyTorch's state: logits, loss and gradients on batch 0, then one Adam step. */
export async function classifierParityRun({ backend, fixture: fx, initial, before }: ClassifierParityInput): Promise<ClassifierRun> {
  const report = await initBackend(backend);
  const h = { f1: fx.f1, f2: fx.f2 };
  const spec = classifier.spec(h);
  const px = 28 * 28;
  const batch = (i: number) => ({
    x: tf.tensor4d(fx.images.slice(i * fx.batch * px, (i + 1) * fx.batch * px), [fx.batch, 28, 28, 1]),
    y: tf.oneHot(tf.tensor1d(fx.labels.slice(i * fx.batch, (i + 1) * fx.batch), 'int32'), 10).toFloat() as tf.Tensor2D,
  });
  const read = async (t: tf.Tensor) => Array.from(await t.data(), Number);

  const network = new Network(classifier, h, fromTorchStateDict(spec, toTorchTensors(initial)));
  const { x, y } = batch(0);
  const evalLogits = await read(tf.tidy(() => network.logits(x, 'eval')));
  const { loss, grad, logits } = lossAndGradient(network, x, y);
  const flatGrad = Float32Array.from(await grad.data());
  const grads = splitParameters(spec, flatGrad).map((g) => Array.from(g.data));

  // One Adam step from PyTorch's state before its first step.
  const stepNet = new Network(classifier, h, fromTorchStateDict(spec, toTorchTensors(before.state)));
  const adam = new Adam(stepNet.totalParams, { lr: fx.lr, beta1: fx.betas[0], beta2: fx.betas[1] });
  const first = batch(before.batchIndex);
  const stepLoss = trainStep(stepNet, adam, first.x, first.y);
  const values = await stepNet.readValuesAsync();
  const paramsAfter = toTorchStateDict(spec, values)
    .filter((_, k) => spec.entries[k]?.trainable)
    .map((t) => Array.from(t.data as Float32Array));
  return {
    backend: report.chosen,
    evalLogits,
    trainLogits: await read(logits),
    loss: (await read(loss))[0] ?? Number.NaN,
    grads,
    stepLoss: (await read(stepLoss))[0] ?? Number.NaN,
    paramsAfter,
  };
}

/** The fused check: PyTorch's state and Adam state before each of its steps, with the batch each step trains on. */
export interface FusedParityInput {
  fixture: PageFixture;
  steps: (TorchState & { batchIndex: number })[];
}

/** What the fused WebGPU kernels give for one of PyTorch's Adam steps, started from PyTorch's own state. */
export interface FusedRun {
  engine: string;
  dispatches: number;
  loss: number;
  params: number[][];
  expAvg: number[][];
  expAvgSq: number[][];
  runningMeans: number[];
  runningVars: number[];
}

/**
 * Runs each of PyTorch's steps once on the fused WebGPU kernels, from PyTorch's state before it;
 * then has WebGPU reject a step whose bindings alias and returns the message that reports it.
 */
export async function fusedParityRun({ fixture: fx, steps }: FusedParityInput): Promise<{ runs: FusedRun[]; rejected: string }> {
  await initBackend('webgpu');
  const backend = currentWebGpuBackend();
  if (!backend) throw new Error(`tfjs runs on ${tf.getBackend()}, not webgpu`);
  const h = { f1: fx.f1, f2: fx.f2 };
  const spec = classifier.spec(h);
  const config = { lr: fx.lr, beta1: fx.betas[0], beta2: fx.betas[1] };
  const fused = await FusedTrainingStep.create(backend, fusedLayout(fx.f1, fx.f2, fx.batch), config);
  const count = fx.labels.length;
  const images = tf.tensor2d(fx.images, [count, 28 * 28]);
  const labels = tf.tensor1d(fx.labels, 'int32');
  const order = tf.tensor1d(Array.from({ length: count }, (_, i) => i), 'int32');
  const read = async (t: tf.Tensor) => Float32Array.from((await t.data()) as Float32Array);
  const torchLayout = (flat: Float32Array) => splitParameters(spec, flat).map((p) => Array.from(p.data));

  const runs: FusedRun[] = [];
  for (const step of steps) {
    const start = engineStateFromTorch(spec, step);
    const network = new Network(classifier, h, start.network);
    const adam = new Adam(network.totalParams, config);
    adam.writeState(start.adam);
    const epochLoss = tf.variable(tf.scalar(0));
    fused.run([{ start: step.batchIndex * fx.batch, size: fx.batch, adamStep: adam.step + 1 }], fusedTensors({ network, adam }, { images, labels, order, epochLoss }));
    const values = await network.readValuesAsync();
    runs.push({
      engine: 'fused WebGPU kernels',
      dispatches: fused.dispatchesPerStep,
      loss: await fused.lastLoss(),
      params: torchLayout(values.params),
      expAvg: torchLayout(await read(adam.expAvg)),
      expAvgSq: torchLayout(await read(adam.expAvgSq)),
      runningMeans: Array.from(values.runningMeans),
      runningVars: Array.from(values.runningVars),
    });
    epochLoss.dispose();
    adam.dispose();
    network.dispose();
  }
  // A step WebGPU rejects (here Adam's two moments in one buffer) is reported, not trained silently.
  const first = steps[0];
  if (!first) throw new Error('the fixture has no steps');
  const network = new Network(classifier, h, fromTorchStateDict(spec, toTorchTensors(first.state)));
  const adam = new Adam(network.totalParams, config);
  const aliased = fusedTensors({ network, adam }, { images, labels, order, epochLoss: tf.variable(tf.scalar(0)) });
  fused.run([{ start: 0, size: fx.batch, adamStep: 1 }], { ...aliased, expAvgSq: adam.expAvg });
  const rejected = await fused.lastLoss().then(
    () => 'not rejected',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  fused.dispose();
  return { runs, rejected };
}
