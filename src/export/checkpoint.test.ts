import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodePickle } from './pickleWriter';
import { call, global, tuple } from './pickleValue';
import { readCheckpoint } from './ptReader';
import { writeCheckpoint } from './ptWriter';
import { shapeSize } from '../model/spec';
import { defaultAdamParamGroup, parameterTensors, type AdamState } from './stateDict';
import { classifier } from '../model/classifier';
import { recogniseStateDict } from '../model/recognise';
import { entryDtype, type TorchTensor } from '../model/stateDict';

const PYTHON = '/usr/bin/python3';
const SCRIPTS = fileURLToPath(new URL('../../scripts/torch/', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'checkpoint-test-'));

function runPython(args: string[]): string {
  try {
    return execFileSync(PYTHON, args, { cwd: SCRIPTS, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`${PYTHON} ${args.join(' ')} failed:\n${stderr}`);
  }
}

/** Deterministic values in [-1, 1) (a 32-bit LCG), so every run checks the same checkpoint. */
function seededValues(seed: number): (count: number) => Float32Array {
  let state = seed >>> 0;
  return (count) =>
    Float32Array.from({ length: count }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 31 - 1;
    });
}

function studioCheckpoint(f1: number, f2: number, seed: number): { model: TorchTensor[]; optimizer: AdamState } {
  const random = seededValues(seed);
  const model = classifier.spec({ f1, f2 }).entries.map((entry, i): TorchTensor => {
    const shape = [...entry.torchShape];
    if (entryDtype(entry) === 'int64') return { key: entry.key, shape, dtype: 'int64', data: BigInt64Array.of(BigInt(900 + i)) };
    return { key: entry.key, shape, dtype: 'float32', data: random(shapeSize(shape)) };
  });
  const optimizer: AdamState = {
    state: parameterTensors(model).map((parameter, index) => ({
      index,
      step: 937,
      expAvg: random(parameter.data.length).map((value) => value * 1e-3),
      expAvgSq: random(parameter.data.length).map((value) => Math.abs(value) * 1e-6),
    })),
    paramGroup: defaultAdamParamGroup(0.003, [0.85, 0.995]),
  };
  return { model, optimizer };
}

interface TensorJson {
  shape: number[];
  dtype: string;
  values: number[];
}
interface ValueJson {
  type?: string;
  value?: unknown;
  items?: ValueJson[];
}
interface TorchReport {
  torch: string;
  records: string[];
  pickle_globals: string[];
  /** Globals the allow-listed unpickler resolved (torch resolves storage classes itself). */
  find_class_globals: string[];
  model_sd_type: string;
  has_metadata: boolean;
  weights_only: string;
  strict_load: { missing: string[]; unexpected: string[] };
  model: (TensorJson & { key: string })[];
  optimizer_state: Record<string, Record<string, TensorJson>>;
  param_groups: Record<string, ValueJson>[];
  resave_identical_pickle: boolean;
  after_step: { loss: number; step: number; finite: boolean };
}

function judgeWithTorch(bytes: Uint8Array, name: string): TorchReport {
  const path = join(workDir, `${name}.pt`);
  const out = join(workDir, `${name}.json`);
  writeFileSync(path, bytes);
  runPython(['pt_check.py', path, out]);
  return JSON.parse(readFileSync(out, 'utf8')) as TorchReport;
}

const valuesOf = (data: Float32Array | BigInt64Array): number[] => Array.from(data, Number);

beforeAll(() => {
  if (!existsSync(PYTHON)) throw new Error(`checkpoint checks need PyTorch: ${PYTHON} is missing (apt-get install -y python3-torch)`);
  try {
    runPython(['-c', 'import torch']);
  } catch (error) {
    throw new Error(`checkpoint checks need Debian's PyTorch at ${PYTHON} (apt-get install -y python3-torch): ${String(error)}`);
  }
});

