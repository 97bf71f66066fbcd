import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMnistSplit } from '../../scripts/lib/nodeMnist';
import { judgeCheckpoint, requireTorch, torchTrainedCheckpoint, writeImages } from '../../scripts/torch/torchLogits';
import { createTrainer, type TrainConfig, type Trainer } from '../engine/trainer';
import type { TrialSnapshot } from '../tune/trial';
import { importModel } from './importModel';
import { createImportedPredictor } from './importedPredictor';
import { writeCheckpoint } from './ptWriter';
import { exportTfjsModel } from './tfjsModel';
import { snapshotCheckpoint } from './trialCheckpoint';

const IMAGES = 16;
const CONFIG: TrainConfig = { f1: 8, f2: 6, lr: 3e-3, beta1: 0.85, beta2: 0.995, batch_size: 8, seed: 5, max_num_epochs: 1 };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}

describe('checkpoints judged by PyTorch (tfjs CPU backend)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'torch-round-trip-'));
  let images: string;
  let pixels: Float32Array;
  let trainer: Trainer;

  beforeAll(async () => {
    requireTorch();
    await tf.setBackend('cpu');
    const test = readMnistSplit('test');
    pixels = Float32Array.from(test.images.subarray(0, IMAGES * 784), (v) => v / 255);
    images = writeImages(dir, pixels);
    trainer = await createTrainer({ config: CONFIG, data: { train: readMnistSplit('train'), test }, trainLimit: 24, valLimit: 8, progressEvery: 3 });
    await trainer.run();
  });

  afterAll(() => trainer.dispose());

  it('a studio-trained checkpoint.pt loads into the original Classifier and Adam and predicts the same', async () => {
    const snapshot: TrialSnapshot = { config: CONFIG, state: (await trainer.readState()), stateDict: (await trainer.torchStateDict()) };
    const path = join(dir, 'studio.pt');
    writeFileSync(path, writeCheckpoint(snapshotCheckpoint(snapshot)));
    const judged = judgeCheckpoint(dir, path, images);
    const studio = await trainer.predict(pixels);
    const err = maxAbsDiff(judged.logits, studio);
    console.log(`studio -> PyTorch ${judged.torch}: max |torch - studio| eval logits over ${IMAGES} test images = ${err.toExponential(2)}`);
    expect(judged.globals_outside_allow_list).toEqual([]);
    expect(judged.missing).toEqual([]);
    expect(judged.unexpected).toEqual([]);
    expect(judged.adam_states).toBe((await trainer.torchStateDict()).filter((t) => !/running_|num_batches/.test(t.key)).length);
    expect(judged.adam_steps).toEqual([3]);
    expect(judged.lr).toBeCloseTo(CONFIG.lr, 12);
    expect(judged.betas[0]).toBeCloseTo(CONFIG.beta1, 12);
    expect(judged.betas[1]).toBeCloseTo(CONFIG.beta2, 12);
    expect(judged.step_after).toBe(4);
    expect(judged.finite_after).toBe(true);
    expect(err).toBeLessThan(1e-5);
  });

  it('a checkpoint PyTorch trained and saved imports and predicts as PyTorch does (tuple and bare state_dict)', async () => {
    const made = torchTrainedCheckpoint(dir, 6, 4, images);
    for (const file of ['tuple.pt', 'bare.pt']) {
      const model = importModel([{ name: file, bytes: new Uint8Array(readFileSync(join(dir, file))) }]);
      expect(model.model).toBe('Classifier');
      expect(model.hyperparameters).toEqual({ f1: 6, f2: 4 });
      expect(model.source).toEqual({ kind: 'pt', format: file === 'tuple.pt' ? 'tuple' : 'state_dict', hasOptimizer: file === 'tuple.pt' });
      const predictor = createImportedPredictor(model);
      const err = maxAbsDiff(await predictor.predict(pixels), made.logits);
      const probabilities = await predictor.probabilities(pixels.subarray(0, 784));
      expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      const torchFirst = made.logits.slice(0, 10);
      expect(probabilities.indexOf(Math.max(...probabilities))).toBe(torchFirst.indexOf(Math.max(...torchFirst)));
      predictor.dispose();
      console.log(`PyTorch ${made.torch} ${file} -> studio: max |studio - torch| eval logits over ${IMAGES} test images = ${err.toExponential(2)}`);
      expect(err).toBeLessThan(1e-5);

      if (file === 'tuple.pt') {
        // The same PyTorch model through the tfjs export and back predicts the same too.
        const files = await exportTfjsModel(model.stateDict);
        const back = importModel([
          { name: 'model.json', bytes: new TextEncoder().encode(files.modelJson) },
          { name: files.weightsFileName, bytes: files.weights },
        ]);
        const again = createImportedPredictor(back);
        const tfjsErr = maxAbsDiff(await again.predict(pixels), made.logits);
        again.dispose();
        console.log(`PyTorch ${file} -> tfjs model.json -> studio: max |studio - torch| = ${tfjsErr.toExponential(2)}`);
        expect(tfjsErr).toBeLessThan(1e-5);
      }
    }
  });
});
