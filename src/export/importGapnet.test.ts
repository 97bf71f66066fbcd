import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMnistSplit } from '../../scripts/lib/nodeMnist';
import { EMITTED_ARCHITECTURE_PATH, TORCH_PYTHON } from '../../scripts/torch/fixtures';
import { requireTorch, writeImages } from '../../scripts/torch/torchLogits';
import { gapnet } from '../model/gapnet';
import { plainLogits } from '../model/plainForward';
import type { TorchTensor } from '../model/stateDict';
import { importModel, type ImportedModel } from './importModel';
import { createImportedPredictor } from './importedPredictor';
import { writeCheckpoint } from './ptWriter';
import { defaultAdamParamGroup } from './stateDict';
import { exportTfjsModel } from './tfjsModel';

const WIDTHS = { c1: 10, c2: 20, c3: 10, c4: 16 };
const IMAGES = 8;

/**
 * PyTorch builds the studio's exported GapNet (scripts/torch/pt_classifier.py) at the widths in
 * argv 1..4, gives its BatchNorm layers non-trivial statistics, saves `(model.state_dict(),
 * optimizer.state_dict())` to argv 5 as the exported Ray Tune project does, and prints its
 * parameter count and the eval logits of the 0..1 float32 images in argv 6 as JSON.
 */
const TORCH_GAPNET = `
import json, sys
import numpy as np
import torch
from pt_classifier import GapNet
torch.manual_seed(11)
c1, c2, c3, c4 = (int(v) for v in sys.argv[1:5])
model = GapNet(c1, c2, c3, c4)
with torch.no_grad():
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.weight.uniform_(0.5, 1.5)
            module.bias.uniform_(-0.2, 0.2)
            module.running_mean.uniform_(-0.3, 0.3)
            module.running_var.uniform_(0.5, 2.0)
            module.num_batches_tracked.fill_(123)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
torch.save((model.state_dict(), optimizer.state_dict()), sys.argv[5])
x = torch.from_numpy(np.fromfile(sys.argv[6], dtype=np.float32)).reshape(-1, 1, 28, 28)
with torch.no_grad():
    logits = model.eval()(x).flatten().tolist()
print(json.dumps({"total_params": sum(p.numel() for p in model.parameters()), "logits": logits}))
`;

/** The largest |a - b| over two arrays of the same length. */
function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return worst;
}

const pt = (name: string, model: TorchTensor[]) => ({
  name,
  bytes: writeCheckpoint({ model, optimizer: { state: [], paramGroup: defaultAdamParamGroup(1e-3, [0.9, 0.999]) } }),
});

describe('importing a gapnet checkpoint PyTorch saved', () => {
  let bytes: Uint8Array;
  let torch: { total_params: number; logits: number[] };
  let pixels: Float32Array;
  let imported: ImportedModel;

  beforeAll(async () => {
    requireTorch();
    await tf.setBackend('cpu');
    const dir = mkdtempSync(join(tmpdir(), 'import-gapnet-'));
    const file = join(dir, 'gapnet.pt');
    pixels = Float32Array.from(readMnistSplit('test').images.subarray(0, IMAGES * 28 * 28), (v) => v / 255);
    const args = ['-c', TORCH_GAPNET, ...Object.values(WIDTHS).map(String), file, writeImages(dir, pixels)];
    torch = JSON.parse(execFileSync(TORCH_PYTHON, args, { cwd: dirname(EMITTED_ARCHITECTURE_PATH), encoding: 'utf8' })) as typeof torch;
    bytes = new Uint8Array(readFileSync(file));
    imported = importModel([{ name: 'gapnet.pt', bytes }]);
  });

  it('is recognised as gapnet at its widths, with PyTorch’s parameter count', () => {
    expect(imported).toMatchObject({ name: 'gapnet.pt', model: 'gapnet', hyperparameters: WIDTHS, totalParams: torch.total_params, source: { kind: 'pt', format: 'tuple', hasOptimizer: true } });
    expect(imported.stateDict.find((t) => t.key === 'features.0.1.num_batches_tracked')?.data).toEqual(BigInt64Array.of(123n));
  });

  it('predicts PyTorch’s eval logits, in plain TypeScript and on tfjs', async () => {
    const plain = new Float32Array(IMAGES * 10);
    for (let n = 0; n < IMAGES; n++) plain.set(plainLogits(gapnet, imported.hyperparameters, imported.stateDict, pixels.subarray(n * 784, (n + 1) * 784)), n * 10);
    const predictor = createImportedPredictor(imported);
    const onTfjs = await predictor.predict(pixels);
    predictor.dispose();
    const plainWorst = largestDifference(plain, torch.logits);
    const tfjsWorst = largestDifference(onTfjs, torch.logits);
    console.log(`imported gapnet(${Object.values(WIDTHS).join(', ')}) vs PyTorch, max |logit difference| over ${IMAGES} test images: plain ${plainWorst.toExponential(2)}, tfjs cpu ${tfjsWorst.toExponential(2)}`);
    // The logits differ from image to image, so agreeing on them is not agreeing on a constant.
    expect(Math.max(...torch.logits) - Math.min(...torch.logits)).toBeGreaterThan(0.1);
    expect(plainWorst).toBeLessThan(1e-4);
    expect(tfjsWorst).toBeLessThan(1e-4);
  });

  it('downloads as a tfjs model that tf.loadLayersModel runs with PyTorch’s eval logits', async () => {
    const files = await exportTfjsModel(imported.stateDict);
    const json = JSON.parse(files.modelJson) as tf.io.ModelJSON;
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((group) => group.weights), weightData: files.weights.buffer }),
    );
    const x = tf.tensor4d(pixels, [IMAGES, 28, 28, 1]);
    const out = loaded.predict(x) as tf.Tensor;
    const worst = largestDifference(await out.data(), torch.logits);
    tf.dispose([x, out]);
    loaded.dispose();
    console.log(`gapnet(${Object.values(WIDTHS).join(', ')}) as a tfjs LayersModel vs PyTorch, max |logit difference| over ${IMAGES} test images: ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
  });

  it('refuses the same state dict with one wrong shape or one missing key, naming the file and the key', () => {
    const model = imported.stateDict;
    const wrong = model.map((t) => (t.key === 'features.3.0.weight' ? { ...t, shape: [20, 10, 1, 1] } : t));
    expect(() => importModel([pt('wrong.pt', wrong)])).toThrow(/wrong\.pt: features\.3\.0\.weight has shape \[20, 10, 1, 1\]; gapnet\(c1=10, c2=20, c3=10, c4=16\) needs \[10, 20, 1, 1\]/);
    const missing = model.filter((t) => t.key !== 'head.bias');
    expect(() => importModel([pt('missing.pt', missing)])).toThrow(/missing\.pt: missing key head\.bias for gapnet\(c1=10, c2=20, c3=10, c4=16\)/);
  });
});
