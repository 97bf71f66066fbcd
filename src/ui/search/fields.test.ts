import { describe, expect, it } from 'vitest';
import { textToCommit } from './fields';

describe('a numeric field after a typo', () => {
  it('commits the valid value typed back after a rejected "3a", though the form shows that value all along', () => {
    // The form shows 3; the user types 3a, which is committed and rejected (the form still shows 3).
    expect(textToCommit('3a', '3')).toBe('3a');
    // Typing 3 again must reach config.yaml, or "3a" would stay there with its error.
    expect(textToCommit('3', '3a')).toBe('3');
    expect(textToCommit(' 3 ', '3')).toBeNull();
  });
});
