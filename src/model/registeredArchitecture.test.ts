import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMnistSplit } from '../../scripts/lib/nodeMnist';
import { TORCH_PYTHON } from '../../scripts/torch/fixtures';
import { requireTorch, writeImages } from '../../scripts/torch/torchLogits';
import { createTrainer, type TrainConfig, type Trainer } from '../engine/trainer';
import { importModel } from '../export/importModel';
import { readCheckpoint } from '../export/ptReader';
import { writeCheckpoint } from '../export/ptWriter';
import { snapshotCheckpoint } from '../export/trialCheckpoint';
import { hyperparameter, type Architecture } from './architecture';
import { getArchitecture, registerArchitecture } from './registry';
import { SpecBuilder } from './spec';
import { fromTorchStateDict, type TorchStateDict } from './stateDict';

/** A second architecture, known to the studio only through this file: Linear -> ReLU6 -> Linear. */
const twoLayerMlp: Architecture = {
  name: 'TwoLayerMlp',
  description: 'Flatten, Linear(784, hidden), ReLU6, Linear(hidden, 10).',
  hyperparameters: { hidden: { default: 16, min: 1, max: 64, description: 'Units of the hidden layer.' } },
  spec(h) {
    const hidden = hyperparameter(twoLayerMlp, h, 'hidden');
    return { entries: new SpecBuilder().linear('fc1', 28 * 28, hidden).linear('fc2', hidden, 10).entries, inputShape: [28, 28, 1], classes: 10 };
  },
  forward(_h, x, ops) {
    return ops.linear(ops.relu6(ops.linear(ops.flatten(x), 'fc1')), 'fc2');
  },
};

const HIDDEN = 12;
const TRAIN_IMAGES = 640;
const STEPS = 20;
const CONFIG: TrainConfig = { model: 'TwoLayerMlp', hidden: HIDDEN, lr: 1e-2, beta1: 0.9, beta2: 0.999, batch_size: TRAIN_IMAGES / STEPS, seed: 3, max_num_epochs: 1 };
const VAL_IMAGES = 200;

/**
 * The same model in PyTorch: loads a studio checkpoint.pt (argv 1) strictly, with its Adam state,
 * and prints the eval logits of the 0..1 float32 images in argv 2 as JSON.
 */
const TORCH_MLP = `
import json, sys
import numpy as np
import torch
class TwoLayerMlp(torch.nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.fc1 = torch.nn.Linear(28 * 28, hidden)
        self.fc2 = torch.nn.Linear(hidden, 10)
    def forward(self, x):
        return self.fc2(torch.nn.functional.relu6(self.fc1(torch.flatten(x, 1))))
model_sd, optim_sd = torch.load(sys.argv[1])
model = TwoLayerMlp(model_sd['fc1.weight'].shape[0])
model.load_state_dict(model_sd, strict=True)
torch.optim.Adam(model.parameters()).load_state_dict(optim_sd)
x = torch.from_numpy(np.fromfile(sys.argv[2], dtype=np.float32)).reshape(-1, 1, 28, 28)
with torch.no_grad():
    print(json.dumps(model.eval()(x).flatten().tolist()))
`;

/** The same tensors, bit for bit, in the same order. */
function expectSameTensors(actual: TorchStateDict, expected: TorchStateDict): void {
  expect(actual.map((t) => [t.key, t.shape, t.dtype])).toEqual(expected.map((t) => [t.key, t.shape, t.dtype]));
  actual.forEach((tensor, i) => expect(tensor.data).toEqual(expected[i]?.data));
}

