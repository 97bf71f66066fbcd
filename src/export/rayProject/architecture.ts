/**
 * architecture.py for the generated project, written from the model registry rather than copied
 * by hand: the Bottleneck table comes from `bottlenecks()`, gapnet's layers from a symbolic run of
 * its forward pass, and every shape from the architecture's `spec()`, so a change to src/model
 * reaches the Python. The Bottleneck block itself is the original project's; the project test
 * checks each Python model's state_dict keys and shapes against `spec()` and its logits against
 * the studio's.
 */
import type { Architecture, LayerOps } from '../../model/architecture';
import { bottlenecks, classifier } from '../../model/classifier';
import { gapnet } from '../../model/gapnet';
import { ARCHITECTURES, type ArchitectureName } from '../../model/registry';

/** Stand-in channel counts: primes no constant channel count of the Classifier is a multiple of. */
const SENTINELS = { f1: 101, f2: 103 } as const;

/** gapnet's stand-in widths: primes, none a multiple of another or of its constants. */
const GAPNET_SENTINELS = { c1: 47, c2: 53, c3: 59, c4: 61 } as const;

/** The Python class of each registered architecture in architecture.py. */
const PYTHON_CLASSES: Record<ArchitectureName, string> = { Classifier: 'Classifier', gapnet: 'GapNet' };

/** A channel count of a sentinel model as Python in terms of its widths (`f1`, `f2 * 2`, `8`). */
function channels(n: number, sentinels: Readonly<Record<string, number>> = SENTINELS): string {
  for (const [name, sentinel] of Object.entries(sentinels)) {
    if (n >= sentinel && n % sentinel === 0) return n === sentinel ? name : `${name} * ${n / sentinel}`;
  }
  return String(n);
}

interface ConvCall {
  stride: number;
  padding: number;
}

/** Strides and paddings of every convolution, from a symbolic run of the forward pass. */
function traceConvolutions(): Map<string, ConvCall> {
  const calls = new Map<string, ConvCall>();
  const ops: LayerOps<string> = {
    conv2d: (x, prefix, stride, padding) => {
      calls.set(prefix, { stride, padding });
      return x;
    },
    batchNorm2d: (x) => x,
    linear: (x) => x,
    relu6: (x) => x,
    relu: (x) => x,
    maxPool2d: (x) => x,
    globalAvgPool: (x) => x,
    add: (a) => a,
    flatten: (x) => x,
  };
  classifier.forward(SENTINELS, 'x', ops);
  return calls;
}

/** A `state_dict` entry's PyTorch shape in an architecture's sentinel model. */
function shapeOf(arch: Architecture, sentinels: Readonly<Record<string, number>>): (key: string) => readonly number[] {
  const spec = arch.spec(sentinels);
  return (key) => {
    const entry = spec.entries.find((e) => e.key === key);
    if (!entry) throw new Error(`${arch.name} has no state_dict entry ${key}`);
    return entry.torchShape;
  };
}

/** The Classifier's Python: the original's Bottleneck block and `Classifier(f1, f2)`. */
function classifierPy(): string {
  const arch = classifier;
  const shape = shapeOf(arch, SENTINELS);
  const convs = traceConvolutions();
  const stem = shape('CL1.weight');
  const stemCall = convs.get('CL1') ?? { stride: 1, padding: 0 };
  const head = shape('fc.weight');

  const init: string[] = [
    `        self.CL1 = nn.Conv2d(${channels(stem[1] ?? 1)}, ${channels(stem[0] ?? 1)}, ${stem[2] ?? 1}, stride=${stemCall.stride}, padding=${stemCall.padding})`,
  ];
  const forward: string[] = ['        x = F.relu6(self.CL1(x))'];
  const blocks = bottlenecks(SENTINELS.f1, SENTINELS.f2);
  const call = (b: (typeof blocks)[number]) => `Bottleneck(${channels(b.cin)}, ${channels(b.cout)}, ${b.expansion}, ${b.stride})`;
  for (let i = 0; i < blocks.length; ) {
    const block = blocks[i]!;
    const [parent, index] = block.name.split('.');
    if (index === undefined) {
      init.push(`        self.${block.name} = ${call(block)}`);
      forward.push(`        x = self.${block.name}(x)`);
      i += 1;
      continue;
    }
    // `block1.0`, `block1.1`, ...: an nn.Sequential, as in the original.
    const members = [];
    while (i < blocks.length && blocks[i]!.name.startsWith(`${parent}.`)) members.push(blocks[i++]!);
    init.push(`        self.${parent} = nn.Sequential(${members.map(call).join(', ')})`);
    forward.push(`        x = self.${parent}(x)`);
  }
  init.push(`        self.fc = nn.Linear(${channels(head[1] ?? 1)}, ${channels(head[0] ?? 1)})`);
  forward.push('        return self.fc(torch.flatten(x, 1))');

  const defaults = Object.entries(arch.hyperparameters).map(([name, h]) => `${name}=${h.default}`).join(', ');
  const depthwise = blocks[0] ? convs.get(`${blocks[0].name}.Depthwise`) : undefined;
  return `class Bottleneck(nn.Module):
    """relu6(1x1 expand) -> BatchNorm -> relu6(3x3 conv, stride) -> 1x1 project (+ x when shapes allow).

    "Depthwise" is a full 3x3 convolution (no groups), as in the original project.
    """

    def __init__(self, cin, cout, exp, stride):
        super().__init__()
        self.ExpansionLayer = nn.Conv2d(cin, cin * exp, 1)
        self.BN1 = nn.BatchNorm2d(cin * exp)
        self.Depthwise = nn.Conv2d(cin * exp, cin * exp, 3, stride, padding=${depthwise?.padding ?? 1})
        self.Projection = nn.Conv2d(cin * exp, cout, 1)
        self.skip = cin == cout and stride == 1

    def forward(self, x):
        y = F.relu6(self.ExpansionLayer(x))
        y = self.BN1(y)
        y = F.relu6(self.Depthwise(y))
        y = self.Projection(y)
        return y + x if self.skip else y


class ${PYTHON_CLASSES.Classifier}(nn.Module):
    """${arch.description}"""

    def __init__(self, ${defaults}):
        super().__init__()
${init.join('\n')}

    def forward(self, x):
${forward.join('\n')}
`;
}

