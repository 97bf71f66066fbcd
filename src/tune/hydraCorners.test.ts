import { describe, expect, it } from 'vitest';
import { parseConfig, type ParsedConfig } from './config';
import { MAX_VALUES_PER_KEY } from './space';

const cfg = (...lines: string[]): string => `config:\n${lines.map((line) => `  ${line}`).join('\n')}\n`;
const firstError = (result: ParsedConfig): string => (result.ok ? 'no error' : (result.errors[0]?.message ?? 'no message'));

describe("Hydra's grammar corners", () => {
  it('reads digit separators as Hydra does, in config.yaml and in overrides', () => {
    const result = parseConfig(cfg('num_trials: 1_0', 'batch_size: choice(1_024, 2_048)'), ['max_num_epochs=1_2']);
    if (!result.ok) throw new Error(firstError(result));
    expect(result.settings.numTrials).toBe(10);
    expect(result.settings.maxNumEpochs).toBe(12);
    expect(result.space.batch_size).toEqual({ kind: 'choice', values: [1024, 2048] });
  });

  it('refuses a misplaced digit separator, naming it', () => {
    expect(firstError(parseConfig(cfg('num_trials: 1__0')))).toMatch(/num_trials: '1__0': a digit separator goes between two digits/);
    expect(firstError(parseConfig(cfg('f1: choice(8_, 4)')))).toMatch(/f1: '8_': a digit separator goes between two digits/);
  });

  it('refuses a positional argument after a keyword argument, as Hydra does', () => {
    expect(firstError(parseConfig(cfg('f1: range(start=4, 10)')))).toMatch(/f1: range\(\.\.\.\): positional argument follows keyword argument/);
  });

  it('refuses a range larger than the cap instead of cutting it', () => {
    expect(firstError(parseConfig(cfg('batch_size: range(1, 4000)')))).toBe(
      `batch_size: range(1, 4000, 1) has 3999 values; at most ${MAX_VALUES_PER_KEY} (use a larger step, or interval(...) for a continuous search)`,
    );
  });

  it('accepts a comma sweep in config.yaml as in an override', () => {
    const result = parseConfig(cfg('f1: 4,8', 'lr: 1e-3, 1e-2'));
    if (!result.ok) throw new Error(firstError(result));
    expect(result.space.f1).toEqual({ kind: 'choice', values: [4, 8] });
    expect(result.space.lr).toEqual({ kind: 'choice', values: [1e-3, 1e-2] });
    expect(parseConfig(cfg('f1: 4,8'))).toEqual(parseConfig(cfg('f1: [8]'), ['f1=4,8']));
  });
});

describe('caps and names', () => {
  it('caps batch_size, f1, f2 and list lengths, naming the key and the allowed form', () => {
    expect(firstError(parseConfig(cfg('batch_size: 100000')))).toBe('batch_size must be an integer from 1 to 4096, got 100000');
    expect(firstError(parseConfig(cfg('f2: [4, 1000]')))).toBe('f2 must be an integer from 1 to 64, got 1000');
    const long = `[${Array.from({ length: 300 }, () => '0.001').join(', ')}]`;
    expect(firstError(parseConfig(cfg(`lr: ${long}`)))).toBe(`lr: the list has 300 values; at most ${MAX_VALUES_PER_KEY}`);
  });

  it('refuses an unknown model with the list of known ones', () => {
    expect(firstError(parseConfig(cfg('model: ResNet152'), [], { models: ['Classifier'] }))).toBe("model: unknown architecture 'ResNet152'; valid: Classifier");
  });
});
