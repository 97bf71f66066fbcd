import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { selfContainedFactory } from './wasmThreadsPlugin';

const require = createRequire(import.meta.url);
const factoryPath = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');

describe('selfContainedFactory', () => {
  it('drops the outer _scriptDir of the installed tfjs, leaving only guarded global uses', () => {
    const code = selfContainedFactory(readFileSync(factoryPath, 'utf8'));
    expect(code).not.toContain('var _scriptDir');
    expect(code).toContain('typeof _scriptDir !== "undefined" && _scriptDir');
  });

  it('refuses a factory it does not recognise', () => {
    expect(() => selfContainedFactory('var WasmBackendModuleThreadedSimd = () => {};')).toThrow(/changed/);
  });
});
