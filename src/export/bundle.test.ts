import * as tf from '@tensorflow/tfjs';
import { unzipSync, strFromU8 } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifier } from '../model/classifier';
import { gapnet } from '../model/gapnet';
import { countParameters } from '../model/spec';
import { toTorchStateDict } from '../model/stateDict';
import { initialValues } from '../train/init';
import { Rng } from '../train/rng';
import type { TrainConfig } from '../engine/trainer';
import { createExperiment, parseConfig, sampleTrials } from '../tune';
import { SearchRunner } from '../tune/runner';
import type { TrialEngine, TrialRun, TrialSnapshot } from '../tune/trial';
import { trialExport, zipTrialExport, type TrialExport } from './bundle';
import { trialConfigYaml } from './trialConfig';
import { importModel } from './importModel';
import { readCheckpoint } from './ptReader';

const CONFIG: TrainConfig = { model: 'Classifier', f1: 6, f2: 5, lr: 0.0025, beta1: 0.88, beta2: 0.997, batch_size: 32, seed: 42, max_num_epochs: 4 };

describe('trial export bundle', () => {
  let files: TrialExport;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const spec = classifier.spec({ f1: 6, f2: 5 });
    const network = initialValues(spec, new Rng(3));
    const size = network.params.length;
    const snapshot = {
      config: CONFIG,
      state: { network, adam: { step: 2, expAvg: new Float32Array(size).fill(0.01), expAvgSq: new Float32Array(size).fill(1e-4) } },
      stateDict: toTorchStateDict(spec, network),
    } as unknown as TrialSnapshot;
    files = await trialExport(snapshot, '{"best":"t0"}', 't0');
  });

  it('zips checkpoint.pt, the tfjs files the model.json names, config.yaml and results.json', () => {
    const zip = unzipSync(zipTrialExport(files));
    const json = JSON.parse(strFromU8(zip['tfjs/model.json'] ?? new Uint8Array())) as { weightsManifest: { paths: string[] }[] };
    const weightsPath = json.weightsManifest[0]?.paths[0] ?? '';
    expect(Object.keys(zip).sort()).toEqual(['checkpoint.pt', 'config.yaml', 'results.json', `tfjs/${weightsPath.replace('./', '')}`, 'tfjs/model.json'].sort());
    expect(strFromU8(zip['results.json'] ?? new Uint8Array())).toBe('{"best":"t0"}');
    const read = readCheckpoint(zip['checkpoint.pt'] ?? new Uint8Array());
    expect(read.format).toBe('tuple');
    expect(read.optimizer?.state[0]?.step).toBe(2);
    expect(read.optimizer?.paramGroup.betas).toEqual([0.88, 0.997]);
    const model = importModel([
      { name: 'model.json', bytes: zip['tfjs/model.json'] ?? new Uint8Array() },
      { name: weightsPath, bytes: zip[`tfjs/${weightsPath.replace('./', '')}`] ?? new Uint8Array() },
    ]);
    expect([model.model, model.hyperparameters]).toEqual(['Classifier', { f1: 6, f2: 5 }]);
  });

  it('writes a config.yaml the studio parses back to the trial config as fixed values', () => {
    const parsed = parseConfig(files.configYaml);
    if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
    for (const name of ['lr', 'beta1', 'beta2', 'f1', 'f2', 'batch_size'] as const) {
      expect(parsed.space[name]).toEqual({ kind: 'fixed', value: CONFIG[name] });
    }
    expect(parsed.settings).toMatchObject({ numTrials: 1, maxNumEpochs: 4, seed: 42, model: 'Classifier' });
  });
});

