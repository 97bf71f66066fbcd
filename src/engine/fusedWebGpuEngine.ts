import { classifier } from '../model/classifier';
import { hyperparameter } from '../model/architecture';
import { currentWebGpuBackend, FusedTrainingStep, fusedTensors, precompileFusedKernels, type FusedTensors } from '../train/fused/engine';
import { fusedLayout, type FusedLayout } from '../train/fused/layout';
import { ENGINE_LABELS, ENGINE_NAMES, type EngineFactory, type EngineSetup, type StepRange } from './stepEngine';
import { TfjsEngine } from './tfjsEngine';
import { recipeKeysInUse, SEED_RECIPE } from '../train/recipe';
import { messageOf } from '../studioError';

/**
 * The fused WebGPU step: the tfjs engine's tensors (parameters, Adam moments, running statistics,
 * the dataset on the device) trained in place by the generated WGSL kernels, many steps a submit.
 * Evaluation, prediction and state go through the tfjs tensors it shares.
 */
class FusedWebGpuEngine extends TfjsEngine {
  override readonly name = ENGINE_NAMES.fusedWebGpu;
  override readonly description = ENGINE_LABELS[ENGINE_NAMES.fusedWebGpu];

  private constructor(
    setup: EngineSetup,
    private readonly step: FusedTrainingStep,
  ) {
    super(setup);
  }

  static async start(setup: EngineSetup, layout: FusedLayout): Promise<FusedWebGpuEngine> {
    const backend = currentWebGpuBackend();
    if (!backend) throw new Error('tfjs is not running on WebGPU');
    return new FusedWebGpuEngine(setup, await FusedTrainingStep.create(backend, layout, setup.adam));
  }

  private tensors(order: Int32Array): FusedTensors {
    return fusedTensors(
      { network: this.network, adam: this.adam },
      { images: this.trainData.images, labels: this.trainData.labels, order: this.order(order), epochLoss: this.epochLoss },
    );
  }

  override async train(order: Int32Array, steps: readonly StepRange[]): Promise<number> {
    const tensors = this.tensors(order);
    const firstAdamStep = this.adam.step;
    this.step.run(
      steps.map((s, i) => ({ ...s, adamStep: firstAdamStep + i + 1 })),
      tensors,
    );
    this.adam.step += steps.length;
    this.network.batchesTracked += steps.length;
    return this.step.lastLoss();
  }

  /** Each kernel's GPU time in one step (needs the device's timestamp queries); the step trains. */
  async profile(order: Int32Array, step: StepRange): Promise<{ label: string; ms: number }[]> {
    const times = await this.step.profile({ ...step, adamStep: this.adam.step + 1 }, this.tensors(order));
    this.adam.step += 1;
    this.network.batchesTracked += 1;
    return times;
  }

  override dispose(): void {
    this.step.dispose();
    super.dispose();
  }
}

/** The fused kernels' layout for a setup; throws when they do not apply (another architecture). */
function layoutOf(setup: Pick<EngineSetup, 'architecture' | 'hyperparameters' | 'batchSize'>): FusedLayout {
  if (setup.architecture !== classifier) throw new Error(`the fused kernels train the Classifier only, not ${setup.architecture.name}`);
  const h = setup.hyperparameters;
  return fusedLayout(hyperparameter(classifier, h, 'f1'), hyperparameter(classifier, h, 'f2'), setup.batchSize);
}

/** Starts compiling the fused kernels for a setup, so that compilation overlaps loading its data. */
export function precompileFusedWebGpu(setup: Pick<EngineSetup, 'architecture' | 'hyperparameters' | 'batchSize'>): void {
  try {
    if (currentWebGpuBackend()) precompileFusedKernels(layoutOf(setup));
  } catch {
    // An engine that does not apply says why when it is chosen.
  }
}

export const fusedWebGpuEngineFactory: EngineFactory = {
  name: ENGINE_NAMES.fusedWebGpu,
  unavailable(setup) {
    // The model first: it is the reason that holds on every device.
    if (setup.architecture !== classifier) return `the fused WebGPU kernels train the Classifier only, not ${setup.architecture.name}`;
    if (!currentWebGpuBackend()) return 'tfjs is not running on WebGPU';
    const keys = recipeKeysInUse(setup.recipe ?? SEED_RECIPE);
    if (keys.length > 0) return `the fused WebGPU kernels train the seed's recipe only, not ${keys.join(', ')}`;
    try {
      layoutOf(setup);
      return null;
    } catch (error) {
      return messageOf(error);
    }
  },
  create: (setup) => FusedWebGpuEngine.start(setup, layoutOf(setup)),
};
