import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSharedLink } from './sharedLink';

const CONFIG = 'config:\n  f1: [8]\n  f2: [6]\n  lr: [1e-3, 1e-2]\n  num_trials: 3\n';

describe('readSharedLink', () => {
  it('applies a valid link', () => {
    expect(readSharedLink('?lr=tag(log,interval(1e-4,1e-2))&num_trials=8&backend=wasm', CONFIG)).toEqual({
      ok: true,
      backend: 'wasm',
      overrides: ['lr=tag(log,interval(1e-4,1e-2))', 'num_trials=8'],
    });
  });

  it.each([
    ['a malformed escape', '?lr=%E0%A4%A', /the link part 'lr=%E0%A4%A' has a malformed %-escape/],
    ['an unknown key', '?learning_rate=0.1', /override 'learning_rate=0\.1' col 1: unknown key 'learning_rate'/],
    ['a value out of range', '?batch_size=100000000', /batch_size must be an integer from 1 to 4096, got 100000000/],
    ['an unknown backend', '?backend=cuda', /backend: unknown backend 'cuda'; valid: auto, /],
    ['an unknown model', '?model=ResNet', /model: unknown architecture 'ResNet'; valid: Classifier/],
    ['a script in a key', '?%3Cscript%3Ealert(1)%3C%2Fscript%3E=1', /override '<script>alert\(1\)<\/script>=1' col 1: expected key=value/],
    ['an oversized query', `?lr=${'1'.repeat(20_000)}`, /the link's query is 20,003 characters; at most/],
    ['too many parts', `?${Array.from({ length: 100 }, (_, i) => `seed=${i}`).join('&')}`, /the link has 100 parts; at most 65/],
  ])('refuses %s, naming the bad part', (_, search, problem) => {
    const link = readSharedLink(search, CONFIG);
    expect(link.ok).toBe(false);
    if (!link.ok) expect(link.problem).toMatch(problem);
  });

  it('never throws, and answers in bounded time, whatever the query (fuzzed)', () => {
    const queryText = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.array(fc.tuple(fc.constantFrom('lr', 'f1', 'batch_size', 'num_trials', 'model', 'backend', '~seed', '%', '%E0'), fc.string({ maxLength: 40 })), { maxLength: 8 }).map((pairs) =>
        pairs.map(([key, value]) => `${key}=${value}`).join('&'),
      ),
    );
    fc.assert(
      fc.property(queryText, (query) => {
        const started = performance.now();
        const link = readSharedLink(`?${query}`, CONFIG);
        expect(performance.now() - started).toBeLessThan(500);
        return link.ok ? Array.isArray(link.overrides) : link.problem.length > 0;
      }),
      { numRuns: 400, seed: 20261204 },
    );
  });
});
