import { useId, useState } from 'react';
import { percent } from '../../draw/prediction';
import { pageManifestUrl } from '../../state/datasetSlice';
import { useStudio } from '../../state/store';
import type { EvaluationProgress, TestSetEvaluation } from '../../workers/inferenceProtocol';
import { ConfusionMatrix, type DigitPair } from './ConfusionMatrix';
import { inferenceEngine } from './inferenceClient';
import { MisclassifiedGallery } from './MisclassifiedGallery';
import { messageOf } from '../../studioError';

/** How many test images to evaluate: all of them by default, fewer on a slow machine. */
const LIMITS = [1000, 5000, 10000] as const;
/** Pictures of mistakes the Worker sends back for the gallery. */
const MAX_EXAMPLES = 400;

/** One model's evaluation, remembered with the weights it belongs to. */
type Run =
  | { modelKey: string; status: 'running'; progress: EvaluationProgress | null }
  | { modelKey: string; status: 'done'; evaluation: TestSetEvaluation; backend: string }
  | { modelKey: string; status: 'error'; message: string };

/** Props of {@link TestSetExplorer}. */
export interface TestSetExplorerProps {
  /** The loaded model's key in the inference Worker. */
  modelKey: string;
  modelName: string;
  /** The backend the Worker computes on, for the timing line. */
  backend: string;
}

const count = (n: number) => n.toLocaleString('en-US');

/** The selected model on the test split: accuracy, a confusion matrix, and its mistakes as pictures. */
export function TestSetExplorer({ modelKey, modelName, backend }: TestSetExplorerProps) {
  const datasetStatus = useStudio((s) => s.dataset.status);
  const [limit, setLimit] = useState<number>(10000);
  const [run, setRun] = useState<Run | null>(null);
  const [pair, setPair] = useState<DigitPair | null>(null);
  const limitId = useId();
  // A run for other weights (the selection changed, or the trial's checkpoint improved) is not shown.
  const current = run?.modelKey === modelKey ? run : null;

  const evaluate = async (): Promise<void> => {
    setPair(null);
    setRun({ modelKey, status: 'running', progress: null });
    const update = (next: Run) => setRun((previous) => (previous?.modelKey === modelKey ? next : previous));
    try {
      const evaluation = await inferenceEngine().evaluate(
        { modelKey, manifestUrl: pageManifestUrl(), limit, maxExamples: MAX_EXAMPLES },
        { onProgress: (progress) => update({ modelKey, status: 'running', progress }) },
      );
      update({ modelKey, status: 'done', evaluation, backend });
    } catch (error) {
      update({ modelKey, status: 'error', message: messageOf(error) });
    }
  };

  const waiting = datasetStatus !== 'ready';
  return (
    <section className="test-set-explorer" aria-labelledby="test-set-title" data-testid="test-set-explorer">
      <h2 id="test-set-title">Test-set explorer</h2>
      <div className="explorer-controls">
        <label htmlFor={limitId}>Test images</label>
        <select id={limitId} data-testid="evaluate-limit" value={limit} onChange={(event) => setLimit(Number(event.target.value))}>
          {LIMITS.map((n) => (
            <option key={n} value={n}>
              {n === 10000 ? `all ${count(n)}` : `first ${count(n)}`}
            </option>
          ))}
        </select>
        <button type="button" className="primary" data-testid="evaluate-test-set" disabled={waiting || current?.status === 'running'} onClick={() => void evaluate()}>
          Evaluate {modelName}
        </button>
        {waiting && <span className="muted">waiting for MNIST to load…</span>}
      </div>
      {current?.status === 'running' && (
        <progress data-testid="evaluate-progress" value={current.progress?.evaluated ?? 0} max={current.progress?.total ?? limit} />
      )}
      {current?.status === 'error' && <p className="error">Evaluation failed: {current.message}</p>}
      {current?.status === 'done' && (
        <>
          <p data-testid="test-accuracy">
            Accuracy <strong>{percent(current.evaluation.accuracy)}</strong> ({count(current.evaluation.correct)} of{' '}
            <span data-testid="evaluated-count">{count(current.evaluation.count)}</span> test images), loss{' '}
            {current.evaluation.loss.toFixed(4)}, in {(current.evaluation.elapsedMs / 1000).toFixed(1)} s on {current.backend}.
          </p>
          <div className="explorer-results">
            <ConfusionMatrix confusion={current.evaluation.confusion} selected={pair} onSelect={setPair} />
            <MisclassifiedGallery key={pair ? `${pair.label}-${pair.predicted}` : 'all'} evaluation={current.evaluation} pair={pair} />
          </div>
        </>
      )}
    </section>
  );
}
