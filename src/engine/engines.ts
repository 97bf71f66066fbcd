import * as tf from '@tensorflow/tfjs';
import { fusedCpuEngineFactory } from './fusedCpuEngine';
import { fusedWebGpuEngineFactory } from './fusedWebGpuEngine';
import { ENGINE_NAMES, type EngineFactory, type EngineName, type EngineSetup, type StepEngine } from './stepEngine';
import { tfjsEngineFactory } from './tfjsEngine';
import { messageOf } from '../studioError';

/** Every engine, by name. */
export const ENGINES: Readonly<Record<EngineName, EngineFactory>> = {
  [ENGINE_NAMES.tfjs]: tfjsEngineFactory,
  [ENGINE_NAMES.fusedWebGpu]: fusedWebGpuEngineFactory,
  [ENGINE_NAMES.fusedCpu]: fusedCpuEngineFactory,
};

/** An engine request: one by name, or `auto` (the fastest that applies to the running tfjs backend). */
export type EngineChoice = EngineName | 'auto';

/** The engines `auto` tries, in order, on a tfjs backend: the fused one for that device, then tfjs ops. */
export function autoOrder(backend: string): EngineName[] {
  return backend === 'webgpu' ? [ENGINE_NAMES.fusedWebGpu, ENGINE_NAMES.tfjs] : [ENGINE_NAMES.fusedCpu, ENGINE_NAMES.tfjs];
}

/** A started engine, and why a faster one did not start when `auto` passed it over. */
export interface StartedEngine {
  engine: StepEngine;
  note?: string;
}

/**
 * Starts the requested engine, or under `auto` the first in `autoOrder` that applies and starts
 * (tfjs ops always do). A named engine that cannot train this setup is an error that says why.
 */
export async function startEngine(choice: EngineChoice, setup: EngineSetup): Promise<StartedEngine> {
  if (choice !== 'auto') {
    const factory = ENGINES[choice];
    const problem = factory.unavailable(setup);
    if (problem !== null) throw new Error(`the ${choice} engine cannot train this model here: ${problem}`);
    return { engine: await factory.create(setup) };
  }
  const passed: string[] = [];
  for (const name of autoOrder(tf.getBackend())) {
    const factory = ENGINES[name];
    const problem = factory.unavailable(setup);
    if (problem !== null) {
      if (name !== ENGINE_NAMES.tfjs) passed.push(problem);
      continue;
    }
    try {
      const engine = await factory.create(setup);
      return passed.length > 0 ? { engine, note: passed.join('; ') } : { engine };
    } catch (error) {
      passed.push(messageOf(error));
    }
  }
  throw new Error(`no engine could start: ${passed.join('; ')}`);
}
