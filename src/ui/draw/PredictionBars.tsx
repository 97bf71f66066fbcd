import './draw.css';

/** Props of {@link PredictionBars}. */
export interface PredictionBarsProps {
  /** Softmax probabilities of the digits 0..9. */
  probabilities: ArrayLike<number>;
}

const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

function percent(probability: number): string {
  return `${(probability * 100).toFixed(1)}%`;
}

/**
 * The predicted digit, large, and a bar per digit for its probability. Bars move by CSS transform
 * only, so a stream of predictions while drawing animates on the compositor without layout work.
 */
export function PredictionBars({ probabilities }: PredictionBarsProps) {
  const values = DIGITS.map((digit) => {
    const p = probabilities[digit] ?? 0;
    return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0;
  });
  const predicted = values.reduce((best, p, digit) => (p > values[best]! ? digit : best), 0);

  return (
    <div className="prediction-bars">
      <output data-testid="prediction" className="prediction-digit" aria-live="polite">
        <span className="digit">{predicted}</span> <span className="confidence">({percent(values[predicted]!)})</span>
      </output>
      <ol className="prediction-chart" aria-label="Probability of each digit">
        {values.map((p, digit) => (
          <li key={digit} className={digit === predicted ? 'predicted' : undefined} title={`${digit}: ${percent(p)}`}>
            <span className="bar-track">
              <span className="bar-fill" style={{ transform: `scaleY(${p})` }} />
            </span>
            <span className="bar-label">{digit}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
