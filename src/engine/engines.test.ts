import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, startEngine } from './engines';
import { ENGINE_NAMES } from './stepEngine';
import { syntheticSetup } from './syntheticSetup';

describe('engine choice for a model the fused engines do not train', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('falls back to tfjs ops under auto for gapnet, and says why', async () => {
    const { engine, note } = await startEngine('auto', syntheticSetup(8, 1, 1e-3, 'gapnet'));
    try {
      expect(engine.name).toBe(ENGINE_NAMES.tfjs);
      expect(note).toBe('the fused CPU step trains the Classifier only, not gapnet');
    } finally {
      engine.dispose();
    }
  });

  it('refuses a fused engine named explicitly for gapnet, with the reason', async () => {
    const setup = syntheticSetup(8, 1, 1e-3, 'gapnet');
    await expect(startEngine(ENGINE_NAMES.fusedCpu, setup)).rejects.toThrow(
      'the fused-cpu engine cannot train this model here: the fused CPU step trains the Classifier only, not gapnet',
    );
    await expect(startEngine(ENGINE_NAMES.fusedWebGpu, setup)).rejects.toThrow(
      'the fused-webgpu engine cannot train this model here: the fused WebGPU kernels train the Classifier only, not gapnet',
    );
    // The Classifier still gets the fused CPU step under auto.
    expect(ENGINES[ENGINE_NAMES.fusedCpu].unavailable(syntheticSetup(8, 1))).toBeNull();
  });
});
