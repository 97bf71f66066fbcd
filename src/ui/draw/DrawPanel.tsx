import { percent } from '../../draw/prediction';
import type { ModelChoice } from '../../state/modelsSlice';
import { useStudio } from '../../state/store';
import { ModelSelector, modelLabel } from '../models/ModelSelector';
import { useModelsView } from '../models/ModelsContext';
import { DrawCanvas } from './DrawCanvas';
import { PredictionBars } from './PredictionBars';
import { TestImagePicker } from './TestImagePicker';
import { usePrediction } from './usePrediction';
import './draw.css';

/** The line under the model picker: which model reads the pad, and how good it is. */
function ModelLine({ selected }: { selected: ModelChoice | null }) {
  const pretrained = useStudio((s) => s.pretrained);
  if (selected?.kind === 'pretrained') {
    return (
      <p className="muted model-line" data-testid="selected-model" data-kind="pretrained">
        The studio&apos;s pretrained model: {selected.model}({Object.values(selected.hyperparameters).join(', ')}), {percent(selected.valAcc ?? 0)} on the 10,000
        test images. Train your own below; the best of your search takes over here.
      </p>
    );
  }
  if (selected) {
    return (
      <p className="muted model-line" data-testid="selected-model" data-kind={selected.kind}>
        {modelLabel(selected)}, {selected.totalParams.toLocaleString('en-US')} parameters
      </p>
    );
  }
  return (
    <p className={`model-line ${pretrained.status === 'error' ? 'error' : 'muted'}`} data-testid="selected-model" data-kind="none">
      {pretrained.status === 'error' ? `The pretrained model could not be loaded (${pretrained.message}).` : 'Loading the pretrained model…'}
    </p>
  );
}

/** Step 1 of the workflow: draw a digit and see, live, what the selected model makes of it. */
export function DrawPanel() {
  const { models, selected, predict } = useModelsView();
  const selectModel = useStudio((s) => s.selectModel);
  const { probabilities, error, submit } = usePrediction(predict);

  let verdict;
  if (!predict) verdict = <p className="muted">The pad reads digits as soon as a model is loaded.</p>;
  else if (error) verdict = <p className="error">{error}</p>;
  else if (probabilities) verdict = <PredictionBars probabilities={probabilities} />;
  else verdict = <p className="muted">Draw a digit from 0 to 9 on the pad.</p>;

  return (
    <section className="panel draw-panel step-draw" aria-labelledby="draw-panel-title" data-testid="draw-panel" data-ready={predict ? 'true' : 'false'}>
      <h2 id="draw-panel-title">Draw a digit</h2>
      <ModelSelector models={models} selected={selected} onSelect={selectModel} />
      <ModelLine selected={selected} />
      <div className="draw-layout">
        <DrawCanvas onInput={submit} />
        <div className="draw-verdict">{verdict}</div>
      </div>
      <TestImagePicker onPick={submit} />
    </section>
  );
}
