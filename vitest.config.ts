import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.ts'],
    environment: 'node',
    // Hooks do real work (reading MNIST, training a few steps, running PyTorch): on a busy 2-core
    // machine that takes well past vitest's 10 s default, as the tests themselves do.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
