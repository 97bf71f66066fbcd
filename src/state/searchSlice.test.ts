import { describe, expect, it } from 'vitest';
import { defaultConcurrency } from './searchSlice';

describe('default trials at once', () => {
  it('runs two trials on a GPU, one per core on single-threaded CPU backends, fewer when wasm is threaded', () => {
    expect(defaultConcurrency('webgpu', 2, false)).toBe(2);
    expect(defaultConcurrency('wasm', 2, false)).toBe(2);
    expect(defaultConcurrency('wasm', 16, false)).toBe(4);
    expect(defaultConcurrency('wasm', 8, true)).toBe(4);
    expect(defaultConcurrency('wasm', 2, true)).toBe(1);
    expect(defaultConcurrency('cpu', 1, false)).toBe(1);
  });
});
