import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import type { Hyperparameters } from '../../model/architecture';
import { plainPredictor } from '../../model/plainForward';
import { getArchitecture } from '../../model/registry';
import { loadPretrained } from '../../pretrained/loadPretrained';
import type { ModelChoice } from '../../state/modelsSlice';
import { useStudio } from '../../state/store';
import type { PredictDigit } from '../draw/usePrediction';
import { useInferenceModel, type InferenceModelState } from './inferenceClient';
import { useModels } from './useModels';
import { messageOf } from '../../studioError';

/** The models on offer, the selected one, and how the drawing pad asks it for predictions. */
export interface ModelsView {
  models: ModelChoice[];
  selected: ModelChoice | null;
  inference: InferenceModelState;
  /**
   * The selected model's predictions: from the inference Worker once it holds the model, and
   * until then in plain TypeScript on the page, so the pad answers at once (first paint included).
   */
  predict: PredictDigit | undefined;
}

const ModelsContext = createContext<ModelsView | null>(null);

/** The models view, for the drawing step and the models step; only inside {@link ModelsProvider}. */
export function useModelsView(): ModelsView {
  const view = useContext(ModelsContext);
  if (!view) throw new Error('useModelsView needs a ModelsProvider above it');
  return view;
}

/**
 * Keeps the model sources fresh (the shipped pretrained model, the stored best of earlier
 * searches) and the selected model in the inference Worker, for every panel that uses models.
 */
export function ModelsProvider({ children }: { children: ReactNode }) {
  const { models, selected } = useModels();
  const inference = useInferenceModel(selected);
  const setPretrained = useStudio((s) => s.setPretrained);
  const refreshStoredModels = useStudio((s) => s.refreshStoredModels);

  useEffect(() => {
    let active = true;
    loadPretrained(document.baseURI).then(
      (model) => active && setPretrained({ status: 'ready', model }),
      (error: unknown) => active && setPretrained({ status: 'error', message: messageOf(error) }),
    );
    void refreshStoredModels();
    return () => {
      active = false;
    };
  }, [setPretrained, refreshStoredModels]);

  // The choice is re-listed on every search update; its weights (the state dict) stay the same object.
  // The hyperparameters object is rebuilt with it too, so the memo keys on their text.
  const model = selected?.model;
  const widths = selected ? JSON.stringify(selected.hyperparameters) : undefined;
  const stateDict = selected?.stateDict;
  const plain = useMemo<PredictDigit | undefined>(() => {
    if (model === undefined || widths === undefined || !stateDict) return undefined;
    const predictor = plainPredictor(getArchitecture(model), JSON.parse(widths) as Hyperparameters, stateDict);
    return (input) => Promise.resolve(predictor(input));
  }, [model, widths, stateDict]);

  const predict = inference.status === 'ready' ? inference.predict : plain;
  const view = useMemo(() => ({ models, selected, inference, predict }), [models, selected, inference, predict]);
  return <ModelsContext.Provider value={view}>{children}</ModelsContext.Provider>;
}
