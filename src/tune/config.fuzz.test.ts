import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StudioError } from '../studioError';
import { parseConfig, parseConfigOrThrow } from './config';

const KEYS = ['f1', 'f2', 'lr', 'beta1', 'beta2', 'betas', 'batch_size', 'num_trials', 'max_num_epochs', 'scheduler', 'seed', 'model', 'grace_period'];
const VALUE_PIECES = ['choice(', 'range(', 'interval(', 'int(', 'tag(log,', 'grid_search(', ')', '[', ']', ',', '=', 'start=', '1_000', '1__0', '-1', '1e309', 'nan', "'", '"', '&a', '*a', '{', '}', '4', '8', '0.5'];

/** config.yaml text built from plausible keys and fragments of Hydra's grammar. */
const configText = fc
  .array(fc.tuple(fc.constantFrom(...KEYS), fc.array(fc.constantFrom(...VALUE_PIECES), { maxLength: 12 })), { maxLength: 8 })
  .map((lines) => `config:\n${lines.map(([key, pieces]) => `  ${key}: ${pieces.join('')}`).join('\n')}\n`);

const PARAMS = { numRuns: 400, seed: 20261204 };

describe('fuzzing the configuration parser: a result or a ConfigError, in bounded time', () => {
  const check = (text: string, overrides: string[] = []): boolean => {
    const started = performance.now();
    const result = parseConfig(text, overrides);
    try {
      parseConfigOrThrow(text, overrides);
    } catch (error) {
      if (!(error instanceof StudioError)) throw error;
    }
    expect(performance.now() - started).toBeLessThan(1000);
    return result.ok || result.errors.length > 0;
  };

  it('grammar-shaped config.yaml', () => {
    fc.assert(fc.property(configText, (text) => check(text)), PARAMS);
  });

  it('arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => check(text)), PARAMS);
  });

  it('arbitrary overrides over a valid config', () => {
    const overrides = fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.array(fc.constantFrom(...VALUE_PIECES), { maxLength: 10 })).map(([key, pieces]) => `${key}=${pieces.join('')}`), { maxLength: 6 });
    fc.assert(fc.property(overrides, (list) => check('config:\n  f1: [8]\n', list)), PARAMS);
  });
});
