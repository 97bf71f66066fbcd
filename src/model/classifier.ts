import { hyperparameter, type Architecture, type Hyperparameters, type LayerOps } from './architecture';
import { SpecBuilder, type ModelSpec } from './spec';

/** One Bottleneck block of the original: in/out channels, expansion and stride. */
export interface BottleneckShape {
  name: string;
  cin: number;
  cout: number;
  expansion: number;
  stride: number;
}

/** The Bottlenecks of `Classifier(f1, f2)`, in forward order (28x28 -> 13 -> 13 -> 13 -> 7 -> 4 -> 2 -> 1). */
export function bottlenecks(f1: number, f2: number): BottleneckShape[] {
  return [
    { name: 'bneck1', cin: f1, cout: f2, expansion: 1, stride: 1 },
    { name: 'bneck2', cin: f2, cout: f2, expansion: 2, stride: 1 },
    { name: 'bneck3', cin: f2, cout: 8, expansion: 2, stride: 2 },
    { name: 'block1.0', cin: 8, cout: 8, expansion: 2, stride: 2 },
    { name: 'block1.1', cin: 8, cout: 8, expansion: 2, stride: 2 },
    { name: 'bneck4', cin: 8, cout: 12, expansion: 1, stride: 2 },
  ];
}

/** PyTorch's registration order: CL1, bneck1..3, block1 (a Sequential), bneck4, fc. */
function classifierSpec(h: Hyperparameters): ModelSpec {
  const f1 = hyperparameter(classifier, h, 'f1');
  const f2 = hyperparameter(classifier, h, 'f2');
  const b = new SpecBuilder().conv2d('CL1', 1, f1, 3);
  for (const block of bottlenecks(f1, f2)) {
    const hidden = block.cin * block.expansion;
    b.conv2d(`${block.name}.ExpansionLayer`, block.cin, hidden, 1)
      .batchNorm2d(`${block.name}.BN1`, hidden)
      .conv2d(`${block.name}.Depthwise`, hidden, hidden, 3)
      .conv2d(`${block.name}.Projection`, hidden, block.cout, 1);
  }
  b.linear('fc', 12, 10);
  return { entries: b.entries, inputShape: [28, 28, 1], classes: 10 };
}

/** Bottleneck.forward: relu6(expand) -> BN -> relu6(full 3x3 conv) -> project (+ x when shapes allow). */
function bottleneck<T>(x: T, block: BottleneckShape, ops: LayerOps<T>): T {
  let y = ops.relu6(ops.conv2d(x, `${block.name}.ExpansionLayer`, 1, 0));
  y = ops.batchNorm2d(y, `${block.name}.BN1`);
  y = ops.relu6(ops.conv2d(y, `${block.name}.Depthwise`, block.stride, 1));
  y = ops.conv2d(y, `${block.name}.Projection`, 1, 0);
  return block.cin === block.cout && block.stride === 1 ? ops.add(y, x) : y;
}

/**
 * The original project's `Classifier(f1, f2)`, layer for layer (DESIGN.md section 2). Its
 * "Depthwise" layer is a full 3x3 convolution, as in the original.
 */
export const classifier: Architecture<'f1' | 'f2'> = {
  name: 'Classifier',
  description: 'The original lightweight MNIST classifier: a 3x3 stem and six Bottleneck blocks (9,994 parameters at f1=8, f2=6).',
  hyperparameters: {
    f1: { default: 8, min: 1, max: 256, description: 'Channels of the first convolution (CL1).' },
    f2: { default: 6, min: 1, max: 256, description: 'Channels of the first two Bottlenecks.' },
  },
  spec: classifierSpec,
  forward<T>(h: Hyperparameters, x: T, ops: LayerOps<T>): T {
    const f1 = hyperparameter(classifier, h, 'f1');
    const f2 = hyperparameter(classifier, h, 'f2');
    let y = ops.relu6(ops.conv2d(x, 'CL1', 2, 0));
    for (const block of bottlenecks(f1, f2)) y = bottleneck(y, block, ops);
    return ops.linear(ops.flatten(y), 'fc');
  },
};
