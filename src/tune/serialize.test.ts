import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig, type ParsedConfig } from './config';
import { formatIssue } from './issues';
import { overridesFromQuery, overridesToQuery, parseOverrides, toOverrides } from './overrides';
import { removeConfigKey, serializeSpace, updateConfigText, writeSpaceIntoText } from './serialize';
import { DEFAULT_SETTINGS, defaultSpace, type RunSettings, type SearchSpace } from './space';

const ORIGINAL = readFileSync(new URL('../../configuration/config.yaml', import.meta.url), 'utf8');

function ok(result: ParsedConfig): Extract<ParsedConfig, { ok: true }> {
  if (!result.ok) throw new Error(result.errors.map((e) => formatIssue(e)).join('\n'));
  return result;
}

/** A space using every domain kind, and non-default settings. */
const RICH_SPACE: SearchSpace = {
  ...defaultSpace(),
  // Categorical keys are written by name: lr_schedule: [cosine, onecycle], optimizer: adamw.
  lr_schedule: { kind: 'choice', values: [1, 2] },
  optimizer: { kind: 'fixed', value: 1 },
  label_smoothing: { kind: 'grid', values: [0, 0.1] },
  lr: { kind: 'interval', lo: 1e-4, hi: 1e-2, log: true, integer: false },
  beta1: { kind: 'choice', values: [0.8, 0.9] },
  beta2: { kind: 'interval', lo: 0.99, hi: 0.9999, log: false, integer: false },
  f1: { kind: 'range', start: 4, stop: 17, step: 4 },
  f2: { kind: 'interval', lo: 4, hi: 8, log: false, integer: true },
  batch_size: { kind: 'grid', values: [32, 64] },
};
const RICH_SETTINGS: RunSettings = {
  numTrials: 8,
  maxNumEpochs: 5,
  maxConcurrentTrials: 2,
  scheduler: 'asha',
  gracePeriod: 1,
  reductionFactor: 3,
  seed: 1234,
  maxFailures: 2,
  model: 'Classifier',
};

describe('serializeSpace', () => {
  it('round-trips every domain kind and every setting', () => {
    const text = serializeSpace(RICH_SPACE, RICH_SETTINGS);
    expect(text).toMatch(/lr_schedule: \[ ?cosine, onecycle ?\]/);
    expect(text).toContain('optimizer: adamw');
    const back = ok(parseConfig(text));
    expect(back.space).toEqual(RICH_SPACE);
    expect(back.settings).toEqual(RICH_SETTINGS);
    expect(back.warnings).toEqual([]);
  });

  it('round-trips the original config, writing choices in its list shorthand', () => {
    const { space, settings } = ok(parseConfig(ORIGINAL));
    const text = serializeSpace(space, settings);
    expect(text).toContain('lr: [ 0.001, 0.01 ]');
    expect(text).toContain('f1: [ 8 ]');
    expect(ok(parseConfig(text))).toMatchObject({ space, settings });
  });

  it('round-trips awkward numbers exactly', () => {
    const space: SearchSpace = { ...RICH_SPACE, lr: { kind: 'choice', values: [1e-7, 0.1 + 0.2, 3.0000000000000004e-5] } };
    const settings: RunSettings = { ...DEFAULT_SETTINGS, maxConcurrentTrials: null, reductionFactor: 2.5 };
    expect(ok(parseConfig(serializeSpace(space, settings)))).toMatchObject({ space, settings });
  });
});

describe('overrides for shareable links', () => {
  it('toOverrides writes Hydra grammar that parses back to the same space over any base', () => {
    const overrides = toOverrides(RICH_SPACE, RICH_SETTINGS);
    expect(overrides).toContain('lr=tag(log,interval(0.0001,0.01))');
    expect(overrides).toContain('f1=range(4,17,4)');
    expect(overrides).toContain('f2=int(interval(4,8))');
    expect(overrides).toContain('batch_size=grid_search(32,64)');
    expect(overrides).toContain('beta1=choice(0.8,0.9)');
    expect(overrides).toContain('num_trials=8');
    expect(overrides).toContain('scheduler=asha');
    // Recipe keys travel in links by name.
    expect(overrides).toContain('lr_schedule=choice(cosine,onecycle)');
    expect(overrides).toContain('optimizer=adamw');
    expect(overrides).toContain('label_smoothing=grid_search(0,0.1)');
    for (const base of [ORIGINAL, 'config:\n', 'config:\n  beta1: 0.5\n  beta2: 0.6\n  num_trials: 999\n']) {
      expect(ok(parseConfig(base, overrides))).toMatchObject({ space: RICH_SPACE, settings: RICH_SETTINGS });
    }
  });

  it('with a base, writes only what differs', () => {
    const base = ok(parseConfig(ORIGINAL));
    const space: SearchSpace = { ...base.space, lr: { kind: 'interval', lo: 1e-4, hi: 1e-2, log: true, integer: false } };
    const settings: RunSettings = { ...base.settings, numTrials: 8 };
    const overrides = toOverrides(space, settings, base);
    expect(overrides).toEqual(['lr=tag(log,interval(0.0001,0.01))', 'num_trials=8']);
    expect(ok(parseConfig(ORIGINAL, overrides))).toMatchObject({ space, settings });
  });

  it('a fixed value and a one-value choice stay distinct; automatic concurrency is null', () => {
    const space: SearchSpace = { ...RICH_SPACE, f1: { kind: 'choice', values: [8] }, f2: { kind: 'fixed', value: 6 } };
    const settings: RunSettings = { ...RICH_SETTINGS, maxConcurrentTrials: null };
    const overrides = toOverrides(space, settings);
    expect(overrides).toContain('f1=choice(8)');
    expect(overrides).toContain('f2=6');
    expect(overrides).toContain('max_concurrent_trials=null');
    expect(ok(parseConfig(ORIGINAL, overrides))).toMatchObject({ space, settings });
  });

  it('survive a URL query both ways', () => {
    const overrides = toOverrides(RICH_SPACE, RICH_SETTINGS);
    const query = overridesToQuery(overrides);
    expect(query).toMatch(/^\?lr=tag\(log,interval\(0\.0001,0\.01\)\)&/);
    expect(overridesFromQuery(query)).toEqual(overrides);
    expect(overridesFromQuery('?lr=tag(log,interval(1e-4,1e-2))&num_trials=8')).toEqual([
      'lr=tag(log,interval(1e-4,1e-2))',
      'num_trials=8',
    ]);
    expect(overridesFromQuery('?f1=choice(4%2C8)&~seed')).toEqual(['f1=choice(4,8)', '~seed']);
    expect(overridesFromQuery('?+seed=7&lr=1e+3')).toEqual(['+seed=7', 'lr=1e+3']);
    expect(overridesFromQuery('')).toEqual([]);
    expect(overridesToQuery([])).toBe('');
  });

  it('parseOverrides reads each override or names the one at fault', () => {
    const { overrides, errors } = parseOverrides(['f1=4,8', 'lr=choice(1,', '~seed']);
    expect(overrides.map((o) => [o.key, o.remove, o.expr?.kind ?? null])).toEqual([
      ['f1', false, 'sweep'],
      ['seed', true, null],
    ]);
    expect(errors).toEqual([
      { key: 'lr', line: 1, col: 10, override: 'lr=choice(1,', message: "lr: unbalanced parentheses: missing ')' to close 'choice('" },
    ]);
  });
});