describe('writeCheckpoint, judged by PyTorch', () => {
  for (const [f1, f2] of [
    [8, 6],
    [4, 10],
  ] as const) {
    it(`Classifier(${f1}, ${f2}): loads strictly into the original model and Adam, values exact`, () => {
      const contents = studioCheckpoint(f1, f2, f1 * 100 + f2);
      const report = judgeWithTorch(writeCheckpoint(contents), `studio-${f1}-${f2}`);

      expect(report.records.slice(0, 1)).toEqual(['checkpoint/data.pkl']);
      expect(report.records).toContain('checkpoint/version');
      expect(report.pickle_globals).toEqual(['collections.OrderedDict', 'torch.FloatStorage', 'torch.LongStorage', 'torch._utils._rebuild_tensor_v2']);
      expect(report.find_class_globals).toEqual(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2']);
      expect(report.model_sd_type).toBe('OrderedDict');
      expect(report.has_metadata).toBe(true);
      expect(report.strict_load).toEqual({ missing: [], unexpected: [] });

      expect(report.model.map((entry) => entry.key)).toEqual(contents.model.map((entry) => entry.key));
      report.model.forEach((entry, i) => {
        const ours = contents.model[i]!;
        expect(entry.shape).toEqual(ours.shape);
        expect(entry.dtype).toBe(ours.dtype);
        expect(entry.values).toEqual(valuesOf(ours.data));
      });

      const states = Object.entries(report.optimizer_state);
      expect(states).toHaveLength(contents.optimizer.state.length);
      for (const [index, state] of states) {
        const ours = contents.optimizer.state[Number(index)]!;
        expect(state.step).toEqual({ shape: [], dtype: 'float32', values: [937] });
        expect(state.exp_avg?.values).toEqual(valuesOf(ours.expAvg));
        expect(state.exp_avg_sq?.values).toEqual(valuesOf(ours.expAvgSq));
        expect(state.exp_avg?.shape).toEqual(parameterTensors(contents.model)[Number(index)]!.shape);
      }
      const group = report.param_groups[0]!;
      expect(report.param_groups).toHaveLength(1);
      expect(group.lr).toEqual({ type: 'float', value: 0.003 });
      expect(group.betas).toEqual({ type: 'tuple', items: [{ type: 'float', value: 0.85 }, { type: 'float', value: 0.995 }] });
      expect(group.eps).toEqual({ type: 'float', value: 1e-8 });
      expect(group.weight_decay).toEqual({ type: 'int', value: 0 });
      for (const flag of ['amsgrad', 'maximize', 'capturable', 'differentiable']) expect(group[flag]).toEqual({ type: 'bool', value: false });
      for (const optional of ['foreach', 'fused']) expect(group[optional]).toEqual({ type: 'NoneType', value: null });
      expect(group.params?.items?.map((item) => item.value)).toEqual(parameterTensors(contents.model).map((_, i) => i));

      expect(report.after_step).toMatchObject({ step: 938, finite: true });
      // torch.save of what torch.load read gives back our pickle byte for byte.
      expect(report.resave_identical_pickle).toBe(true);
    });
  }
});

describe('readCheckpoint of files PyTorch saved', () => {
  interface Expected {
    model: (TensorJson & { key: string })[];
    optimizer: {
      state: Record<string, { step: number; exp_avg: number[]; exp_avg_sq: number[] }>;
      param_group: { lr: number; betas: [number, number]; eps: number; weight_decay: number };
    };
  }
  const saved = join(workDir, 'saved');
  let expected: Expected;
  const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(saved, name)));

  beforeAll(() => {
    runPython(['-c', `import os; os.makedirs(${JSON.stringify(saved)}, exist_ok=True)`]);
    runPython(['pt_save.py', saved]);
    expected = JSON.parse(readFileSync(join(saved, 'expected.json'), 'utf8')) as Expected;
  });

  const expectModel = (model: TorchTensor[]): void => {
    expect(model.map((entry) => entry.key)).toEqual(expected.model.map((entry) => entry.key));
    model.forEach((entry, i) => {
      const want = expected.model[i]!;
      expect(entry.shape).toEqual(want.shape);
      expect(entry.dtype).toBe(want.dtype);
      expect(valuesOf(entry.data)).toEqual(want.values);
    });
    expect(recogniseStateDict(model)).toMatchObject({ architecture: classifier, hyperparameters: { f1: 6, f2: 4 } });
  };
  const expectOptimizer = (optimizer: AdamState | undefined): void => {
    expect(optimizer).toBeDefined();
    const { state, paramGroup } = optimizer!;
    expect(state.map((moments) => moments.index)).toEqual(Object.keys(expected.optimizer.state).map(Number));
    for (const moments of state) {
      const want = expected.optimizer.state[String(moments.index)]!;
      expect(moments.step).toBe(want.step);
      expect(Array.from(moments.expAvg)).toEqual(want.exp_avg);
      expect(Array.from(moments.expAvgSq)).toEqual(want.exp_avg_sq);
    }
    expect(paramGroup).toMatchObject({ lr: 0.01, betas: [0.8, 0.95], eps: 1e-8, weightDecay: 0, amsgrad: false });
  };

  it("reads the original's (model_sd, optim_sd) tuple", () => {
    const read = readCheckpoint(file('tuple.pt'));
    expect(read.format).toBe('tuple');
    expect(read.warnings).toEqual([]);
    expectModel(read.model);
    expectOptimizer(read.optimizer);
  });

  it('reads a bare state_dict', () => {
    const read = readCheckpoint(file('bare.pt'));
    expect(read.format).toBe('state_dict');
    expect(read.optimizer).toBeUndefined();
    expectModel(read.model);
  });

  it('reads a checkpoint dict with model_state_dict and optimizer_state_dict', () => {
    const read = readCheckpoint(file('dict.pt'));
    expect(read.format).toBe('dict');
    expectModel(read.model);
    expectOptimizer(read.optimizer);
  });

  it('reads protocol 4 pickles (FRAME, MEMOIZE, STACK_GLOBAL)', () => {
    const read = readCheckpoint(file('protocol4.pt'));
    expectModel(read.model);
    expectOptimizer(read.optimizer);
  });

  it('reads views: storage offsets, strides and storages shared between tensors', () => {
    expectModel(readCheckpoint(file('views.pt')).model);
  });

  it('reads float64 tensors as float32', () => {
    const read = readCheckpoint(file('double.pt'));
    read.model.forEach((entry, i) => {
      const want = expected.model[i]!;
      expect(valuesOf(entry.data)).toEqual(want.values);
    });
  });

  it('round-trips through the studio: read, write, read gives the same values', () => {
    const read = readCheckpoint(file('tuple.pt'));
    const again = readCheckpoint(writeCheckpoint({ model: read.model, optimizer: read.optimizer! }));
    expect(again.model).toEqual(read.model);
    expect(again.optimizer).toEqual(read.optimizer);
  });

  it('refuses a pickle that would run a shell command, naming the global, and runs nothing', () => {
    expect(() => readCheckpoint(file('runs-command.pt'))).toThrow(/refused: the checkpoint's pickle calls posix\.system; only .* are allowed/);
    expect(existsSync(join(saved, 'pwned'))).toBe(false);
  });

  it('refuses a pickle that calls eval, naming it', () => {
    expect(() => readCheckpoint(file('evaluates.pt'))).toThrow(/calls builtins\.eval/);
  });

  it('refuses the legacy non-zip format with a clear message', () => {
    expect(() => readCheckpoint(file('legacy.pt'))).toThrow(/legacy torch\.save format/);
  });
});

