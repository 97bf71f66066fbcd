import { percent } from '../../draw/prediction';
import { useStudio } from '../../state/store';
import { ImportCheckpoint } from '../checkpoint/ImportCheckpoint';
import { useModelsView } from './ModelsContext';
import type { InferenceModelState } from './inferenceClient';
import { modelLabel } from './ModelSelector';
import { TestSetExplorer } from './TestSetExplorer';
import { TrialExport } from './TrialExport';
import './models.css';

function loadStatus(state: InferenceModelState) {
  switch (state.status) {
    case 'none':
      return null;
    case 'loading':
      return <p className="muted">Loading the model into the inference worker (the pad predicts on the page meanwhile)…</p>;
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
 * Step 4 of the workflow: every model on offer side by side (pick one for the pad), the selected
 * one's downloads and test-set evaluation, and importing a checkpoint trained elsewhere.
 */
export function ModelsPanel() {
  const { models, selected, inference } = useModelsView();
  const selectModel = useStudio((s) => s.selectModel);

  return (
    <section className="panel models-panel step-models" aria-labelledby="models-panel-title" data-testid="models-panel">
      <h2 id="models-panel-title">Models</h2>
      <table className="models-table" data-testid="models-table">
        <caption className="muted">Pick a model for the drawing pad; the selected one can be downloaded and evaluated below.</caption>
        <thead>
          <tr>
            <th scope="col">model</th>
            <th scope="col">val_acc</th>
            <th scope="col">parameters</th>
            <th scope="col">
              <span className="visually-hidden">use</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <tr key={m.id} data-testid={`model-row-${m.kind}`} aria-current={m.id === selected?.id ? 'true' : undefined}>
              <th scope="row">{modelLabel(m).split(', val_acc')[0]}</th>
              <td>{m.valAcc === null ? '—' : percent(m.valAcc)}</td>
              <td>{m.totalParams.toLocaleString('en-US')}</td>
              <td>
                {m.id === selected?.id ? (
                  <span className="muted">on the pad</span>
                ) : (
                  <button type="button" onClick={() => selectModel(m.id)} aria-label={`Draw with ${modelLabel(m)}`}>
                    Draw with it
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {loadStatus(inference)}
      {selected?.snapshot && <TrialExport model={selected} />}
      <ImportCheckpoint onImported={(model) => useStudio.getState().addImportedModel(model)} />
      {selected && inference.status === 'ready' && (
        <TestSetExplorer modelKey={inference.modelKey} modelName={selected.name} backend={inference.loaded.backend.chosen} />
      )}
    </section>
  );
}