describe('editing config.yaml text', () => {
  const COMMENTED = [
    '# Search space for the digit classifier',
    'config:',
    '  f1: [8] # channels of the first conv',
    '  # learning rate of Adam',
    '  lr: [1e-3, 1e-2]',
    '  betas: [0.9, 0.999]',
    '  num_trials: 3 # Ray num_samples',
    '',
  ].join('\n');

  it('updateConfigText changes one value and keeps comments', () => {
    const text = updateConfigText(COMMENTED, 'lr', 'tag(log, interval(1e-4, 1e-2))');
    expect(text).toContain('# Search space for the digit classifier');
    expect(text).toContain('# learning rate of Adam');
    expect(text).toContain('lr: tag(log, interval(1e-4, 1e-2))');
    expect(text).toContain('f1: [ 8 ] # channels of the first conv');
    expect(text).toContain('num_trials: 3 # Ray num_samples');
    expect(ok(parseConfig(text)).space.lr).toEqual({ kind: 'interval', lo: 1e-4, hi: 1e-2, log: true, integer: false });

    const trials = updateConfigText(COMMENTED, 'num_trials', '8');
    expect(trials).toContain('num_trials: 8 # Ray num_samples');
    const added = updateConfigText(COMMENTED, 'batch_size', '4,8');
    expect(ok(parseConfig(added)).space.batch_size).toEqual({ kind: 'choice', values: [4, 8] });
    expect(updateConfigText(COMMENTED, 'lr', '1.5e-4')).toContain('lr: 1.5e-4');
  });

  it('searching one beta splits the pair; setting the pair drops beta1 and beta2', () => {
    const split = updateConfigText(COMMENTED, 'beta1', 'choice(0.8, 0.9)');
    const parsed = ok(parseConfig(split));
    expect(parsed.space.beta1).toEqual({ kind: 'choice', values: [0.8, 0.9] });
    expect(parsed.space.beta2).toEqual({ kind: 'fixed', value: 0.999 });
    expect(split).not.toContain('betas');
    const joined = updateConfigText(split, 'betas', '[0.5, 0.6]');
    expect(ok(parseConfig(joined)).space).toMatchObject({ beta1: { kind: 'fixed', value: 0.5 }, beta2: { kind: 'fixed', value: 0.6 } });
  });

  it('creates config: when missing and refuses broken YAML', () => {
    expect(ok(parseConfig(updateConfigText('', 'f1', '4'))).space.f1).toEqual({ kind: 'fixed', value: 4 });
    expect(() => updateConfigText('config: [', 'f1', '4')).toThrow(/does not parse/);
  });

  it('removeConfigKey brings back the default', () => {
    expect(ok(parseConfig(removeConfigKey(COMMENTED, 'num_trials'))).settings.numTrials).toBe(1);
  });

  it('writeSpaceIntoText round-trips and leaves unchanged keys as written', () => {
    const text = writeSpaceIntoText(COMMENTED, RICH_SPACE, RICH_SETTINGS);
    expect(ok(parseConfig(text))).toMatchObject({ space: RICH_SPACE, settings: RICH_SETTINGS });
    expect(text).toContain('# learning rate of Adam');
    expect(text).toContain('# Ray num_samples');

    const same = ok(parseConfig(COMMENTED));
    expect(writeSpaceIntoText(COMMENTED, same.space, same.settings)).toContain('lr: [ 1e-3, 1e-2 ]');
    const pairChanged: SearchSpace = { ...same.space, beta2: { kind: 'fixed', value: 0.99 } };
    const written = writeSpaceIntoText(COMMENTED, pairChanged, same.settings);
    expect(written).toContain('betas: [ 0.9, 0.99 ]');
    expect(ok(parseConfig(written)).space).toEqual(pairChanged);
  });
});
