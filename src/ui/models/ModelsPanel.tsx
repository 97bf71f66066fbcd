import { useStudio } from '../../state/store';
import { ImportCheckpoint } from '../checkpoint/ImportCheckpoint';
import { DrawPanel } from '../draw/DrawPanel';
import { useInferenceModel, type InferenceModelState } from './inferenceClient';
import { ModelSelector, modelLabel } from './ModelSelector';
import { TestSetExplorer } from './TestSetExplorer';
import { TrialExport } from './TrialExport';
import { useModels } from './useModels';
import './models.css';

function loadStatus(state: InferenceModelState) {
  switch (state.status) {
    case 'none':
      return null;
    case 'loading':
      return <p className="muted">Loading the model into the inference worker…</p>;
    case 'error':
      return <p className="error">The model could not be loaded: {state.message}</p>;
    case 'ready':
      return (
        <p className="muted" data-testid="inference-backend">
          Predicting in a worker on {state.loaded.backend.chosen}, {state.loaded.totalParams.toLocaleString('en-US')} parameters.
        </p>
      );
  }
}

/**
 * The models the studio can test (the search's trials and imported checkpoints): choose one,
 * export a trial, draw digits for it and evaluate it on the test split. Predictions run in the
 * inference Worker, so the pad stays smooth while a model computes.
 */
export function ModelsPanel() {
  const { models, selected } = useModels();
  const selectModel = useStudio((s) => s.selectModel);
  const addImportedModel = useStudio((s) => s.addImportedModel);
  const inference = useInferenceModel(selected);

  return (
    <>
      <section className="panel models-panel" aria-labelledby="models-panel-title" data-testid="models-panel">
        <h2 id="models-panel-title">Models</h2>
        {selected ? (
          <>
            <ModelSelector models={models} selected={selected} onSelect={selectModel} />
            <p className="muted" data-testid="selected-model">
              {modelLabel(selected)}, {selected.totalParams.toLocaleString('en-US')} parameters
            </p>
            {loadStatus(inference)}
            {selected.kind === 'trial' && <TrialExport model={selected} />}
          </>
        ) : (
          <p className="muted">
            No model yet. Run a search above (each trial&apos;s best checkpoint appears here), or import a checkpoint trained
            elsewhere: a PyTorch <code>.pt</code> of the original Classifier, or a tfjs model.json with its weights.
          </p>
        )}
        <ImportCheckpoint onImported={addImportedModel} />
      </section>
      {selected && <DrawPanel predict={inference.status === 'ready' ? inference.predict : undefined} />}
      {selected && inference.status === 'ready' && (
        <TestSetExplorer modelKey={inference.modelKey} modelName={selected.name} backend={inference.loaded.backend.chosen} />
      )}
    </>
  );
}
