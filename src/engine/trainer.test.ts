import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMnistSplit } from '../../scripts/lib/nodeMnist';
import type { MnistSplit } from '../data/idx';
import { classifier } from '../model/classifier';
import { Network } from '../model/network';
import { Adam } from '../train/adam';
import { initialValues } from '../train/init';
import { Rng } from '../train/rng';
import { trainStep } from '../train/step';
import { createTrainer, type TrainConfig } from './trainer';

const CONFIG: TrainConfig = { f1: 8, f2: 6, lr: 1e-2, beta1: 0.9, beta2: 0.999, batch_size: 8, seed: 7, max_num_epochs: 2 };

describe('trainer', () => {
  let data: { train: MnistSplit; test: MnistSplit };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    data = { train: readMnistSplit('train'), test: readMnistSplit('test') };
  });

  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('frees every tensor it makes in a step', () => {
    const network = new Network(classifier, {}, initialValues(classifier.spec({}), new Rng(1)));
    const adam = new Adam(network.totalParams, { lr: 1e-3, beta1: 0.9, beta2: 0.999 });
    const x = tf.randomUniform<tf.Rank.R4>([4, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d([1, 2, 3, 4], 'int32'), 10).toFloat() as tf.Tensor2D;
    trainStep(network, adam, x, y).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) trainStep(network, adam, x, y).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    adam.dispose();
    network.dispose();
  });

  it('continues bit for bit after saving and restoring mid-epoch (CPU backend)', async () => {
    const options = { config: CONFIG, data, trainLimit: 32, valLimit: 16, progressEvery: 1 };
    // Tensors held after the first step (the model, the data, the epoch's order) are all it keeps.
    let tensorsAfterFirstStep = 0;
    const straight = await createTrainer({
      ...options,
      onProgress: (p) => {
        if (p.epoch === 1 && p.step === 1) tensorsAfterFirstStep = tf.memory().numTensors;
      },
    });
    const full = await straight.run();
    expect(full.status).toBe('completed');
    expect(tensorsAfterFirstStep).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep);

    const controller = new AbortController();
    const first = await createTrainer({
      ...options,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.epoch === 2 && p.step === 2) controller.abort();
      },
    });
    expect((await first.run()).status).toBe('stopped');
    const saved = (await first.readState());
    expect(saved.epoch).toBe(1);
    expect(saved.stepInEpoch).toBe(2);
    first.dispose();

    const resumed = await createTrainer({ ...options, config: { ...CONFIG, seed: 999 } });
    resumed.restoreState(saved);
    const rest = await resumed.run();
    expect(rest.status).toBe('completed');

    const a = (await straight.torchStateDict());
    const b = (await resumed.torchStateDict());
    expect(b.map((t) => t.key)).toEqual(a.map((t) => t.key));
    a.forEach((t, i) => expect(b[i]?.data).toEqual(t.data));
    expect(Array.from((await resumed.readState()).adam.expAvgSq)).toEqual(Array.from((await straight.readState()).adam.expAvgSq));
    expect((await resumed.readState()).adam.step).toBe(8);
    const metrics = (h: typeof full.history) => h.map(({ epoch, train_loss, val_loss, val_acc, total_params }) => ({ epoch, train_loss, val_loss, val_acc, total_params }));
    expect(metrics(rest.history)).toEqual(metrics(full.history));
    expect((await straight.torchStateDict()).find((t) => t.key === 'bneck1.BN1.num_batches_tracked')?.data[0]).toBe(8n);
    straight.dispose();
    resumed.dispose();
  });

  it.each(['tfjs', 'fused-cpu'] as const)('trains the whole recipe on %s and resumes it mid-epoch bit for bit', async (engine) => {
    const recipe = {
      optimizer: 'adamw',
      weight_decay: 0.05,
      lr_schedule: 'onecycle',
      pct_start: 0.3,
      label_smoothing: 0.1,
      augment_translate: 2,
      augment_degrees: 10,
      augment_scale: 0.1,
    };
    const options = { config: { ...CONFIG, ...recipe }, data, trainLimit: 32, valLimit: 16, progressEvery: 1, engine };
    const straight = await createTrainer(options);
    const full = await straight.run();
    const plain = await createTrainer({ ...options, config: CONFIG });
    const seedRecipe = await plain.run();
    // The recipe changes training (a key the engine ignored would leave the seed's losses).
    expect(full.history.map((h) => h.train_loss)).not.toEqual(seedRecipe.history.map((h) => h.train_loss));
    plain.dispose();

    const controller = new AbortController();
    const first = await createTrainer({ ...options, signal: controller.signal, onProgress: (p) => p.epoch === 2 && p.step === 1 && controller.abort() });
    expect((await first.run()).status).toBe('stopped');
    const saved = await first.readState();
    first.dispose();
    // Augmentation and the schedule are functions of the trial's seed, the epoch and the optimizer step.
    const resumed = await createTrainer(options);
    resumed.restoreState(saved);
    const rest = await resumed.run();
    const a = await straight.torchStateDict();
    const b = await resumed.torchStateDict();
    a.forEach((t, i) => expect(b[i]?.data).toEqual(t.data));
    expect(rest.history.map((h) => h.train_loss)).toEqual(full.history.map((h) => h.train_loss));
    straight.dispose();
    resumed.dispose();
  });

  it('lifts val_acc well above chance in one epoch on 3,000 images (wasm backend)', async () => {
    await tf.setBackend('wasm');
    const reports: number[] = [];
    const progress: number[] = [];
    const trainer = await createTrainer({
      config: { ...CONFIG, batch_size: 32, lr: 1e-2, max_num_epochs: 1 },
      data,
      trainLimit: 3000,
      valLimit: 1000,
      onProgress: (p) => progress.push(p.step),
      onEpoch: (r) => void reports.push(r.val_acc),
    });
    const result = await trainer.run();
    const [report] = result.history;
    console.log('one epoch on 3,000 images (wasm):', report);
    expect(report?.total_params).toBe(9994);
    expect(report?.val_acc).toBeGreaterThan(0.6);
    expect(report?.train_loss).toBeLessThan(2.3);
    expect(reports).toHaveLength(1);
    expect(progress.at(-1)).toBe(Math.ceil(3000 / 32));
    const logits = await trainer.predict(data.test.images.subarray(0, 2 * 784));
    expect(logits).toHaveLength(20);
    trainer.dispose();
  });
});
