import * as tf from '@tensorflow/tfjs';
import { Network } from '../model/network';
import { Adam, recipeAdam } from '../train/adam';
import type { MnistSplit } from '../data/idx';
import { SEED_RECIPE } from '../train/recipe';
import { DeviceDataset, pixelsToBatch } from '../train/dataset';
import { crossEntropy, trainStep } from '../train/step';
import { ENGINE_NAMES, type EngineFactory, type EngineSetup, type EngineState, type Evaluation, type StepEngine, type StepRange } from './stepEngine';

/**
 * The reference engine: every step in tfjs ops (autodiff, then Adam) on the current tfjs backend,
 * for any registered architecture. The fused WebGPU engine works in place on its tensors.
 */
export class TfjsEngine implements StepEngine {
  readonly name: StepEngine['name'] = ENGINE_NAMES.tfjs;
  readonly network: Network;
  readonly adam: Adam;
  trainData: DeviceDataset;
  readonly valData: DeviceDataset;
  private readonly trainSplit: MnistSplit;
  private readonly labelSmoothing: number;
  readonly epochLoss = tf.variable(tf.scalar(0), false);
  private orderArray: Int32Array | null = null;
  private orderTensor: tf.Tensor1D | null = null;

  constructor(setup: EngineSetup) {
    this.network = new Network(setup.architecture, setup.hyperparameters, setup.initial);
    const recipe = setup.recipe ?? SEED_RECIPE;
    this.adam = new Adam(this.network.totalParams, recipeAdam(setup.adam, recipe));
    this.labelSmoothing = recipe.labelSmoothing;
    this.trainSplit = setup.train;
    this.trainData = new DeviceDataset(setup.train, setup.train.count);
    this.valData = new DeviceDataset(setup.val, setup.val.count);
  }

  readonly description: string = `tfjs ${tf.getBackend()}`;

  /** The epoch's order on the device, uploaded once per order. */
  order(order: Int32Array): tf.Tensor1D {
    if (this.orderArray !== order || !this.orderTensor) {
      this.orderTensor?.dispose();
      this.orderTensor = tf.tensor1d(order, 'int32');
      this.orderArray = order;
    }
    return this.orderTensor;
  }

  async train(order: Int32Array, steps: readonly StepRange[]): Promise<number> {
    const indices = this.order(order);
    let last: tf.Scalar | null = null;
    for (const { start, size } of steps) {
      last?.dispose();
      last = tf.tidy(() => {
        const { x, y } = this.trainData.batch(tf.slice(indices, [start], [size]));
        const loss = trainStep(this.network, this.adam, x, y, this.labelSmoothing);
        this.epochLoss.assign(tf.add(this.epochLoss, tf.mul(loss, size)));
        return loss;
      });
    }
    if (!last) return Number.NaN;
    try {
      return (await last.data())[0] ?? Number.NaN;
    } finally {
      last.dispose();
    }
  }

  setTrainImages(images: Uint8Array): void {
    const { count, labels } = this.trainSplit;
    const next = new DeviceDataset({ count, images, labels }, count);
    this.trainData.dispose();
    this.trainData = next;
  }

  startEpoch(): void {
    tf.tidy(() => this.epochLoss.assign(tf.scalar(0)));
  }

  async epochLossSum(): Promise<number> {
    return (await this.epochLoss.data())[0] ?? Number.NaN;
  }

  async evaluate(batchSize: number): Promise<Evaluation> {
    const { valData: val, network } = this;
    const totals = tf.tidy(() => {
      let lossSum: tf.Tensor = tf.scalar(0);
      let correct: tf.Tensor = tf.scalar(0);
      for (let start = 0; start < val.count; start += batchSize) {
        const size = Math.min(batchSize, val.count - start);
        const { x, y, labels } = val.range(start, size);
        const logits = network.logits(x, 'eval');
        lossSum = tf.add(lossSum, tf.mul(crossEntropy(logits, y), size));
        correct = tf.add(correct, tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')));
      }
      return tf.stack([lossSum, correct]);
    });
    try {
      const [lossSum = Number.NaN, correct = Number.NaN] = await totals.data();
      return { val_loss: lossSum / val.count, val_acc: correct / val.count };
    } finally {
      totals.dispose();
    }
  }

  async predict(pixels: Uint8Array | Float32Array): Promise<Float32Array> {
    const logits = tf.tidy(() => this.network.logits(pixelsToBatch(pixels), 'eval'));
    try {
      return (await logits.data()) as Float32Array;
    } finally {
      logits.dispose();
    }
  }

  async readState(): Promise<EngineState> {
    const [network, adam, epochLossSum] = await Promise.all([this.network.readValuesAsync(), this.adam.readStateAsync(), this.epochLossSum()]);
    return { network, adam, epochLossSum };
  }

  writeState(state: EngineState): void {
    this.network.writeValues(state.network);
    this.adam.writeState(state.adam);
    tf.tidy(() => this.epochLoss.assign(tf.scalar(state.epochLossSum)));
  }

  dispose(): void {
    this.orderTensor?.dispose();
    this.orderTensor = null;
    tf.dispose([this.epochLoss]);
    this.network.dispose();
    this.adam.dispose();
    this.trainData.dispose();
    this.valData.dispose();
  }
}

/** tfjs ops train every architecture on every backend. */
export const tfjsEngineFactory: EngineFactory = {
  name: ENGINE_NAMES.tfjs,
  unavailable: () => null,
  create: (setup) => Promise.resolve(new TfjsEngine(setup)),
};