/** One layer of gapnet's forward pass, as a symbolic run sees it. */
type TracedLayer = { op: 'conv'; prefix: string; stride: number; padding: number } | { op: 'batchNorm'; prefix: string } | { op: 'relu' | 'maxPool' | 'globalAvgPool'; size?: number };

/** gapnet's layers in forward order, from a symbolic run of its forward pass. */
function traceGapnet(): TracedLayer[] {
  const layers: TracedLayer[] = [];
  const refuse = (what: string) => (): never => {
    throw new Error(`gapnet's Python writer knows no ${what}`);
  };
  const ops: LayerOps<string> = {
    conv2d: (x, prefix, stride, padding) => (layers.push({ op: 'conv', prefix, stride, padding }), x),
    batchNorm2d: (x, prefix) => (layers.push({ op: 'batchNorm', prefix }), x),
    relu: (x) => (layers.push({ op: 'relu' }), x),
    maxPool2d: (x, size) => (layers.push({ op: 'maxPool', size }), x),
    globalAvgPool: (x) => (layers.push({ op: 'globalAvgPool' }), x),
    flatten: (x) => x,
    linear: refuse('Linear'),
    relu6: refuse('ReLU6'),
    add: refuse('skip connection'),
  };
  gapnet.forward(GAPNET_SENTINELS, 'x', ops);
  return layers;
}

/**
 * gapnet's Python: `features`, an nn.Sequential of conv-BatchNorm-ReLU blocks (`cbr`) and pools,
 * then the 1x1 conv `head`. Each block's Sequential index is checked against its state_dict prefix.
 */
function gapnetPy(): string {
  const arch = gapnet;
  const shape = shapeOf(arch, GAPNET_SENTINELS);
  const width = (n: number) => channels(n, GAPNET_SENTINELS);
  const layers = traceGapnet();
  const features: string[] = [];
  let head = '';
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    if (layer.op === 'maxPool') features.push(`nn.MaxPool2d(${layer.size ?? 2})`);
    else if (layer.op === 'globalAvgPool') features.push('nn.AdaptiveAvgPool2d(1)');
    else if (layer.op === 'conv' && layer.prefix === 'head') {
      const w = shape('head.weight');
      head = `nn.Conv2d(${width(w[1] ?? 1)}, ${width(w[0] ?? 1)}, ${w[2] ?? 1})`;
    } else if (layer.op === 'conv' && layers[i + 1]?.op === 'batchNorm' && layers[i + 2]?.op === 'relu') {
      const expected = `features.${features.length}.0`;
      if (layer.prefix !== expected || layer.stride !== 1) throw new Error(`gapnet's ${layer.prefix} does not sit at ${expected} with stride 1`);
      const w = shape(`${layer.prefix}.weight`);
      features.push(`cbr(${width(w[1] ?? 1)}, ${width(w[0] ?? 1)}, ${w[2] ?? 1}, ${layer.padding})`);
      i += 2;
    } else throw new Error(`gapnet's Python writer cannot place ${layer.op}`);
  }
  const defaults = Object.entries(arch.hyperparameters).map(([name, h]) => `${name}=${h.default}`).join(', ');
  return `def cbr(cin, cout, k, pad):
    """Conv2d without bias -> BatchNorm2d -> ReLU: the BatchNorm's shift stands in for the bias."""
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=pad, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class ${PYTHON_CLASSES.gapnet}(nn.Module):
    """${arch.description}"""

    def __init__(self, ${defaults}):
        super().__init__()
        self.features = nn.Sequential(
${features.map((f) => `            ${f},`).join('\n')}
        )
        self.head = ${head}

    def forward(self, x):
        return torch.flatten(self.head(self.features(x)), 1)
`;
}

/** The Python source of architecture.py: every built-in architecture, and `build_model` choosing one by the config's `model`. */
export function architecturePy(): string {
  const models = (Object.keys(ARCHITECTURES) as ArchitectureName[]).map((name) => {
    const widths = Object.entries((ARCHITECTURES[name] as Architecture).hyperparameters).map(([key, h]) => `"${key}": ${h.default}`);
    return `    "${name}": (${PYTHON_CLASSES[name]}, {${widths.join(', ')}}),`;
  });
  return `"""The studio's registered architectures: ${Object.keys(ARCHITECTURES).join(', ')}.

Generated by FileNest Digit Studio from its model registry. Module names are the PyTorch
state_dict keys the studio reads and writes, so a checkpoint moves between the two unchanged.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


${classifierPy()}

${gapnetPy()}

# Each configuration \`model\` name: its class and its widths' config keys with their defaults.
MODELS = {
${models.join('\n')}
}


def with_model_defaults(config):
    """The config with its \`model\`'s widths (Classifier's when it names none) filled in from their defaults."""
    name = config.get("model", "Classifier")
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    return {**MODELS[name][1], **config}


def build_model(config):
    """The config's \`model\` (Classifier when absent), built with its widths from the config (their defaults when absent)."""
    config = with_model_defaults(config)
    model_class, widths = MODELS[config.get("model", "Classifier")]
    return model_class(**{key: int(config[key]) for key in widths})


def total_params(model):
    """Trainable parameters, as the studio counts them."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
`;
}
