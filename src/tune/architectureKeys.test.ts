import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { totalParams } from '../model/registry';
import { parseConfig, type ParsedConfig } from './config';
import { formatIssue } from './issues';
import { searchResults } from './results';
import { createExperiment } from './experiment';
import { sampleTrials } from './sampler';
import { serializeSpace } from './serialize';
import { DEFAULT_TRIAL_CONFIG, HYPERPARAMETER_RULES, trialKeys } from './space';
import { rayParamSpace } from '../export/rayProject/searchSpace';

const cfg = (...lines: string[]): string => ['config:', ...lines.map((line) => `  ${line}`)].join('\n') + '\n';

/** The studio's own counter: the registry, for the configuration's model. */
const options = { countParams: (config: Record<string, number>, model: string) => totalParams(model, config), models: ['Classifier', 'gapnet'] };

function ok(result: ParsedConfig): Extract<ParsedConfig, { ok: true }> {
  if (!result.ok) throw new Error(result.errors.map((e) => formatIssue(e)).join('\n'));
  return result;
}

describe('the model key and its architecture keys', () => {
  it("takes each registered architecture's widths as configuration keys, with the registry's defaults and ranges", () => {
    expect(DEFAULT_TRIAL_CONFIG).toMatchObject({ f1: 8, f2: 6, c1: 10, c2: 16, c3: 10, c4: 16 });
    expect(HYPERPARAMETER_RULES.c3.valid).toBe('an integer from 1 to 64');
    expect(trialKeys('Classifier')).toContain('f1');
    expect(trialKeys('Classifier')).not.toContain('c1');
    expect(trialKeys('gapnet')).toEqual(expect.arrayContaining(['c1', 'c2', 'c3', 'c4', 'lr', 'batch_size', 'weight_decay']));
    expect(trialKeys('gapnet')).not.toContain('f1');
  });

  it('searches gapnet widths, counts each trial with gapnet and leaves the Classifier out', () => {
    const parsed = ok(parseConfig(cfg('model: gapnet', 'c1: grid_search(8, 10)', 'c4: grid_search(12, 16)', 'c3: [8, 10]'), [], options));
    expect(parsed.settings.model).toBe('gapnet');
    expect(parsed.warnings).toEqual([]);
    const trials = sampleTrials(parsed.space, parsed.settings, { countParams: options.countParams });
    expect(trials).toHaveLength(4);
    for (const trial of trials) {
      expect([8, 10]).toContain(trial.config.c3);
      expect(trial.totalParams).toBe(totalParams('gapnet', trial.config));
      expect(trial.totalParams).not.toBe(totalParams('Classifier', trial.config));
    }
    expect(new Set(trials.map((t) => `${t.config.c1},${t.config.c4}`))).toEqual(new Set(['8,12', '8,16', '10,12', '10,16']));
    expect(totalParams('gapnet', { c1: 8, c3: 10, c4: 12 })).toBeLessThan(8076);
  });

  it('takes the model and its widths from overrides, as a shared link carries them', () => {
    const parsed = ok(parseConfig(cfg('lr: 0.01'), ['model=gapnet', 'c4=choice(12,16)'], options));
    expect(parsed.settings.model).toBe('gapnet');
    expect(parsed.space.c4).toEqual({ kind: 'choice', values: [12, 16] });
    expect(parsed.warnings).toEqual([]);
  });

  it("warns past the parameter budget with the model's own widths, and at widths of another model", () => {
    const over = ok(parseConfig(cfg('model: gapnet', 'c4: [16, 24]'), [], options));
    expect(over.warnings).toEqual([
      { key: 'c4', line: 3, col: 7, message: `c1=10, c2=16, c3=10, c4=24 gives ${totalParams('gapnet', { c4: 24 }).toLocaleString('en-US')} parameters, over the 10,000 budget` },
    ]);
    // The Classifier's f1 means nothing to gapnet (and gapnet's c1 nothing to the Classifier).
    const stray = ok(parseConfig(cfg('model: gapnet', 'f1: [16]'), [], options));
    expect(stray.warnings.map((w) => [w.key, w.message])).toEqual([['f1', 'f1 is not a hyperparameter of model gapnet (its are c1, c2, c3, c4); it is ignored']]);
    expect(ok(parseConfig(cfg('c1: [12]'), [], options)).warnings.map((w) => w.key)).toEqual(['c1']);
    // The seed's configuration means what it did: the Classifier, its budget check on f1 and f2.
    expect(ok(parseConfig(cfg('f1: [8, 16]', 'f2: [6, 12]'), [], options)).warnings.map((w) => w.message)).toEqual([
      `f1=16, f2=12 gives ${totalParams('Classifier', { f1: 16, f2: 12 }).toLocaleString('en-US')} parameters, over the 10,000 budget`,
    ]);
  });

  it("writes a gapnet search's config.yaml, Ray param_space and results with gapnet's keys only, and reads the YAML back", () => {
    const parsed = ok(parseConfig(cfg('model: gapnet', 'c2: [12, 16]'), [], options));
    const yaml = serializeSpace(parsed.space, parsed.settings);
    expect(yaml).toMatch(/c2: \[ ?12, 16 ?\]/);
    expect(yaml).not.toMatch(/\bf1:/);
    const again = ok(parseConfig(yaml, [], options));
    expect(again.settings.model).toBe('gapnet');
    expect(again.space.c2).toEqual(parsed.space.c2);

    const paramSpace = rayParamSpace(parsed.space, parsed.settings);
    expect(paramSpace).toContain('"c2": tune.choice([12, 16])');
    expect(paramSpace).toContain('"model": "gapnet"');
    expect(paramSpace).not.toContain('"f1"');

    const trials = sampleTrials(parsed.space, parsed.settings, { countParams: options.countParams });
    const results = searchResults(createExperiment(parsed.space, parsed.settings, trials));
    expect(Object.keys(results.trials[0]?.config ?? {})).toEqual(expect.arrayContaining(['c1', 'c2', 'c3', 'c4']));
    expect(results.trials[0]?.config).not.toHaveProperty('f2');
  });

  it('reads configuration/gap-search.yaml as a gapnet search under the budget, and the seed config.yaml as the Classifier', () => {
    const gap = ok(parseConfig(readFileSync(new URL('../../configuration/gap-search.yaml', import.meta.url), 'utf8'), [], options));
    expect(gap.warnings).toEqual([]);
    expect(gap.settings.model).toBe('gapnet');
    const trials = sampleTrials(gap.space, gap.settings, { countParams: options.countParams });
    for (const trial of trials) expect(trial.totalParams).toBeLessThan(10_000);
    const seed = ok(parseConfig(readFileSync(new URL('../../configuration/config.yaml', import.meta.url), 'utf8'), [], options));
    expect(seed.settings.model).toBe('Classifier');
    expect(sampleTrials(seed.space, seed.settings, { countParams: options.countParams })[0]?.totalParams).toBe(9994);
  });
});
