import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMnistSplit } from '../../../scripts/lib/nodeMnist';
import type { MnistSplit } from '../../data/idx';
import { createTrainer, type TrainConfig } from '../../train/trainer';
import { FusedCpuStep } from './fusedCpu';

const CONFIG: TrainConfig = { f1: 8, f2: 6, lr: 1e-3, beta1: 0.9, beta2: 0.999, batch_size: 16, seed: 11, max_num_epochs: 2 };
const TRAIN = 72;
const VAL = 200;

describe('the fused CPU step continues a run saved by the tfjs reference trainer', () => {
  let data: { train: MnistSplit; test: MnistSplit };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    data = { train: readMnistSplit('train'), test: readMnistSplit('test') };
  });

  it('gives the losses and validation the tfjs trainer gives after the same restore', async () => {
    const options = { config: CONFIG, data, trainLimit: TRAIN, valLimit: VAL, progressEvery: 1, fused: false };
    const controller = new AbortController();
    const first = createTrainer({ ...options, signal: controller.signal, onProgress: (p) => p.epoch === 2 && p.step === 1 && controller.abort() });
    expect((await first.run()).status).toBe('stopped');
    const saved = first.saveState();
    first.dispose();
    expect(saved.permutation).not.toBeNull();

    // The tfjs reference continues the saved run...
    const tfjsLosses: number[] = [];
    const rest = createTrainer({ ...options, onProgress: (p) => p.epoch === 2 && p.step > saved.stepInEpoch && tfjsLosses.push(p.loss) });
    rest.restoreState(saved);
    await rest.run();
    const tfjsVal = await rest.evaluate();
    const tfjsEnd = rest.saveState();
    rest.dispose();

    // ...and so does the fused CPU step, from the same saved state.
    const engine = await FusedCpuStep.create({ f1: 8, f2: 6, lr: CONFIG.lr, beta1: CONFIG.beta1, beta2: CONFIG.beta2, maxBatch: CONFIG.batch_size, threads: 1 });
    engine.setData('train', data.train.images.subarray(0, TRAIN * 784), data.train.labels.subarray(0, TRAIN));
    engine.setData('val', data.test.images.subarray(0, VAL * 784), data.test.labels.subarray(0, VAL));
    engine.writeState(saved.network, saved.adam);
    engine.resetEpochLoss(saved.epochLossSum);
    const cpuLosses: number[] = [];
    const order = saved.permutation ?? new Int32Array(0);
    for (let start = saved.stepInEpoch * CONFIG.batch_size; start < TRAIN; start += CONFIG.batch_size) {
      cpuLosses.push(await engine.run(order, [{ start, size: Math.min(CONFIG.batch_size, TRAIN - start) }]));
    }
    const { lossSum, correct } = await engine.evaluate();
    const end = engine.readState();
    const epochLossSum = engine.epochLossSum();
    engine.dispose();

    expect(cpuLosses.length).toBe(tfjsLosses.length);
    expect(cpuLosses.length).toBeGreaterThan(2);
    const lossErr = Math.max(...cpuLosses.map((l, i) => Math.abs(l - (tfjsLosses[i] ?? NaN)) / Math.abs(tfjsLosses[i] ?? NaN)));
    const valErr = Math.abs(lossSum / VAL - tfjsVal.val_loss) / tfjsVal.val_loss;
    const epochErr = Math.abs(epochLossSum - tfjsEnd.epochLossSum) / tfjsEnd.epochLossSum;
    console.log(`continued on the fused CPU step: losses ${cpuLosses.map((l) => l.toFixed(6)).join(' ')} vs tfjs ${tfjsLosses.map((l) => l.toFixed(6)).join(' ')}; ` +
      `max relative loss difference ${lossErr.toExponential(2)}, val_loss ${valErr.toExponential(2)}, epoch loss sum ${epochErr.toExponential(2)}`);
    expect(lossErr).toBeLessThan(1e-5);
    expect(valErr).toBeLessThan(1e-4);
    expect(epochErr).toBeLessThan(1e-5);
    expect(correct / VAL).toBeCloseTo(tfjsVal.val_acc, 5);
    expect(end.network.batchesTracked).toBe(tfjsEnd.network.batchesTracked);
    expect(end.adam.step).toBe(tfjsEnd.adam.step);
  });
});
