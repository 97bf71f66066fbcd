/** What a row of 10 softmax outputs says: the predicted digit, its confidence, and clean bar heights. */
export interface PredictionSummary {
  /** The most likely digit (the lower digit on a tie). */
  digit: number;
  /** Probability of each digit 0..9, clamped to 0..1 (missing or non-finite entries are 0). */
  values: number[];
  /** "7 (98.1%)": the digit first, so checks can read it off the start of the text. */
  label: string;
}

/** Formats a probability 0..1 as a percentage with one decimal. */
export function percent(probability: number): string {
  return `${(probability * 100).toFixed(1)}%`;
}

/** Summarises the model's 10 probabilities into the prediction shown to the person drawing. */
export function summarizePrediction(probabilities: ArrayLike<number>): PredictionSummary {
  const values = Array.from({ length: 10 }, (_, digit) => {
    const p = probabilities[digit] ?? 0;
    return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0;
  });
  const digit = values.reduce((best, p, index) => (p > values[best]! ? index : best), 0);
  return { digit, values, label: `${digit} (${percent(values[digit]!)})` };
}
