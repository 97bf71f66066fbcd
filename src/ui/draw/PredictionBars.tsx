import { percent, summarizePrediction } from '../../draw/prediction';
import './draw.css';

/** Props of {@link PredictionBars}. */
export interface PredictionBarsProps {
  /** Softmax probabilities of the digits 0..9. */
  probabilities: ArrayLike<number>;
}

/**
 * The predicted digit, large, and a bar per digit for its probability. Bars move by CSS transform
 * only, so a stream of predictions while drawing animates on the compositor without layout work.
 */
export function PredictionBars({ probabilities }: PredictionBarsProps) {
  const { digit: predicted, values } = summarizePrediction(probabilities);

  return (
    <div className="prediction-bars">
      {/* Text content reads "7 (98.1%)": the digit comes first. */}
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
