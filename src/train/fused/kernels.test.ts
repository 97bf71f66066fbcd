import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classifier } from '../../model/classifier';
import { countParameters, parameterEntries, shapeSize } from '../../model/spec';
import { ADAM_BINDINGS, fusedKernels, PASS_BINDINGS, STATS_BACKWARD_BINDINGS, STATS_FORWARD_BINDINGS } from './kernels';
import { fusedLayout, MAX_GROUPS } from './layout';

describe('fusedLayout', () => {
  it('places every parameter where the flat tfjs parameter buffer has it', () => {
    const layout = fusedLayout(8, 6, 64);
    const spec = classifier.spec({ f1: 8, f2: 6 });
    expect(layout.params).toBe(countParameters(spec));
    expect(layout.params).toBe(9994);
    const offsets = new Map<string, number>();
    let offset = 0;
    for (const entry of parameterEntries(spec)) {
      offsets.set(entry.key, offset);
      offset += shapeSize(entry.torchShape);
    }
    expect(layout.cl1).toEqual({ weight: offsets.get('CL1.weight'), bias: offsets.get('CL1.bias') });
    expect(layout.fc).toEqual({ weight: offsets.get('fc.weight'), bias: offsets.get('fc.bias') });
    for (const b of layout.blocks) {
      expect(b.depthwise.weight).toBe(offsets.get(`${b.shape.name}.Depthwise.weight`));
      expect(b.bn.bias).toBe(offsets.get(`${b.shape.name}.BN1.bias`));
    }
  });

  it('follows the Classifier shapes 13 -> 13 -> 13 -> 7 -> 4 -> 2 -> 1 with the skip only where shapes allow', () => {
    const layout = fusedLayout(8, 6, 64);
    expect(layout.a0).toMatchObject({ h: 13, w: 13, c: 8 });
    expect(layout.blocks.map((b) => b.y.h)).toEqual([13, 13, 7, 4, 2, 1]);
    expect(layout.blocks.map((b) => b.skip)).toEqual([false, true, false, false, false, false]);
    expect(layout.blocks.map((b) => b.hidden)).toEqual([8, 12, 12, 16, 16, 8]);
    // f1 == f2 gives bneck1 a skip too, which its backward then has to add.
    expect(fusedLayout(6, 6, 8).blocks[0]?.skip).toBe(true);
  });

  it('caps the weight-gradient slots, so large batches share them', () => {
    expect(fusedLayout(8, 6, 64).maxGroups).toBe(64);
    expect(fusedLayout(8, 6, 4096).maxGroups).toBe(MAX_GROUPS);
  });
});

describe('fusedKernels', () => {
  it('trains a step in at most 40 dispatches', () => {
    const kernels = fusedKernels(fusedLayout(8, 6, 64));
    expect(kernels).toHaveLength(26);
    expect(kernels.filter((k) => k.kind === 'pass')).toHaveLength(7 + 6);
    expect(kernels.at(-1)?.kind).toBe('adam');
    // One shader serves the statistics of every BatchNorm: 16 pipelines to compile, not 26.
    expect(new Set(kernels.map((k) => k.code)).size).toBe(16);
  });

  it('gives the same code for every batch size, so a compiled step serves them all', () => {
    const code = (capacity: number) => fusedKernels(fusedLayout(8, 6, capacity)).map((k) => k.code);
    expect(code(512)).toEqual(code(64));
    expect(code(4096)).toEqual(code(64));
    expect(code(64)).not.toEqual(fusedKernels(fusedLayout(8, 7, 64)).map((k) => k.code));
  });

  it('stays within the default limit of 8 storage buffers per kernel and declares what it binds', () => {
    for (const kernel of fusedKernels(fusedLayout(8, 6, 64))) {
      const bindings = { pass: PASS_BINDINGS, statsForward: STATS_FORWARD_BINDINGS, statsBackward: STATS_BACKWARD_BINDINGS, adam: ADAM_BINDINGS }[kernel.kind];
      expect(bindings.length).toBeLessThanOrEqual(8);
      const declared = [...kernel.code.matchAll(/@binding\((\d+)\) var<storage, read_write> (\w+)/g)].map((m) => [Number(m[1]), m[2]]);
      expect(declared).toEqual(bindings.map((name, i) => [i + 1, name]));
    }
  });

  it('generates the same WGSL, labels and dispatches as the recorded step, for several architectures', () => {
    // SHA-256 of every kernel of the step, in dispatch order, recorded from the generator; a change
    // to one character of the WGSL, a label or a dispatch changes it.
    const hash = (f1: number, f2: number, capacity: number): string => {
      const sha = createHash('sha256');
      for (const k of fusedKernels(fusedLayout(f1, f2, capacity))) {
        sha.update(JSON.stringify([k.kind, k.label, 'bn' in k ? k.bn : null, 'channels' in k ? k.channels : null, k.code])).update('\n');
      }
      return sha.digest('hex');
    };
    expect(hash(8, 6, 64)).toBe('abe754baffa9686248383b1d754640407595a6107ed5702c3042fc3e898e9ad3');
    expect(hash(6, 6, 8)).toBe('fbe2727d32a05e2bb1d73a451c01fc3ffd7c2552e9d28d76c287dd6524e8915d');
    expect(hash(4, 10, 256)).toBe('e996f3dc69056e8ad46059c679ae0183173b65b7aa2374b343ca5782b27acced');
    expect(hash(12, 16, 32)).toBe('f0cd64509344324991c3c7163ab850e4e9772d9c9bec9aef9fd3449ef4db54eb');
  });
});
