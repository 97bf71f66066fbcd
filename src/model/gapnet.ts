import { hyperparameter, type Architecture, type Hyperparameters, type LayerOps } from './architecture';
import { SpecBuilder, type ModelSpec } from './spec';

/** One conv -> BatchNorm -> ReLU block of `features`: its index in the Sequential, channels, kernel. */
interface ConvBlock {
  index: number;
  cin: number;
  cout: number;
  kernel: number;
}

/** Index of the MaxPool2d(2) in `features`, between the second and third blocks. */
const POOL_INDEX = 2;

/**
 * The conv blocks of `features`, in forward order, with the spatial sizes they produce:
 * 28 -> 26 -> 24 -> pool 12 -> 12 (1x1) -> 10 -> 8 -> 6 -> global average.
 */
function convBlocks(h: Hyperparameters): ConvBlock[] {
  const [c1, c2, c3, c4] = (['c1', 'c2', 'c3', 'c4'] as const).map((name) => hyperparameter(gapnet, h, name)) as [number, number, number, number];
  return [
    { index: 0, cin: 1, cout: c1, kernel: 3 },
    { index: 1, cin: c1, cout: c2, kernel: 3 },
    { index: 3, cin: c2, cout: c3, kernel: 1 },
    { index: 4, cin: c3, cout: c4, kernel: 3 },
    { index: 5, cin: c4, cout: c4, kernel: 3 },
    { index: 6, cin: c4, cout: c4, kernel: 3 },
  ];
}

/** PyTorch's registration order: `features.<i>.0` (conv, no bias), `features.<i>.1` (BatchNorm), then `head`. */
function gapnetSpec(h: Hyperparameters): ModelSpec {
  const blocks = convBlocks(h);
  const b = new SpecBuilder();
  for (const block of blocks) {
    b.conv2d(`features.${block.index}.0`, block.cin, block.cout, block.kernel, false).batchNorm2d(`features.${block.index}.1`, block.cout);
  }
  b.conv2d('head', blocks.at(-1)?.cout ?? 1, 10, 1);
  return { entries: b.entries, inputShape: [28, 28, 1], classes: 10 };
}

/**
 * A small all-convolutional network that ends in global average pooling instead of a flatten:
 *
 * ```
 * def cbr(cin, cout, k=3): return nn.Sequential(nn.Conv2d(cin, cout, k, bias=False), nn.BatchNorm2d(cout), nn.ReLU())
 * features = nn.Sequential(cbr(1, c1), cbr(c1, c2), nn.MaxPool2d(2), cbr(c2, c3, 1), cbr(c3, c4),
 *                          cbr(c4, c4), cbr(c4, c4), nn.AdaptiveAvgPool2d(1))
 * head = nn.Conv2d(c4, 10, 1)          # logits = flatten(head(features(x)))
 * ```
 *
 * At its defaults it has 8,076 parameters. With AdamW, a one-cycle schedule and light
 * augmentation, PyTorch trains it to 99.5-99.6% in 13-15 epochs, where Classifier(8, 6) reaches
 * about 99.2% with the same recipe.
 */
export const gapnet: Architecture<'c1' | 'c2' | 'c3' | 'c4'> = {
  name: 'gapnet',
  description: 'Six conv-BatchNorm-ReLU blocks, a 2x2 max pool and global average pooling into a 1x1 conv head (8,076 parameters at c1=10, c2=16, c3=10, c4=16).',
  hyperparameters: {
    c1: { default: 10, min: 1, max: 64, description: 'Channels of the first 3x3 convolution.' },
    c2: { default: 16, min: 1, max: 64, description: 'Channels of the second 3x3 convolution, before the max pool.' },
    c3: { default: 10, min: 1, max: 64, description: 'Channels of the 1x1 convolution after the max pool.' },
    c4: { default: 16, min: 1, max: 64, description: 'Channels of the last three 3x3 convolutions (and the head\'s input).' },
  },
  spec: gapnetSpec,
  forward<T>(h: Hyperparameters, x: T, ops: LayerOps<T>): T {
    let y = x;
    for (const block of convBlocks(h)) {
      if (block.index === POOL_INDEX + 1) y = ops.maxPool2d(y, 2);
      y = ops.relu(ops.batchNorm2d(ops.conv2d(y, `features.${block.index}.0`, 1, 0), `features.${block.index}.1`));
    }
    return ops.flatten(ops.conv2d(ops.globalAvgPool(y), 'head', 1, 0));
  },
};
