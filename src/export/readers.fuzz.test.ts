import fc from 'fast-check';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { StudioError } from '../studioError';
import { validCheckpoint } from './hostileFiles';
import { importModel } from './importModel';
import { decodePickle } from './pickleReader';
import { readCheckpoint } from './ptReader';
import { ALLOWED_GLOBALS } from './torchPickle';
import { readZip } from './zipReader';

/** Runs `read`, and fails the property if it throws anything but the studio's own error or takes too long. */
function onlyStudioErrors(read: () => unknown, budgetMs = 1000): boolean {
  const started = performance.now();
  try {
    read();
  } catch (error) {
    if (!(error instanceof StudioError)) throw error;
  }
  const elapsed = performance.now() - started;
  if (elapsed > budgetMs) throw new Error(`took ${elapsed.toFixed(0)} ms`);
  return true;
}

const valid = validCheckpoint();
const validPickle = readZip(valid).get('checkpoint/data.pkl')!;

/** A copy of `base` with some bytes overwritten, some cut off, or some inserted. */
const mutated = (base: Uint8Array) =>
  fc
    .tuple(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(base.length), fc.boolean())
    .map(([edits, cut, truncate]) => {
      const copy = base.slice(0, truncate ? cut : base.length);
      for (const [at, value] of edits) if (at < copy.length) copy[at] = value;
      return copy;
    });

const PARAMS = { numRuns: 300, seed: 20261204 };

describe('fuzzing the checkpoint readers: nothing but StudioError, in bounded time', () => {
  it('decodePickle on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => onlyStudioErrors(() => decodePickle(bytes, { allowedGlobals: ALLOWED_GLOBALS }))), PARAMS);
  });

  it('decodePickle on a real checkpoint pickle with bytes changed or cut', () => {
    fc.assert(fc.property(mutated(validPickle), (bytes) => onlyStudioErrors(() => decodePickle(bytes, { allowedGlobals: ALLOWED_GLOBALS }))), PARAMS);
  });

  it('decodePickle on random opcode sequences', () => {
    const opcodes = [0x80, 0x95, 0x28, 0x30, 0x31, 0x32, 0x4e, 0x88, 0x89, 0x4b, 0x4d, 0x4a, 0x8a, 0x8b, 0x47, 0x58, 0x8c, 0x43, 0x29, 0x85, 0x86, 0x87, 0x74, 0x5d, 0x6c, 0x61, 0x65, 0x7d, 0x64, 0x73, 0x75, 0x63, 0x93, 0x52, 0x81, 0x62, 0x51, 0x71, 0x94, 0x68, 0x2e];
    const program = fc.array(fc.oneof(fc.constantFrom(...opcodes), fc.integer({ min: 0, max: 255 })), { maxLength: 300 }).map((ops) => Uint8Array.from(ops));
    fc.assert(fc.property(program, (bytes) => onlyStudioErrors(() => decodePickle(bytes, { allowedGlobals: ALLOWED_GLOBALS }))), PARAMS);
  });

  it('readCheckpoint on random bytes behind a zip signature', () => {
    const zipLike = fc.uint8Array({ maxLength: 2048 }).map((rest) => Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...rest]));
    fc.assert(fc.property(zipLike, (bytes) => onlyStudioErrors(() => readCheckpoint(bytes))), PARAMS);
  });

  it('importModel on a valid checkpoint with bytes changed or cut', () => {
    fc.assert(fc.property(mutated(valid), (bytes) => onlyStudioErrors(() => importModel([{ name: 'fuzzed.pt', bytes }]))), PARAMS);
  });

  it('importModel on a valid container whose pickle has bytes changed or cut (CRCs recomputed)', () => {
    const files = Object.fromEntries(readZip(valid));
    fc.assert(
      fc.property(mutated(validPickle), (pickle) => onlyStudioErrors(() => importModel([{ name: 'fuzzed.pt', bytes: zipSync({ ...files, 'checkpoint/data.pkl': pickle }, { level: 0 }) }]))),
      PARAMS,
    );
  });

  it('importModel on random model.json text', () => {
    const files = fc.tuple(fc.json({ maxDepth: 6 }), fc.uint8Array({ maxLength: 64 })).map(([json, weights]) => [
      { name: 'model.json', bytes: new TextEncoder().encode(json) },
      { name: 'weights.bin', bytes: weights },
    ]);
    fc.assert(fc.property(files, (chosen) => onlyStudioErrors(() => importModel(chosen))), PARAMS);
  });

  it('the unmutated checkpoint still imports', () => {
    expect(importModel([{ name: 'valid.pt', bytes: valid }]).hyperparameters).toEqual({ f1: 8, f2: 6 });
  });
});
