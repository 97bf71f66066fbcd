import { describe, expect, test } from 'vitest';
import { summarizePrediction } from './prediction';

describe('summarizePrediction', () => {
  test('the label begins with the most likely digit, then its confidence', () => {
    const probabilities = new Float32Array(10).fill(0.002);
    probabilities[7] = 0.981;
    const summary = summarizePrediction(probabilities);
    expect(summary.digit).toBe(7);
    expect(summary.label).toBe('7 (98.1%)');
    expect(summary.values).toHaveLength(10);
  });

  test('out-of-range and missing values are clamped; ties go to the lower digit', () => {
    expect(summarizePrediction([0.5, 0.5, Number.NaN, -1, 2]).label).toBe('4 (100.0%)');
    expect(summarizePrediction([0.5, 0.5]).values).toEqual([0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(summarizePrediction([0.2, 0.4, 0.4]).digit).toBe(1);
  });
});
