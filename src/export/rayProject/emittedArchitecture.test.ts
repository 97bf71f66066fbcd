import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMITTED_ARCHITECTURE_PATH } from '../../../scripts/torch/fixtures';
import { architecturePy } from './architecture';

describe('the PyTorch checks\' model', () => {
  it('is the architecture.py the studio exports, byte for byte (regenerate with `npx tsx scripts/torch/writeArchitecture.ts`)', () => {
    expect(readFileSync(EMITTED_ARCHITECTURE_PATH, 'utf8')).toBe(architecturePy());
  });
});
