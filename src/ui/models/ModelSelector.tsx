import { useId } from 'react';
import { percent } from '../../draw/prediction';
import { DEFAULT_ARCHITECTURE } from '../../model/registry';
import { MODEL_KINDS, type ModelChoice, type ModelKind } from '../../state/modelsSlice';

/** Props of {@link ModelSelector}. */
export interface ModelSelectorProps {
  models: readonly ModelChoice[];
  selected: ModelChoice | null;
  onSelect: (id: string) => void;
}

/**
 * A model's architecture and widths: "f1=8 f2=6" for the Classifier, as the studio has always
 * shown it, and "gapnet c1=10 c2=16 c3=10 c4=16" for any other architecture.
 */
export function modelShape(model: Pick<ModelChoice, 'model' | 'hyperparameters'>): string {
  const widths = Object.entries(model.hyperparameters).map(([name, value]) => `${name}=${value}`);
  return (model.model === DEFAULT_ARCHITECTURE ? widths : [model.model, ...widths]).join(' ');
}

/** How a model reads in the list: "t0003 ★ best, val_acc 97.1% (epoch 2), f1=8 f2=6". */
export function modelLabel(model: ModelChoice): string {
  const shape = modelShape(model);
  const accuracy = model.valAcc === null ? '' : `, val_acc ${percent(model.valAcc)} (epoch ${model.epoch})`;
  switch (model.kind) {
    case MODEL_KINDS.imported:
      return `${model.name} (imported), ${shape}`;
    case MODEL_KINDS.pretrained:
      return `Pretrained Classifier${accuracy}, ${shape}`;
    case MODEL_KINDS.stored:
      return `${model.name} of ${model.experimentId ?? 'an earlier search'}${accuracy}, ${shape}`;
    case MODEL_KINDS.trial:
      return `${model.name}${model.isBest ? ' ★ best' : ''}${accuracy}, ${shape}`;
  }
}

const GROUPS: readonly [ModelKind, string][] = [
  [MODEL_KINDS.trial, 'Trials of this search'],
  [MODEL_KINDS.stored, 'Best of earlier searches'],
  [MODEL_KINDS.imported, 'Imported checkpoints'],
  [MODEL_KINDS.pretrained, 'Shipped with the studio'],
];

/** Chooses the model to draw with and evaluate: a trial (the best marked), an earlier search's best, an import, or the pretrained model. */
export function ModelSelector({ models, selected, onSelect }: ModelSelectorProps) {
  const id = useId();
  return (
    <div className="model-selector">
      <label htmlFor={id}>Model</label>
      <select
        id={id}
        data-testid="model-select"
        value={selected?.id ?? ''}
        disabled={models.length === 0}
        onChange={(event) => onSelect(event.target.value)}
      >
        {models.length === 0 && <option value="">loading…</option>}
        {GROUPS.map(([kind, label]) => {
          const group = models.filter((m) => m.kind === kind);
          return (
            group.length > 0 && (
              <optgroup key={kind} label={label}>
                {group.map((m) => (
                  <option key={m.id} value={m.id}>
                    {modelLabel(m)}
                  </option>
                ))}
              </optgroup>
            )
          );
        })}
      </select>
    </div>
  );
}
