import { describe, expect, it } from 'vitest';
import { wasmSourceDigest } from '../../../scripts/lib/wasmSource';
import { SINGLE_THREAD_WASM, SOURCE_DIGEST, THREADED_WASM } from './wasmBinaries.generated';

describe('the fused CPU step binaries', () => {
  it('were built from the current AssemblyScript sources (else run npm run wasm)', () => {
    expect(SOURCE_DIGEST).toBe(wasmSourceDigest());
  });

  it('are valid WebAssembly that imports its memory, the threaded one shared', () => {
    for (const [base64, shared] of [[SINGLE_THREAD_WASM, false], [THREADED_WASM, true]] as const) {
      const module = new WebAssembly.Module(Buffer.from(base64, 'base64'));
      const memory = WebAssembly.Module.imports(module).find((i) => i.kind === 'memory');
      expect(memory?.name).toBe('memory');
      expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual(expect.arrayContaining(['train', 'evaluate', 'heapBase']));
      const instance = () =>
        new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 32768, shared }), now: () => 0 } });
      expect(instance).not.toThrow();
    }
  });
});
