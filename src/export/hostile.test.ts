import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from './checkpointError';
import { hostileCheckpoints, hostileTfjsModels, rawZip } from './hostileFiles';
import { importModel } from './importModel';
import { readZip } from './zipReader';

describe('hostile checkpoints', () => {
  for (const file of hostileCheckpoints()) {
    it(`refuses ${file.title}, naming what is wrong`, () => {
      const started = performance.now();
      let thrown: unknown;
      try {
        importModel([{ name: file.name, bytes: file.bytes }]);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CheckpointError);
      expect((thrown as Error).message).toMatch(file.refusal);
      expect((thrown as Error).message.startsWith(`${file.name}: `)).toBe(true);
      expect(performance.now() - started).toBeLessThan(3000);
    });
  }
  for (const model of hostileTfjsModels()) {
    it(`refuses ${model.title}, naming what is wrong`, () => {
      expect(() => importModel(model.files)).toThrow(model.refusal);
    });
  }
});

describe('readZip', () => {
  it('reads what a standard zip writer wrote, stored and deflated, with CRCs checked', () => {
    const files = { 'a/one.txt': strToU8('one'), 'a/two.bin': new Uint8Array(5000).fill(7) };
    for (const level of [0, 6] as const) {
      const read = readZip(zipSync(files, { level }));
      expect([...read.keys()].sort()).toEqual(Object.keys(files).sort());
      expect(read.get('a/two.bin')).toEqual(files['a/two.bin']);
    }
  });

  it('counts the real inflated bytes, not the declared size', () => {
    const zip = rawZip([{ name: 'x', data: new Uint8Array(100_000), deflate: true, declaredSize: 10 }]);
    expect(() => readZip(zip)).toThrow(/x inflates to more than the 10 bytes its directory entry declares/);
  });

  it('refuses a deflated entry that inflates to less than it declares', () => {
    const zip = rawZip([{ name: 'x', data: new Uint8Array(100), deflate: true, declaredSize: 200 }]);
    expect(() => readZip(zip)).toThrow(/x inflates to 100 bytes; its directory entry declares 200/);
  });

  it('refuses duplicate names and a directory outside the file', () => {
    expect(() => readZip(rawZip([{ name: 'x', data: new Uint8Array(1) }, { name: 'x', data: new Uint8Array(1) }]))).toThrow(/holds x twice/);
    const zip = rawZip([{ name: 'x', data: new Uint8Array(1) }]);
    new DataView(zip.buffer).setUint32(zip.length - 6, 1_000_000, true);
    expect(() => readZip(zip)).toThrow(CheckpointError);
  });
});