describe('readCheckpoint of a checkpoint saved by PyTorch 2.11', () => {
  // (model.state_dict(), optimizer.state_dict()) of Classifier(6, 4) after three Adam steps, saved
  // by torch 2.11 (records .format_version, .storage_alignment, .data/serialization_id; Adam's
  // group has decoupled_weight_decay).
  const fixture = fileURLToPath(new URL('./fixtures/torch-2.11-tuple.pt', import.meta.url));

  it('reads the same values PyTorch reads', () => {
    const read = readCheckpoint(new Uint8Array(readFileSync(fixture)));
    const report = judgeWithTorch(new Uint8Array(readFileSync(fixture)), 'torch-2.11');
    expect(read.format).toBe('tuple');
    expect(recogniseStateDict(read.model)).toMatchObject({ architecture: classifier, hyperparameters: { f1: 6, f2: 4 } });
    expect(read.model.map((entry) => ({ key: entry.key, shape: entry.shape, dtype: entry.dtype, values: valuesOf(entry.data) }))).toEqual(
      report.model.map(({ key, shape, dtype, values }) => ({ key, shape, dtype, values })),
    );
    for (const moments of read.optimizer!.state) {
      const want = report.optimizer_state[String(moments.index)]!;
      expect(moments.step).toBe(want.step?.values[0]);
      expect(Array.from(moments.expAvg)).toEqual(want.exp_avg?.values);
      expect(Array.from(moments.expAvgSq)).toEqual(want.exp_avg_sq?.values);
    }
    expect(read.optimizer!.paramGroup).toMatchObject({ lr: 0.01, betas: [0.8, 0.95], foreach: null, fused: null });
  });
});

