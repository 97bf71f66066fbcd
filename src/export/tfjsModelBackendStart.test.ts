import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { readMnistSplit } from '../../scripts/lib/nodeMnist';
import { createTrainer } from '../engine/trainer';
import { exportTfjsModel } from './tfjsModel';

describe('tfjs export while the backend is still starting', () => {
  it('waits for the backend instead of building layers on one that has not started', async () => {
    await tf.setBackend('cpu');
    const trainer = await createTrainer({
      config: { f1: 8, f2: 6, lr: 1e-3, beta1: 0.9, beta2: 0.999, batch_size: 8, seed: 3, max_num_epochs: 1 },
      data: { train: readMnistSplit('train'), test: readMnistSplit('test') },
      trainLimit: 8,
      valLimit: 8,
    });
    const stateDict = (await trainer.torchStateDict());
    trainer.dispose();
    const expected = await exportTfjsModel(stateDict);

    // The cpu backend again, now with a start that takes a while, as the wasm backend's does while
    // it fetches its binary; its kernels stay registered under its name.
    const CpuBackend = tf.findBackend('cpu')?.constructor as new () => tf.KernelBackend;
    let finishStart: () => void = () => undefined;
    tf.removeBackend('cpu');
    tf.registerBackend('cpu', async () => {
      await new Promise<void>((resolve) => (finishStart = resolve));
      return new CpuBackend();
    });
    const starting = tf.setBackend('cpu');
    const exported = exportTfjsModel(stateDict);
    finishStart();
    expect(await starting).toBe(true);
    expect((await exported).modelJson).toBe(expected.modelJson);
    expect((await exported).weights).toEqual(expected.weights);
  });
});
