import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePickle, PickleError } from './pickleReader';
import { dict, float, global, int, list, orderedDict, tuple, type PickleValue } from './pickleValue';
import { encodePickle } from './pickleWriter';

const PYTHON = '/usr/bin/python3';
const SCRIPTS = fileURLToPath(new URL('../../scripts/torch/', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'pickle-test-'));
const allowedGlobals = new Set(['collections.OrderedDict']);

interface CPythonView {
  protocol2: string;
  protocol4: string;
  dis: string;
  repr: string;
}

function cpython(pickle: Uint8Array): CPythonView {
  const path = join(workDir, 'value.pkl');
  writeFileSync(path, pickle);
  try {
    return JSON.parse(execFileSync(PYTHON, ['pt_pickle.py', path], { cwd: SCRIPTS, encoding: 'utf8' })) as CPythonView;
  } catch (error) {
    throw new Error(`CPython could not read the pickle: ${String(error)}`);
  }
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

const ints = [0, 1, 255, 256, 65535, 65536, -1, -256, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 40, -(2 ** 40), 2 ** 32 - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];

const samples: Record<string, PickleValue> = {
  ints: list(ints.map(int)),
  floats: list([0.1, -0, 1e-8, 3.4028234663852886e38, Infinity, -Infinity, 5e-324].map(float)),
  strings: tuple('', 'plain', 'é✓😀', 'a\nnew line'),
  constants: tuple(null, true, false),
  tuples: list([tuple(), tuple(int(1)), tuple(int(1), int(2)), tuple(int(1), int(2), int(3)), tuple(int(1), int(2), int(3), int(4), int(5))]),
  batches: tuple(
    list(Array.from({ length: 1001 }, (_, i) => int(i))),
    dict(Array.from({ length: 1002 }, (_, i): [PickleValue, PickleValue] => [int(i), 'v'])),
    list([int(7)]),
    dict([['only', int(1)]]),
    dict([]),
    list([]),
    orderedDict(Array.from({ length: 1001 }, (_, i): [PickleValue, PickleValue] => [int(i), int(i)])),
    orderedDict(Array.from({ length: 1002 }, (_, i): [PickleValue, PickleValue] => [int(i), int(i)])),
    orderedDict([[int(1), int(1)]]),
  ),
  repeatedStrings: list(['step', 'exp_avg', 'step', 'exp_avg', 'step']),
  orderedDictWithAttributes: orderedDict(
    [['a', int(1)], ['b', tuple(float(0.9), float(0.999))]],
    dict([['_metadata', orderedDict([['', dict([['version', int(1)]])], ['bn', dict([['version', int(2)]])]])]]),
  ),
};

beforeAll(() => {
  try {
    execFileSync(PYTHON, ['-c', 'import pickletools'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`pickle checks need CPython at ${PYTHON}: ${String(error)}`);
  }
});

describe('encodePickle', () => {
  for (const [name, value] of Object.entries(samples)) {
    it(`writes ${name} byte for byte as CPython's protocol 2 pickler does`, () => {
      const ours = encodePickle(value);
      const view = cpython(ours);
      expect(view.dis).toContain('highest protocol among opcodes = 2');
      expect(hex(ours)).toBe(view.protocol2);
    });

    it(`reads ${name} back from its own bytes and from CPython's protocol 2 and 4`, () => {
      const ours = encodePickle(value);
      expect(decodePickle(ours, { allowedGlobals })).toEqual(value);
      const view = cpython(ours);
      expect(decodePickle(fromHex(view.protocol2), { allowedGlobals })).toEqual(value);
      expect(decodePickle(fromHex(view.protocol4), { allowedGlobals })).toEqual(value);
    });
  }

  it('shares one memo entry between a value used twice', () => {
    const shared = tuple(int(1), int(2));
    const bytes = encodePickle(list([shared, shared]));
    const decoded = decodePickle(bytes, { allowedGlobals });
    expect(decoded).toEqual(list([shared, shared]));
    expect(hex(bytes)).toBe(cpython(bytes).protocol2);
  });
});

describe('decodePickle', () => {
  const bytes = (...parts: (number | string)[]): Uint8Array =>
    new Uint8Array(parts.flatMap((part) => (typeof part === 'number' ? [part] : [...new TextEncoder().encode(part)])));

  it('refuses a GLOBAL outside the allow-list, naming it', () => {
    const pickle = encodePickle({ kind: 'call', callable: global('os', 'system'), args: tuple('echo hi'), dictItems: [], listItems: [] });
    expect(() => decodePickle(pickle, { allowedGlobals })).toThrow(/refused: the checkpoint's pickle calls os\.system; only collections\.OrderedDict are allowed/);
  });

  it('refuses a STACK_GLOBAL outside the allow-list, naming it', () => {
    const pickle = bytes(0x80, 4, 0x8c, 8, 'builtins', 0x8c, 4, 'eval', 0x93, 0x8c, 1, '1', 0x85, 0x52, 0x2e);
    expect(() => decodePickle(pickle, { allowedGlobals })).toThrow(/calls builtins\.eval/);
  });

  it('maps Python 2 module names before judging them', () => {
    const pickle = bytes(0x80, 2, 0x63, '__builtin__\neval\n', 0x2e);
    expect(() => decodePickle(pickle, { allowedGlobals })).toThrow(/calls builtins\.eval/);
  });

  it('refuses opcodes torch files never use', () => {
    // INST calls a class named inline; a pickle that uses it is not a torch checkpoint.
    const pickle = bytes(0x80, 2, 0x28, 0x69, 'os\nsystem\n', 0x2e);
    expect(() => decodePickle(pickle, { allowedGlobals })).toThrow(/unsupported pickle opcode 0x69/);
  });

  it('refuses a pickle that ends early', () => {
    const whole = encodePickle(samples.orderedDictWithAttributes ?? null);
    expect(() => decodePickle(whole.subarray(0, whole.length - 10), { allowedGlobals })).toThrow(PickleError);
  });
});