describe('readCheckpoint refusals', () => {
  const contents = studioCheckpoint(8, 6, 7);
  const bytes = writeCheckpoint(contents);

  it('refuses os.system in an otherwise valid container', () => {
    const files = unzipSync(bytes);
    files['checkpoint/data.pkl'] = encodePickle(call(global('os', 'system'), tuple('touch /tmp/never')));
    expect(() => readCheckpoint(zipSync(files, { level: 0 }))).toThrow(/refused: the checkpoint's pickle calls os\.system/);
  });

  it('refuses truncated files', () => {
    for (const length of [bytes.length - 1, bytes.length - 200, Math.floor(bytes.length / 2), 30]) {
      expect(() => readCheckpoint(bytes.subarray(0, length))).toThrow(/truncated/);
    }
  });

  it('refuses a checkpoint whose storage record is missing, naming it', () => {
    const files = unzipSync(bytes);
    delete files['checkpoint/data/3'];
    expect(() => readCheckpoint(zipSync(files, { level: 0 }))).toThrow(/storage record checkpoint\/data\/3 is missing/);
  });

  it('refuses a storage record of the wrong size', () => {
    const files = unzipSync(bytes);
    files['checkpoint/data/0'] = new Uint8Array(4);
    expect(() => readCheckpoint(zipSync(files, { level: 0 }))).toThrow(/CL1\.weight: the storage record checkpoint\/data\/0 holds 4 bytes/);
  });

  it('refuses files over the size limit', () => {
    expect(() => readCheckpoint(bytes, { maxBytes: 1000 })).toThrow(/the limit is/);
  });

  it('refuses a zip that is not a checkpoint', () => {
    expect(() => readCheckpoint(zipSync({ 'notes/readme.txt': new Uint8Array(3) }))).toThrow(/no <name>\/data\.pkl/);
    expect(() => readCheckpoint(new TextEncoder().encode('hello'))).toThrow(/not a zip archive/);
  });

  it('reads a deflated container and any top folder name', () => {
    const files = unzipSync(bytes);
    const renamed = Object.fromEntries(Object.entries(files).map(([name, data]) => [name.replace(/^checkpoint\//, 'archive/'), data]));
    const read = readCheckpoint(zipSync(renamed, { level: 6 }));
    expect(read.model).toEqual(contents.model);
    expect(read.optimizer).toEqual(contents.optimizer);
  });
});
