import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMnistSplit } from '../../../scripts/lib/nodeMnist';
import type { MnistSplit } from '../../data/idx';
import { createTrainer, type TrainConfig } from '../trainer';
import { ENGINE_NAMES, type EngineName } from '../stepEngine';

const CONFIG: TrainConfig = { f1: 8, f2: 6, lr: 1e-3, beta1: 0.9, beta2: 0.999, batch_size: 16, seed: 11, max_num_epochs: 2 };
const TRAIN = 72;
const VAL = 200;

describe('the fused CPU engine continues a run saved by the tfjs engine', () => {
  let data: { train: MnistSplit; test: MnistSplit };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    data = { train: readMnistSplit('train'), test: readMnistSplit('test') };
  });

  it('gives the losses and validation the tfjs trainer gives after the same restore', async () => {
    const options = { config: CONFIG, data, trainLimit: TRAIN, valLimit: VAL, progressEvery: 1 };
    const controller = new AbortController();
    const first = await createTrainer({ ...options, engine: ENGINE_NAMES.tfjs, signal: controller.signal, onProgress: (p) => p.epoch === 2 && p.step === 1 && controller.abort() });
    expect(first.engine.engine).toBe(ENGINE_NAMES.tfjs);
    expect((await first.run()).status).toBe('stopped');
    const saved = await first.readState();
    first.dispose();
    expect(saved.permutation).not.toBeNull();

    /** Continues the saved run on an engine: the rest of epoch 2's losses, then the state and validation. */
    const continueOn = async (engine: EngineName) => {
      const losses: number[] = [];
      const trainer = await createTrainer({ ...options, engine, onProgress: (p) => p.epoch === 2 && p.step > saved.stepInEpoch && losses.push(p.loss) });
      try {
        expect(trainer.engine.engine).toBe(engine);
        trainer.restoreState(saved);
        const { history } = await trainer.run();
        return { losses, end: await trainer.readState(), last: history.at(-1)! };
      } finally {
        trainer.dispose();
      }
    };
    const tfjs = await continueOn(ENGINE_NAMES.tfjs);
    const cpu = await continueOn(ENGINE_NAMES.fusedCpu);

    expect(cpu.losses.length).toBe(tfjs.losses.length);
    expect(cpu.losses.length).toBeGreaterThan(2);
    const lossErr = Math.max(...cpu.losses.map((l, i) => Math.abs(l - (tfjs.losses[i] ?? NaN)) / Math.abs(tfjs.losses[i] ?? NaN)));
    const valErr = Math.abs(cpu.last.val_loss - tfjs.last.val_loss) / tfjs.last.val_loss;
    const trainErr = Math.abs(cpu.last.train_loss - tfjs.last.train_loss) / tfjs.last.train_loss;
    console.log(`continued on the fused CPU engine: losses ${cpu.losses.map((l) => l.toFixed(6)).join(' ')} vs tfjs ${tfjs.losses.map((l) => l.toFixed(6)).join(' ')}; ` +
      `max relative loss difference ${lossErr.toExponential(2)}, val_loss ${valErr.toExponential(2)}, train_loss ${trainErr.toExponential(2)}`);
    expect(lossErr).toBeLessThan(1e-5);
    expect(valErr).toBeLessThan(1e-4);
    expect(trainErr).toBeLessThan(1e-5);
    expect(cpu.last.val_acc).toBeCloseTo(tfjs.last.val_acc, 5);
    expect(cpu.end.network.batchesTracked).toBe(tfjs.end.network.batchesTracked);
    expect(cpu.end.adam.step).toBe(tfjs.end.adam.step);
    expect(cpu.last.epoch).toBe(2);
  });
});
