import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig, parseConfigOrThrow, type ParsedConfig } from './config';
import { ConfigError, formatIssue, type ConfigIssue } from './issues';
import { DEFAULT_SETTINGS, defaultSpace } from './space';

const ORIGINAL = readFileSync(new URL('../../configuration/config.yaml', import.meta.url), 'utf8');

function ok(result: ParsedConfig): Extract<ParsedConfig, { ok: true }> {
  if (!result.ok) throw new Error(result.errors.map((e) => formatIssue(e)).join('\n'));
  return result;
}

function errorsOf(text: string, overrides: string[] = []): ConfigIssue[] {
  const result = parseConfig(text, overrides);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

/** The one error a config produces, as { key, line, col, message }. */
function onlyError(text: string, overrides: string[] = []): ConfigIssue {
  const errors = errorsOf(text, overrides);
  expect(errors).toHaveLength(1);
  return errors[0] as ConfigIssue;
}

const cfg = (...lines: string[]): string => ['config:', ...lines.map((line) => `  ${line}`)].join('\n') + '\n';

describe('the original config.yaml', () => {
  it('reads lists as choices, scalars as fixed, betas as the Adam pair', () => {
    const result = ok(parseConfig(ORIGINAL));
    expect(result.space).toEqual({
      ...defaultSpace(),
      lr: { kind: 'choice', values: [1e-3, 1e-2] },
      beta1: { kind: 'fixed', value: 0.9 },
      beta2: { kind: 'fixed', value: 0.999 },
      f1: { kind: 'choice', values: [8] },
      f2: { kind: 'choice', values: [6] },
      batch_size: { kind: 'fixed', value: 64 },
    });
    expect(result.settings).toEqual({ ...DEFAULT_SETTINGS, numTrials: 3, maxNumEpochs: 20 });
    expect(result.warnings).toEqual([]);
  });

  it('fills defaults for an empty config', () => {
    const result = ok(parseConfig('config:\n'));
    expect(result.space).toEqual(defaultSpace());
    expect(result.settings).toEqual(DEFAULT_SETTINGS);
    expect(result.settings).toMatchObject({ numTrials: 1, maxNumEpochs: 20, scheduler: 'fifo', gracePeriod: 1, reductionFactor: 2, seed: 0 });
  });
});

describe("Hydra's sweep grammar", () => {
  const domain = (value: string, key = 'lr'): unknown => ok(parseConfig(cfg(`${key}: ${value}`))).space[key as 'lr'];

  it('choice', () => {
    expect(domain('choice(1e-3, 1e-2)')).toEqual({ kind: 'choice', values: [1e-3, 1e-2] });
    expect(domain('choice(8)', 'f1')).toEqual({ kind: 'choice', values: [8] });
    expect(domain('"choice(4, 8)"', 'f1')).toEqual({ kind: 'choice', values: [4, 8] });
  });

  it('range with Hydra semantics: stop exclusive, step optional or named, floats allowed', () => {
    expect(domain('range(4, 17, 4)', 'f1')).toEqual({ kind: 'range', start: 4, stop: 17, step: 4 });
    expect(domain('range(1, 4)', 'f2')).toEqual({ kind: 'range', start: 1, stop: 4, step: 1 });
    expect(domain('range(start=16, stop=65, step=16)', 'batch_size')).toEqual({ kind: 'range', start: 16, stop: 65, step: 16 });
    expect(domain('range(0.1, 0.5, 0.1)', 'beta1')).toEqual({ kind: 'range', start: 0.1, stop: 0.5, step: 0.1 });
  });

  it('interval, int(interval), tag(log, interval) and their combinations', () => {
    expect(domain('interval(0.8, 0.95)', 'beta1')).toEqual({ kind: 'interval', lo: 0.8, hi: 0.95, log: false, integer: false });
    expect(domain('int(interval(4, 12))', 'f1')).toEqual({ kind: 'interval', lo: 4, hi: 12, log: false, integer: true });
    expect(domain('tag(log, interval(1e-4, 1e-2))')).toEqual({ kind: 'interval', lo: 1e-4, hi: 1e-2, log: true, integer: false });
    expect(domain('tag(log, int(interval(16, 256)))', 'batch_size')).toEqual({ kind: 'interval', lo: 16, hi: 256, log: true, integer: true });
    expect(domain('int(tag(log, interval(16, 256)))', 'batch_size')).toEqual({ kind: 'interval', lo: 16, hi: 256, log: true, integer: true });
    expect(domain('interval(start=1e-4, end=1e-3)')).toEqual({ kind: 'interval', lo: 1e-4, hi: 1e-3, log: false, integer: false });
  });

  it('grid_search with values, a list or a range', () => {
    expect(domain('grid_search(4, 8)', 'f1')).toEqual({ kind: 'grid', values: [4, 8] });
    expect(domain('grid_search([32, 64])', 'batch_size')).toEqual({ kind: 'grid', values: [32, 64] });
    expect(domain('grid_search(range(2, 8, 2))', 'f2')).toEqual({ kind: 'grid', values: [2, 4, 6] });
  });

  it('beta1 and beta2 may be searched separately', () => {
    const result = ok(parseConfig(cfg('beta1: [0.8, 0.9]', 'beta2: interval(0.99, 0.9999)')));
    expect(result.space.beta1).toEqual({ kind: 'choice', values: [0.8, 0.9] });
    expect(result.space.beta2).toEqual({ kind: 'interval', lo: 0.99, hi: 0.9999, log: false, integer: false });
  });

  it('batch_size is a hyperparameter: fixed by default, searchable', () => {
    expect(ok(parseConfig(cfg('batch_size: [32, 64, 128]'))).space.batch_size).toEqual({ kind: 'choice', values: [32, 64, 128] });
  });

  it('all run settings', () => {
    const result = ok(
      parseConfig(
        cfg(
          'num_trials: 8',
          'max_num_epochs: 5',
          'max_concurrent_trials: 2',
          'scheduler: asha',
          'grace_period: 2',
          'reduction_factor: 3',
          'seed: 42',
          'max_failures: 1',
          'model: Classifier',
        ),
      ),
    );
    expect(result.settings).toEqual({
      numTrials: 8,
      maxNumEpochs: 5,
      maxConcurrentTrials: 2,
      scheduler: 'asha',
      gracePeriod: 2,
      reductionFactor: 3,
      seed: 42,
      maxFailures: 1,
      model: 'Classifier',
    });
    expect(ok(parseConfig(cfg('max_concurrent_trials: auto'))).settings.maxConcurrentTrials).toBeNull();
    expect(ok(parseConfig(cfg('scheduler: ASHA'))).settings.scheduler).toBe('asha');
  });
});

describe('errors name the key, line, column and what is valid', () => {
  const cases: [string, string, Omit<ConfigIssue, 'override'>][] = [
    ['YAML syntax error', 'config:\n  lr: [1e-3, 1e-2\n  f1: 8\n', { key: null, line: 3, col: 3, message: 'YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]' }],
    ['missing config:', 'lr: [1e-3]\n', { key: null, line: 1, col: 1, message: "missing the top-level 'config:' mapping; expected e.g.\nconfig:\n  lr: [1e-3, 1e-2]\n  num_trials: 3" }],
    ['config is not a mapping', 'config: 3\n', { key: 'config', line: 1, col: 9, message: "'config:' must be a mapping of keys such as lr, f1, num_trials" }],
    ['empty list', cfg('lr: 0.1', 'f1: []'), { key: 'f1', line: 3, col: 7, message: 'f1: the list is empty; give at least one value, e.g. [a, b] or choice(a, b)' }],
    ['empty choice', cfg('f2: choice()'), { key: 'f2', line: 2, col: 7, message: 'f2: choice is empty; give at least one value, e.g. [a, b] or choice(a, b)' }],
    ['lo >= hi', cfg('lr: interval(1e-2, 1e-3)'), { key: 'lr', line: 2, col: 7, message: 'lr: interval(0.01, 0.001) needs lo < hi' }],
    ['log interval with lo <= 0', cfg('beta1: tag(log, interval(0, 0.9))'), { key: 'beta1', line: 2, col: 19, message: 'beta1: a log interval needs lo > 0, got interval(0, 0.9)' }],
    ['f1 not a positive integer', cfg('f1: [8, 0]'), { key: 'f1', line: 2, col: 11, message: 'f1 must be an integer from 1 to 64, got 0' }],
    ['f2 fractional', cfg('f2: 2.5'), { key: 'f2', line: 2, col: 7, message: 'f2 must be an integer from 1 to 64, got 2.5' }],
    ['f1 as a real interval', cfg('f1: interval(4, 16)'), { key: 'f1', line: 2, col: 7, message: 'f1 must be an integer from 1 to 64: write int(interval(4, 16)) or choice(...)' }],
    ['unknown scheduler', cfg('scheduler: hyperband'), { key: 'scheduler', line: 2, col: 14, message: 'scheduler: unknown scheduler hyperband; valid: fifo, asha' }],
    ['num_trials over 1000', cfg('num_trials: 1001'), { key: 'num_trials', line: 2, col: 15, message: 'num_trials must be an integer in 1..1000, got 1001' }],
    ['num_trials below 1', cfg('num_trials: 0'), { key: 'num_trials', line: 2, col: 15, message: 'num_trials must be an integer in 1..1000, got 0' }],
    ['lr <= 0', cfg('lr: [1e-3, -1e-3]'), { key: 'lr', line: 2, col: 14, message: 'lr must be a number > 0, got -0.001' }],
    ['betas out of range', cfg('betas: [0.9, 1.0]'), { key: 'betas', line: 2, col: 16, message: 'betas must be a number in [0, 1), got 1' }],
    ['betas not a pair', cfg('betas: [0.9]'), { key: 'betas', line: 2, col: 10, message: 'betas is the fixed pair [beta1, beta2] with both in [0, 1), e.g. [0.9, 0.999]; search beta1 and beta2 separately' }],
    ['betas as a choice', cfg('betas: choice(0.9, 0.99)'), { key: 'betas', line: 2, col: 10, message: 'betas is the fixed pair [beta1, beta2] with both in [0, 1), e.g. [0.9, 0.999]; search beta1 and beta2 separately' }],
    ['betas with beta1', cfg('betas: [0.9, 0.999]', 'beta1: 0.8'), { key: 'beta1', line: 3, col: 3, message: 'beta1: cannot be set together with betas; use betas: [b1, b2] for a fixed pair, or beta1 and beta2 to search them separately' }],
    ['unbalanced parentheses', cfg('lr: choice(1e-3, 1e-2'), { key: 'lr', line: 2, col: 13, message: "lr: unbalanced parentheses: missing ')' to close 'choice('" }],
    ['extra closing parenthesis', cfg('lr: choice(1e-3))'), { key: 'lr', line: 2, col: 19, message: "lr: unbalanced parentheses: unexpected ')'" }],
    ['unknown function', cfg('lr: loguniform(1e-4, 1e-2)'), { key: 'lr', line: 2, col: 7, message: "lr: unknown function 'loguniform'; valid: choice(...), range(...), interval(...), int(...), tag(...), grid_search(...)" }],
    ['unknown tag', cfg('lr: tag(exp, interval(1e-4, 1e-2))'), { key: 'lr', line: 2, col: 11, message: 'lr: unknown tag exp; the valid tag is log' }],
    ['empty range', cfg('f1: range(8, 4)'), { key: 'f1', line: 2, col: 7, message: 'f1: range(8, 4, 1) is empty (stop is exclusive, as in Hydra and Python)' }],
    ['string for a number', cfg('lr: fast'), { key: 'lr', line: 2, col: 7, message: 'lr: expected a number > 0, a list, or one of choice(...), range(...), interval(...), int(...), tag(...), grid_search(...), got fast' }],
    ['quoted number', cfg('lr: "1e-3"'), { key: 'lr', line: 2, col: 7, message: "lr: expected a number > 0, a list, or one of choice(...), range(...), interval(...), int(...), tag(...), grid_search(...), got '1e-3' (remove the quotes)" }],
    ['missing value', cfg('lr:'), { key: 'lr', line: 2, col: 6, message: 'lr: missing value; expected a number > 0, a list or choice(...)' }],
    ['setting given a list', cfg('max_num_epochs: [5, 10]'), { key: 'max_num_epochs', line: 2, col: 19, message: 'max_num_epochs is a run setting and takes one value, not a search space' }],
    ['reduction_factor <= 1', cfg('reduction_factor: 1'), { key: 'reduction_factor', line: 2, col: 21, message: 'reduction_factor must be a number > 1, got 1' }],
    ['grace_period past max_num_epochs under ASHA', cfg('scheduler: asha', 'max_num_epochs: 4', 'grace_period: 5'), { key: 'grace_period', line: 4, col: 17, message: 'grace_period must be at most max_num_epochs (4), got 5' }],
    ['too many trials with a grid', cfg('num_trials: 1000', 'f1: grid_search(range(1, 21))'), { key: 'num_trials', line: 2, col: 15, message: 'num_trials (1000) x grid points (20) = 20000 trials; at most 10000' }],
    ['named argument on choice', cfg('f1: choice(a=4)'), { key: 'f1', line: 2, col: 14, message: "f1: choice(...) takes no named argument 'a'" }],
    ['interval missing its end', cfg('lr: interval(1e-3)'), { key: 'lr', line: 2, col: 7, message: "lr: interval is missing 'end'; write interval(start, end)" }],
  ];

  it.each(cases)('%s', (_name, text, expected) => {
    expect(onlyError(text)).toEqual(expected);
  });

  it('reports every error at once, in reading order', () => {
    const errors = errorsOf(cfg('scheduler: nope', 'lr: []', 'f1: 0'));
    expect(errors.map((e) => [e.key, e.line])).toEqual([
      ['scheduler', 2],
      ['lr', 3],
      ['f1', 4],
    ]);
  });

  it('locates errors inside quoted grammar strings', () => {
    expect(onlyError(cfg('lr: "tag(log, interval(-1, 1))"'))).toEqual({
      key: 'lr',
      line: 2,
      col: 17,
      message: 'lr: a log interval needs lo > 0, got interval(-1, 1)',
    });
  });

  it('parseConfigOrThrow throws a ConfigError listing every issue', () => {
    expect(() => parseConfigOrThrow(cfg('f1: 0'))).toThrow(ConfigError);
    expect(() => parseConfigOrThrow(cfg('f1: 0'))).toThrow('config.yaml:2:7: f1 must be an integer from 1 to 64, got 0');
    expect(parseConfigOrThrow(ORIGINAL).settings.numTrials).toBe(3);
  });
});

describe('warnings', () => {
  it('unknown keys warn with their line and a suggestion, and are ignored', () => {
    const result = ok(parseConfig(cfg('lr: 0.01', 'lrr: 0.1', 'dropout: 0.5') + 'hydra:\n  run: x\n'));
    expect(result.space.lr).toEqual({ kind: 'fixed', value: 0.01 });
    expect(result.warnings.map((w) => [w.key, w.line, w.col])).toEqual([
      ['lrr', 3, 3],
      ['dropout', 4, 3],
      ['hydra', 5, 1],
    ]);
    expect(result.warnings[0]?.message).toMatch(/^unknown key 'lrr' is ignored; did you mean 'lr'\? known keys: lr, beta1/);
    expect(result.warnings[1]?.message).not.toContain('did you mean');
    expect(result.warnings[2]?.message).toBe("unknown top-level key 'hydra' is ignored; the configuration lives under 'config:'");
  });

  it('warns when an architecture choice goes past the parameter budget', () => {
    // A stand-in counter: grows with f1 and f2 like the real one.
    const countParams = ({ f1, f2 }: { f1: number; f2: number }): number => 9994 + (f1 - 8) * 500 + (f2 - 6) * 400;
    const within = ok(parseConfig(cfg('f1: [4, 8]', 'f2: [6]'), [], { countParams }));
    expect(within.warnings).toEqual([]);
    const over = ok(parseConfig(cfg('f1: [8, 16]', 'f2: [6, 12]'), [], { countParams }));
    expect(over.warnings).toEqual([
      { key: 'f1', line: 2, col: 7, message: 'f1=16, f2=12 gives 16,394 parameters, over the 10,000 budget' },
    ]);
  });

  it('checks the model name against the registry when given', () => {
    expect(parseConfig(cfg('model: ResNet')).ok).toBe(true);
    const result = parseConfig(cfg('model: ResNet'), [], { models: ['Classifier'] });
    expect(result.ok ? [] : result.errors).toEqual([
      { key: 'model', line: 2, col: 10, message: "model: unknown architecture 'ResNet'; valid: Classifier" },
    ]);
  });
});

describe('recipe keys', () => {
  it('read categorical keys by name, in every domain kind, from the file and from overrides', () => {
    const result = ok(
      parseConfig(cfg('optimizer: adamw', 'lr_schedule: choice(cosine, onecycle)', 'weight_decay: [0, 0.01]', 'label_smoothing: 0.1'), [
        'augment_translate=grid_search(0,2)',
        'pct_start=0.25',
      ]),
    );
    expect(result.space).toMatchObject({
      optimizer: { kind: 'fixed', value: 1 },
      lr_schedule: { kind: 'choice', values: [1, 2] },
      weight_decay: { kind: 'choice', values: [0, 0.01] },
      label_smoothing: { kind: 'fixed', value: 0.1 },
      augment_translate: { kind: 'grid', values: [0, 2] },
      pct_start: { kind: 'fixed', value: 0.25 },
    });
    expect(result.warnings).toEqual([]);
  });

  it('default to the seed recipe', () => {
    expect(ok(parseConfig(ORIGINAL)).space).toMatchObject({
      optimizer: { kind: 'fixed', value: 0 },
      lr_schedule: { kind: 'fixed', value: 0 },
      weight_decay: { kind: 'fixed', value: 0 },
      label_smoothing: { kind: 'fixed', value: 0 },
      augment_translate: { kind: 'fixed', value: 0 },
    });
  });

  it('name the valid values of a mistyped name', () => {
    expect(onlyError(cfg('lr_schedule: cosin'))).toMatchObject({ key: 'lr_schedule', line: 2, message: 'lr_schedule: expected one of constant, cosine, onecycle, step, got cosin' });
    expect(onlyError(cfg('optimizer: [adam, sgd]'))).toMatchObject({ key: 'optimizer', message: 'optimizer: expected one of adam, adamw, got sgd' });
    expect(onlyError(cfg('label_smoothing: 1'))).toMatchObject({ key: 'label_smoothing', message: 'label_smoothing must be a number in [0, 1), got 1' });
  });
});

describe('overrides', () => {
  it('apply on top of the file', () => {
    const result = ok(parseConfig(ORIGINAL, ['lr=tag(log,interval(1e-4,1e-2))', 'num_trials=8', 'f1=choice(4,8)', 'f2=4,6', 'scheduler=asha']));
    expect(result.space.lr).toEqual({ kind: 'interval', lo: 1e-4, hi: 1e-2, log: true, integer: false });
    expect(result.space.f1).toEqual({ kind: 'choice', values: [4, 8] });
    expect(result.space.f2).toEqual({ kind: 'choice', values: [4, 6] });
    expect(result.settings.numTrials).toBe(8);
    expect(result.settings.scheduler).toBe('asha');
  });

  it('accept config.key, + and ++ prefixes, lists and ~ to drop a key', () => {
    const result = ok(parseConfig(ORIGINAL, ['config.max_num_epochs=2', '+seed=7', '++batch_size=[32,64]', '~num_trials']));
    expect(result.settings).toMatchObject({ maxNumEpochs: 2, seed: 7, numTrials: 1 });
    expect(result.space.batch_size).toEqual({ kind: 'choice', values: [32, 64] });
  });

  it('beta1 over a file betas keeps the other half; betas over file beta1/beta2 replaces them', () => {
    const fromPair = ok(parseConfig(ORIGINAL, ['beta1=choice(0.8,0.9)']));
    expect(fromPair.space.beta1).toEqual({ kind: 'choice', values: [0.8, 0.9] });
    expect(fromPair.space.beta2).toEqual({ kind: 'fixed', value: 0.999 });
    const toPair = ok(parseConfig(cfg('beta1: [0.8, 0.9]', 'beta2: 0.99'), ['betas=[0.5,0.6]']));
    expect(toPair.space.beta1).toEqual({ kind: 'fixed', value: 0.5 });
    expect(toPair.space.beta2).toEqual({ kind: 'fixed', value: 0.6 });
  });

  it('errors name the override and the column inside it', () => {
    expect(onlyError(ORIGINAL, ['lr=interval(1e-2,1e-3)'])).toEqual({
      key: 'lr',
      line: 1,
      col: 4,
      message: 'lr: interval(0.01, 0.001) needs lo < hi',
      override: 'lr=interval(1e-2,1e-3)',
    });
    expect(onlyError(ORIGINAL, ['f1=choice(4,8'])).toEqual({
      key: 'f1',
      line: 1,
      col: 10,
      message: "f1: unbalanced parentheses: missing ')' to close 'choice('",
      override: 'f1=choice(4,8',
    });
    expect(onlyError(ORIGINAL, ['num_trials'])).toMatchObject({ message: "num_trials: missing '=value'; write num_trials=value (or ~num_trials to drop it)" });
    expect(onlyError(ORIGINAL, ['=3'])).toMatchObject({ col: 1, message: 'expected key=value, e.g. lr=choice(1e-3,1e-2) or num_trials=8' });
    expect(onlyError(ORIGINAL, ['lr='])).toMatchObject({ col: 4, message: "lr: missing value after '='" });
    expect(onlyError(ORIGINAL, ['betas=[0.9,0.9]', 'beta1=0.8'])).toMatchObject({ key: 'beta1', override: 'beta1=0.8', col: 1 });
    expect(formatIssue(onlyError(ORIGINAL, ['num_trials=0']))).toBe(
      "override 'num_trials=0' col 12: num_trials must be an integer in 1..1000, got 0",
    );
  });

  it('unknown override keys warn', () => {
    const result = ok(parseConfig(ORIGINAL, ['seeds=1']));
    expect(result.settings.seed).toBe(0);
    expect(result.warnings).toEqual([
      { key: 'seeds', line: 1, col: 1, override: 'seeds=1', message: expect.stringContaining("unknown key 'seeds' is ignored; did you mean 'seed'?") as string },
    ]);
  });

  it('are still checked when the file itself does not parse', () => {
    const errors = errorsOf('nope: 1\n', ['lr=choice(']);
    expect(errors.map((e) => e.override ?? null)).toEqual([null, 'lr=choice(']);
  });
});
