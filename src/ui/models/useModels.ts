import { useMemo } from 'react';
import { chooseModel, listModels, type ModelChoice } from '../../state/modelsSlice';
import { useStudio } from '../../state/store';

/** The models on offer and the selected one, recomputed only when their sources change. */
export function useModels(): { models: ModelChoice[]; selected: ModelChoice | null } {
  const search = useStudio((s) => s.search);
  const bestCheckpoints = useStudio((s) => s.bestCheckpoints);
  const imported = useStudio((s) => s.importedModels);
  const selectedId = useStudio((s) => s.selectedModelId);
  const stored = useStudio((s) => s.storedModels);
  const pretrainedState = useStudio((s) => s.pretrained);
  const pretrained = pretrainedState.status === 'ready' ? pretrainedState.model : null;
  const models = useMemo(
    () => listModels(search, bestCheckpoints, imported, { stored, pretrained }),
    [search, bestCheckpoints, imported, stored, pretrained],
  );
  const selected = useMemo(() => chooseModel(models, selectedId), [models, selectedId]);
  return { models, selected };
}