describe('trial export bundle of a gapnet trial', () => {
  it('holds checkpoint.pt, its tfjs layers model, config.yaml and results.json, each of which reads back as gapnet', async () => {
    await tf.setBackend('cpu');
    const config: TrainConfig = { model: 'gapnet', c1: 8, c2: 12, c3: 8, c4: 12, lr: 0.005, beta1: 0.9, beta2: 0.999, batch_size: 64, seed: 1, max_num_epochs: 15 };
    const widths = { c1: 8, c2: 12, c3: 8, c4: 12 };
    const spec = gapnet.spec(widths);
    const network = initialValues(spec, new Rng(5));
    const size = network.params.length;
    const snapshot = {
      config,
      state: { network, adam: { step: 3, expAvg: new Float32Array(size), expAvgSq: new Float32Array(size) } },
      stateDict: toTorchStateDict(spec, network),
    } as unknown as TrialSnapshot;
    const files = await trialExport(snapshot, '{}', 't1');
    const zip = unzipSync(zipTrialExport(files));
    expect(Object.keys(zip).sort()).toEqual(['checkpoint.pt', 'config.yaml', 'results.json', 'tfjs/model.json', 'tfjs/weights.bin']);
    const fromTfjs = importModel([
      { name: 'model.json', bytes: zip['tfjs/model.json'] ?? new Uint8Array() },
      { name: 'weights.bin', bytes: zip['tfjs/weights.bin'] ?? new Uint8Array() },
    ]);
    expect(fromTfjs).toMatchObject({ model: 'gapnet', hyperparameters: widths, source: { kind: 'tfjs' } });
    const floats = (state: readonly { dtype: string }[]) => state.filter((t) => t.dtype === 'float32');
    expect(floats(fromTfjs.stateDict)).toEqual(floats(snapshot.stateDict));
    expect(readCheckpoint(zip['checkpoint.pt'] ?? new Uint8Array()).model.map((t) => t.key)).toEqual(spec.entries.map((e) => e.key));
    const imported = importModel([{ name: 'checkpoint.pt', bytes: zip['checkpoint.pt'] ?? new Uint8Array() }]);
    expect(imported).toMatchObject({ model: 'gapnet', hyperparameters: widths, totalParams: countParameters(spec), source: { kind: 'pt', format: 'tuple', hasOptimizer: true } });
    expect(imported.stateDict).toEqual(snapshot.stateDict);
    const parsed = parseConfig(strFromU8(zip['config.yaml'] ?? new Uint8Array()));
    if (!parsed.ok) throw new Error('config.yaml does not parse');
    expect(parsed.settings.model).toBe('gapnet');
    for (const [name, value] of Object.entries(widths)) expect(parsed.space[name as keyof typeof widths]).toEqual({ kind: 'fixed', value });
    expect(strFromU8(zip['config.yaml'] ?? new Uint8Array())).not.toMatch(/\bf1:/);
  });
});

describe("a trial's config.yaml", () => {
  /** The configs a search hands its trials' engines, in trial order. */
  async function trainedConfigs(configYaml: string): Promise<TrainConfig[]> {
    const parsed = parseConfig(configYaml);
    if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
    const configs: TrainConfig[] = [];
    const engine: TrialEngine = {
      train: (run: TrialRun) => {
        configs.push(run.config);
        return Promise.resolve({ status: 'completed', history: [] });
      },
      stop: () => Promise.resolve(),
      snapshot: () => Promise.reject(new Error('unused')),
      predict: () => Promise.reject(new Error('unused')),
      dispose: () => Promise.resolve(),
    };
    const experiment = createExperiment(parsed.space, parsed.settings, sampleTrials(parsed.space, parsed.settings));
    await new SearchRunner({ experiment, createEngine: () => engine, runBase: { backend: 'cpu', manifestUrl: 'http://studio.test/manifest.json' }, concurrency: 1 }).done;
    return configs;
  }

  it('reruns its trial with the same seed and hyperparameters, so the rerun draws what the trial drew', async () => {
    const search = await trainedConfigs('config:\n  lr: tag(log, interval(1e-4, 1e-2))\n  f1: choice(6, 8)\n  num_trials: 3\n  max_num_epochs: 2\n  seed: 5\n');
    expect(new Set(search.map((config) => config.seed)).size).toBe(3);
    const third = search[2]!;
    const [rerun] = await trainedConfigs(trialConfigYaml(third, 't0003'));
    expect(rerun).toEqual(third);
  });
});
