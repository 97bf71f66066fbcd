import { useState } from 'react';
import { IMAGE_PIXELS } from '../../data/idx';
import { percent } from '../../draw/prediction';
import type { TestSetEvaluation } from '../../workers/inferenceProtocol';
import type { DigitPair } from './ConfusionMatrix';
import { DigitThumbnail } from './DigitThumbnail';

const PAGE = 60;

/** Props of {@link MisclassifiedGallery}. */
export interface MisclassifiedGalleryProps {
  evaluation: TestSetEvaluation;
  /** Only the mistakes of this (true, predicted) pair; all of them when null. */
  pair: DigitPair | null;
}

/** Test digits the model got wrong, each with its true label and the model's guess. */
export function MisclassifiedGallery({ evaluation, pair }: MisclassifiedGalleryProps) {
  const [shown, setShown] = useState(PAGE);
  const withPixels = evaluation.examplePixels.length / IMAGE_PIXELS;
  const examples = evaluation.misclassified
    .slice(0, withPixels)
    .map((example, slot) => ({ ...example, slot }))
    .filter((e) => !pair || (e.label === pair.label && e.predicted === pair.predicted));
  const total = pair
    ? evaluation.misclassified.filter((e) => e.label === pair.label && e.predicted === pair.predicted).length
    : evaluation.misclassified.length;

  if (total === 0) return <p className="muted">No misclassified test digits.</p>;
  return (
    <figure className="misclassified-gallery" data-testid="misclassified-gallery">
      <figcaption>
        {pair ? `${pair.label}s read as ${pair.predicted}` : 'Misclassified test digits'}: showing {Math.min(shown, examples.length)} of {total}
        {examples.length < total && ` (pictures kept for the first ${withPixels} mistakes)`}
      </figcaption>
      <ol>
        {examples.slice(0, shown).map((e) => (
          <li key={e.index} data-testid="misclassified-digit" title={`test image #${e.index}`}>
            <DigitThumbnail
              pixels={evaluation.examplePixels.subarray(e.slot * IMAGE_PIXELS, (e.slot + 1) * IMAGE_PIXELS)}
              label={`test image ${e.index}: a ${e.label} read as ${e.predicted}`}
            />
            <span>
              true <strong>{e.label}</strong> → <strong className="error">{e.predicted}</strong>
            </span>
            <span className="muted">{percent(e.confidence)}</span>
          </li>
        ))}
      </ol>
      {examples.length > shown && (
        <button type="button" onClick={() => setShown(shown + PAGE)}>
          Show more
        </button>
      )}
    </figure>
  );
}
