import { DrawCanvas } from './DrawCanvas';
import { PredictionBars } from './PredictionBars';
import { usePrediction, type PredictDigit } from './usePrediction';
import './draw.css';

/** Props of {@link DrawPanel}. */
export interface DrawPanelProps {
  /** The selected model; absent until one is trained or imported. Keep it stable (memoised) per model. */
  predict?: PredictDigit;
}

/** Draw a digit and see, live, what the selected model makes of it. */
export function DrawPanel({ predict }: DrawPanelProps) {
  const { probabilities, error, submit } = usePrediction(predict);

  let verdict;
  if (!predict) verdict = <p className="muted">Train a model or import a checkpoint to see predictions</p>;
  else if (error) verdict = <p className="error">{error}</p>;
  else if (probabilities) verdict = <PredictionBars probabilities={probabilities} />;
  else verdict = <p className="muted">Draw a digit from 0 to 9 on the pad.</p>;

  return (
    <section className="panel draw-panel" aria-labelledby="draw-panel-title">
      <h2 id="draw-panel-title">Draw a digit</h2>
      <div className="draw-layout">
        <DrawCanvas onInput={submit} />
        <div className="draw-verdict">{verdict}</div>
      </div>
    </section>
  );
}
