/** Confusion matrix, loss and mistakes of a model over test images, accumulated chunk by chunk. */
import { DIGIT_CLASSES, type Misclassified } from './inferenceProtocol';

/** The running totals of one evaluation. */
export interface EvaluationTally {
  count: number;
  correct: number;
  lossSum: number;
  /** Row-major [true][predicted] counts. */
  confusion: number[];
  misclassified: Misclassified[];
}

/** An empty tally. */
export function emptyTally(): EvaluationTally {
  return { count: 0, correct: 0, lossSum: 0, confusion: new Array<number>(DIGIT_CLASSES * DIGIT_CLASSES).fill(0), misclassified: [] };
}

/**
 * Adds a chunk: `logits` holds 10 per image for the images `firstIndex`, `firstIndex + 1`, ... whose
 * labels are `labels`. The loss is softmax cross-entropy through log-sum-exp, so a confident
 * mistake costs a large finite loss rather than an infinite one.
 */
export function tallyChunk(tally: EvaluationTally, logits: Float32Array, labels: ArrayLike<number>, firstIndex: number): void {
  for (let image = 0; image < labels.length; image++) {
    const row = image * DIGIT_CLASSES;
    let predicted = 0;
    let max = -Infinity;
    for (let digit = 0; digit < DIGIT_CLASSES; digit++) {
      const value = logits[row + digit] ?? -Infinity;
      if (value > max) {
        max = value;
        predicted = digit;
      }
    }
    let sum = 0;
    for (let digit = 0; digit < DIGIT_CLASSES; digit++) sum += Math.exp((logits[row + digit] ?? -Infinity) - max);
    const logSumExp = max + Math.log(sum);
    const label = labels[image] ?? 0;
    tally.lossSum += logSumExp - (logits[row + label] ?? 0);
    tally.count += 1;
    const cell = label * DIGIT_CLASSES + predicted;
    tally.confusion[cell] = (tally.confusion[cell] ?? 0) + 1;
    if (predicted === label) tally.correct += 1;
    else tally.misclassified.push({ index: firstIndex + image, label, predicted, confidence: Math.exp(max - logSumExp) });
  }
}
