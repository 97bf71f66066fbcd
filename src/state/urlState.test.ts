import { describe, expect, it } from 'vitest';
import { parseConfig } from '../tune/config';
import { toOverrides } from '../tune/overrides';
import { readUrlState, shareableUrl, writeUrlState } from './urlState';

const BUNDLED = 'config:\n  f1: [8]\n  f2: [6]\n  lr: [1e-3, 1e-2]\n  betas: [0.9, 0.999]\n  max_num_epochs: 20\n  num_trials: 3\n';

describe('urlState', () => {
  it('separates the backend from the overrides', () => {
    const state = readUrlState('?lr=tag(log,interval(1e-4,1e-2))&backend=wasm&num_trials=8');
    expect(state).toEqual({ backend: 'wasm', overrides: ['lr=tag(log,interval(1e-4,1e-2))', 'num_trials=8'] });
  });

  it('reads an empty query as auto and no overrides', () => {
    expect(readUrlState('')).toEqual({ backend: 'auto', overrides: [] });
    expect(readUrlState('?')).toEqual({ backend: 'auto', overrides: [] });
  });

  it('keeps removals, plus signs and encoded spaces in overrides', () => {
    const state = readUrlState('?~seed&lr=1e+3&f2=choice(4,%206)');
    expect(state.overrides).toEqual(['~seed', 'lr=1e+3', 'f2=choice(4, 6)']);
  });

  it('round-trips through writeUrlState', () => {
    const state = { backend: 'webgpu' as const, overrides: ['lr=tag(log,interval(0.0001,0.01))', 'f2=choice(4,6)', 'scheduler=asha', '~seed'] };
    const query = writeUrlState(state);
    expect(query).toBe('?backend=webgpu&lr=tag(log,interval(0.0001,0.01))&f2=choice(4,6)&scheduler=asha&~seed');
    expect(readUrlState(query)).toEqual(state);
  });

  it('leaves auto and empty overrides out', () => {
    expect(writeUrlState({ backend: 'auto', overrides: [] })).toBe('');
    expect(shareableUrl('http://host:5173/studio/?old=1#x', { backend: 'auto', overrides: ['num_trials=8'] })).toBe(
      'http://host:5173/studio/?num_trials=8',
    );
  });

  it('a space written as overrides of the bundled config reads back to the same space', () => {
    const base = parseConfig(BUNDLED);
    const edited = parseConfig(
      'config:\n  f1: [8, 4]\n  f2: range(4, 9, 2)\n  lr: tag(log, interval(1e-4, 1e-2))\n  beta1: 0.85\n  beta2: 0.99\n  batch_size: grid_search(32, 64)\n  num_trials: 8\n  scheduler: asha\n  grace_period: 2\n',
    );
    if (!base.ok || !edited.ok) throw new Error('fixtures must parse');
    const overrides = toOverrides(edited.space, edited.settings, base);
    const link = shareableUrl('http://localhost/', { backend: 'wasm', overrides });
    const back = readUrlState(new URL(link).search);
    expect(back.backend).toBe('wasm');
    const restored = parseConfig(BUNDLED, back.overrides);
    if (!restored.ok) throw new Error(restored.errors.map((e) => e.message).join('\n'));
    expect(restored.space).toEqual(edited.space);
    expect(restored.settings).toEqual(edited.settings);
  });
});
