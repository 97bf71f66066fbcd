import { useCallback, useEffect, useState } from 'react';
import type { ModelChoice } from '../../state/modelsSlice';
import { readUrlState } from '../../state/urlState';
import type { InferenceEngine, ModelLoaded } from '../../workers/inferenceProtocol';
import { createInferenceWorkerEngine } from '../../workers/inferenceWorkerEngine';
import type { PredictDigit } from '../draw/usePrediction';
import { messageOf } from '../../studioError';

let engine: InferenceEngine | null = null;

/** The page's one inference Worker, started on first use; every model the page tests lives in it. */
export function inferenceEngine(): InferenceEngine {
  engine ??= createInferenceWorkerEngine();
  return engine;
}

/** Where putting the selected model into the inference Worker stands. */
export type InferenceModelState =
  | { status: 'none' }
  | { status: 'loading'; modelKey: string }
  | { status: 'ready'; modelKey: string; loaded: ModelLoaded; predict: PredictDigit }
  | { status: 'error'; modelKey: string; message: string };

interface Outcome {
  modelKey: string;
  loaded?: ModelLoaded;
  message?: string;
}

/**
 * Keeps `model` loaded in the inference Worker (on the backend the page was asked for) and unloads
 * it when another is chosen, so the Worker holds one model. A trial's improving checkpoint arrives
 * as a new version and reloads; anything else about the choice changing does not.
 */
export function useInferenceModel(model: ModelChoice | null): InferenceModelState {
  // The choice is rebuilt on every search update; only a new version of the weights matters here.
  const [current, setCurrent] = useState(model);
  if (model?.version !== current?.version) setCurrent(model);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const modelKey = current?.version ?? null;

  useEffect(() => {
    if (!current) return;
    const key = current.version;
    let active = true;
    const { model, hyperparameters, stateDict } = current;
    inferenceEngine()
      .load({ modelKey: key, model, hyperparameters, stateDict }, readUrlState(window.location.search).backend)
      .then(
        (loaded) => active && setOutcome({ modelKey: key, loaded }),
        (error: unknown) => active && setOutcome({ modelKey: key, message: messageOf(error) }),
      );
    return () => {
      active = false;
      void inferenceEngine()
        .unload(key)
        .catch(() => undefined);
    };
  }, [current]);

  const predict = useCallback<PredictDigit>((input) => inferenceEngine().predict(modelKey ?? '', input), [modelKey]);

  if (!modelKey) return { status: 'none' };
  if (outcome?.modelKey !== modelKey) return { status: 'loading', modelKey };
  if (outcome.loaded) return { status: 'ready', modelKey, loaded: outcome.loaded, predict };
  return { status: 'error', modelKey, message: outcome.message ?? 'unknown error' };
}
