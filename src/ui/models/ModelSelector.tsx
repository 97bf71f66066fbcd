import { useId } from 'react';
import { percent } from '../../draw/prediction';
import type { ModelChoice } from '../../state/modelsSlice';

/** Props of {@link ModelSelector}. */
export interface ModelSelectorProps {
  models: readonly ModelChoice[];
  selected: ModelChoice | null;
  onSelect: (id: string) => void;
}

/** How a model reads in the list: "t0003 ★ best, val_acc 97.1% (epoch 2), f1=8 f2=6". */
export function modelLabel(model: ModelChoice): string {
  const shape = `f1=${model.f1} f2=${model.f2}`;
  if (model.kind === 'imported') return `${model.name} (imported), ${shape}`;
  const accuracy = model.valAcc === null ? '' : `, val_acc ${percent(model.valAcc)} (epoch ${model.epoch})`;
  return `${model.name}${model.isBest ? ' ★ best' : ''}${accuracy}, ${shape}`;
}

/** Chooses the model to draw with and evaluate: the best trial (marked), any trial, or an import. */
export function ModelSelector({ models, selected, onSelect }: ModelSelectorProps) {
  const id = useId();
  const trials = models.filter((m) => m.kind === 'trial');
  const imports = models.filter((m) => m.kind === 'imported');
  return (
    <div className="model-selector">
      <label htmlFor={id}>Model</label>
      <select id={id} data-testid="model-select" value={selected?.id ?? ''} onChange={(event) => onSelect(event.target.value)}>
        {trials.length > 0 && (
          <optgroup label="Trials of this search">
            {trials.map((m) => (
              <option key={m.id} value={m.id}>
                {modelLabel(m)}
              </option>
            ))}
          </optgroup>
        )}
        {imports.length > 0 && (
          <optgroup label="Imported checkpoints">
            {imports.map((m) => (
              <option key={m.id} value={m.id}>
                {modelLabel(m)}
              </option>
            ))}
          </optgroup>
        )}
      </select>
    </div>
  );
}
