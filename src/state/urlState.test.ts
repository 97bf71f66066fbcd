import { describe, expect, it } from 'vitest';
import { parseConfig } from '../tune/config';
import { toOverrides } from '../tune/overrides';
import { BACKEND_CHOICES } from '../backend/choice';
import { readUrlState, shareableUrl, URL_STATE, urlStateProblem, writeUrlState, type UrlState } from './urlState';

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

  // Values of every property of UrlState; the type makes a new property without samples a compile error.
  const SAMPLES: { [K in keyof UrlState]: UrlState[K][] } = {
    backend: [...BACKEND_CHOICES],
    overrides: [[], ['num_trials=8'], ['lr=tag(log,interval(0.0001,0.01))', '~seed', '+extra=a b', 'f2=choice(4, 6)', 'beta1=1e+3']],
  };
  const DEFAULTS = readUrlState('');

  it('has one table entry per property, and reads back every sample each entry writes, beside every other', () => {
    expect(URL_STATE.map((property) => property.name).sort()).toEqual(Object.keys(DEFAULTS).sort());
    for (const property of URL_STATE) {
      const samples = SAMPLES[property.name] as UrlState[keyof UrlState][];
      expect(samples.length, property.name).toBeGreaterThan(1);
      for (const value of samples) {
        const alone = { ...DEFAULTS, [property.name]: value };
        expect(readUrlState(writeUrlState(alone)), `${property.name} alone`).toEqual(alone);
        const others = Object.fromEntries(URL_STATE.map((p) => [p.name, SAMPLES[p.name].at(-1)])) as unknown as UrlState;
        const beside = { ...others, [property.name]: value };
        expect(readUrlState(writeUrlState(beside)), `${property.name} beside the others`).toEqual(beside);
        expect(urlStateProblem(writeUrlState(beside)), property.name).toBeNull();
      }
    }
  });

  it('reads the last backend of a query, and the link check refuses any unknown one', () => {
    expect(readUrlState('?backend=cpu&lr=1e-3&backend=WASM').backend).toBe('wasm');
    expect(urlStateProblem('?backend=cpu&backend=cuda')).toMatch(/backend: unknown backend 'cuda'; valid: auto, /);
    expect(urlStateProblem('?backend=cpu&lr=1e-3')).toBeNull();
  });
});
