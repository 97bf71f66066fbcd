import { hyperparameter } from '../model/architecture';
import { classifier } from '../model/classifier';
import { FusedCpuStep } from './cpu/fusedCpu';
import { recipeAdam } from '../train/adam';
import { SEED_RECIPE } from '../train/recipe';
import { ENGINE_LABELS, ENGINE_NAMES, type EngineFactory, type EngineSetup, type EngineState, type Evaluation, type StepEngine, type StepRange } from './stepEngine';

const PIXELS = 28 * 28;

/**
 * The fused CPU step (src/engine/cpu): the Classifier's whole training step in WebAssembly SIMD,
 * threaded where memory can be shared. No tfjs inside a step.
 */
class FusedCpuEngine implements StepEngine {
  readonly name = ENGINE_NAMES.fusedCpu;
  readonly description: string;

  private constructor(
    private readonly step: FusedCpuStep,
    private readonly valCount: number,
    private readonly trainLabels: Uint8Array,
  ) {
    this.description = `${ENGINE_LABELS[ENGINE_NAMES.fusedCpu]}, ${step.threads} thread${step.threads === 1 ? '' : 's'}`;
  }

  static async start(setup: EngineSetup): Promise<FusedCpuEngine> {
    const h = setup.hyperparameters;
    const recipe = setup.recipe ?? SEED_RECIPE;
    const step = await FusedCpuStep.create({
      f1: hyperparameter(classifier, h, 'f1'),
      f2: hyperparameter(classifier, h, 'f2'),
      ...recipeAdam(setup.adam, recipe),
      labelSmoothing: recipe.labelSmoothing,
      maxBatch: setup.batchSize,
    });
    try {
      const { train, val } = setup;
      step.setData('train', train.images.subarray(0, train.count * PIXELS), train.labels.subarray(0, train.count));
      step.setData('val', val.images.subarray(0, val.count * PIXELS), val.labels.subarray(0, val.count));
      const size = setup.initial.params.length;
      step.writeState(setup.initial, { step: 0, expAvg: new Float32Array(size), expAvgSq: new Float32Array(size) });
      return new FusedCpuEngine(step, val.count, train.labels.subarray(0, train.count));
    } catch (error) {
      step.dispose();
      throw error;
    }
  }

  train(order: Int32Array, steps: readonly StepRange[]): Promise<number> {
    return this.step.run(order, steps);
  }

  setTrainImages(images: Uint8Array): void {
    this.step.setData('train', images, this.trainLabels);
  }

  startEpoch(): void {
    this.step.resetEpochLoss();
  }

  epochLossSum(): Promise<number> {
    return Promise.resolve(this.step.epochLossSum());
  }

  async evaluate(): Promise<Evaluation> {
    const { lossSum, correct } = await this.step.evaluate(this.valCount);
    return { val_loss: lossSum / this.valCount, val_acc: correct / this.valCount };
  }

  predict(pixels: Uint8Array | Float32Array): Promise<Float32Array> {
    // Bytes become 0..1 as the tfjs engine makes them: a float32 division by 255.
    const images = pixels instanceof Float32Array ? pixels : Float32Array.from(pixels, (v) => Math.fround(v / 255));
    return this.step.predict(images);
  }

  readState(): Promise<EngineState> {
    return Promise.resolve({ ...this.step.readState(), epochLossSum: this.step.epochLossSum() });
  }

  writeState(state: EngineState): void {
    this.step.writeState(state.network, state.adam);
    this.step.resetEpochLoss(state.epochLossSum);
  }

  dispose(): void {
    this.step.dispose();
  }
}

export const fusedCpuEngineFactory: EngineFactory = {
  name: ENGINE_NAMES.fusedCpu,
  unavailable(setup) {
    if (setup.architecture !== classifier) return `the fused CPU step trains the Classifier only, not ${setup.architecture.name}`;
    if (typeof WebAssembly === 'undefined') return 'this browser has no WebAssembly';
    return null;
  },
  create: (setup) => FusedCpuEngine.start(setup),
};