describe('an architecture registered outside src/model/registry.ts (tfjs CPU backend)', () => {
  let trainer: Trainer;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerArchitecture(twoLayerMlp);
    trainer = await createTrainer({
      config: CONFIG,
      data: { train: readMnistSplit('train'), test: readMnistSplit('test') },
      trainLimit: TRAIN_IMAGES,
      valLimit: VAL_IMAGES,
      engine: 'tfjs',
    });
  });

  afterAll(() => trainer.dispose());

  it('is found by name, once', () => {
    expect(getArchitecture('TwoLayerMlp')).toBe(twoLayerMlp);
    expect(() => registerArchitecture(twoLayerMlp)).toThrow(/already registered/);
  });

  it('trains on the tfjs engine, and its checkpoint.pt reads back with the same values', async () => {
    const before = (await trainer.readState()).network.params.slice();
    const { history } = await trainer.run();
    expect(trainer.engine.engine).toBe('tfjs');
    expect(trainer.totalParams).toBe(28 * 28 * HIDDEN + HIDDEN + HIDDEN * 10 + 10);
    expect(history).toHaveLength(1);
    console.log(`TwoLayerMlp(${HIDDEN}) after ${STEPS} steps on ${TRAIN_IMAGES} images: val_acc ${history[0]?.val_acc} on ${VAL_IMAGES}`);
    // A few steps of Adam lift a 10-way classifier well above chance (0.1).
    expect(history[0]?.val_acc).toBeGreaterThan(0.4);

    const state = await trainer.readState();
    expect(state.adam.step).toBe(STEPS);
    expect(state.network.params).not.toEqual(before);
    const stateDict = await trainer.torchStateDict();
    const written = snapshotCheckpoint({ config: CONFIG, state, stateDict });
    const read = readCheckpoint(writeCheckpoint(written));

    expect(read.format).toBe('tuple');
    expect(read.warnings).toEqual([]);
    expectSameTensors(read.model, stateDict);
    // The import control recognises it by its registered name, with nothing there naming it.
    const imported = importModel([{ name: 'checkpoint.pt', bytes: writeCheckpoint(written) }]);
    expect(imported).toMatchObject({ model: 'TwoLayerMlp', hyperparameters: { hidden: HIDDEN }, totalParams: trainer.totalParams });
    expectSameTensors(imported.stateDict, stateDict);
    // Without BatchNorm there is no num_batches_tracked to carry the step count: the values are the weights alone.
    const { params, runningMeans, runningVars } = fromTorchStateDict(twoLayerMlp.spec({ hidden: HIDDEN }), read.model);
    expect({ params, runningMeans, runningVars }).toEqual({ params: state.network.params, runningMeans: state.network.runningMeans, runningVars: state.network.runningVars });
    expect(read.optimizer?.paramGroup).toEqual(written.optimizer.paramGroup);
    expect(read.optimizer?.state.map((s) => [s.index, s.step])).toEqual([0, 1, 2, 3].map((index) => [index, STEPS]));
    read.optimizer?.state.forEach((moments, i) => {
      expect(moments.expAvg).toEqual(written.optimizer.state[i]?.expAvg);
      expect(moments.expAvgSq).toEqual(written.optimizer.state[i]?.expAvgSq);
    });
  });

  it('its checkpoint.pt loads strictly into the same model in PyTorch, with Adam, and predicts the same', async () => {
    requireTorch();
    const dir = mkdtempSync(join(tmpdir(), 'registered-architecture-'));
    const checkpoint = join(dir, 'checkpoint.pt');
    const state = await trainer.readState();
    writeFileSync(checkpoint, writeCheckpoint(snapshotCheckpoint({ config: CONFIG, state, stateDict: await trainer.torchStateDict() })));
    const pixels = Float32Array.from(readMnistSplit('test').images.subarray(0, 16 * 28 * 28), (v) => v / 255);
    const torchLogits = JSON.parse(execFileSync(TORCH_PYTHON, ['-c', TORCH_MLP, checkpoint, writeImages(dir, pixels)], { encoding: 'utf8' })) as number[];
    const studioLogits = await trainer.predict(pixels);
    expect(torchLogits).toHaveLength(studioLogits.length);
    const worst = Math.max(...torchLogits.map((v, i) => Math.abs(v - (studioLogits[i] ?? NaN))));
    console.log(`TwoLayerMlp studio -> PyTorch: max |torch - studio| eval logits over 16 test images = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
  });
});
