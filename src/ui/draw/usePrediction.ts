import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from '../../studioError';

/** A model behind an async call: a 28x28 input (784 values, 0..1) to the 10 digit probabilities. */
export type PredictDigit = (input: Float32Array) => Promise<Float32Array>;

/** The latest prediction for the latest drawing, and the way to hand in a new drawing. */
export interface Prediction {
  probabilities: Float32Array | null;
  error: string | null;
  /** Hands in the current model input; null (a blank pad) clears the prediction. */
  submit: (input: Float32Array | null) => void;
}

interface Outcome {
  predict: PredictDigit | undefined;
  probabilities: Float32Array | null;
  error: string | null;
}

/**
 * Runs `predict` on the newest input, at most one call in flight: inputs that arrive meanwhile
 * collapse into the newest, so a slow model never queues up stale work while the pen moves. A
 * result is shown only if nothing cleared the pad or changed the model since it was asked for.
 */
export function usePrediction(predict: PredictDigit | undefined): Prediction {
  const [outcome, setOutcome] = useState<Outcome>({ predict, probabilities: null, error: null });
  const latest = useRef<Float32Array | null>(null);
  const busy = useRef(false);
  const generation = useRef(0);
  const predictRef = useRef(predict);

  const run = useCallback(function runLatest(): void {
    const model = predictRef.current;
    const input = latest.current;
    if (!model || !input || busy.current) return;
    busy.current = true;
    const asked = generation.current;
    // A copy, because a worker-backed model may transfer (detach) the buffer it is given.
    void model(input.slice())
      .then(
        (probabilities) => {
          if (asked === generation.current) setOutcome({ predict: model, probabilities, error: null });
        },
        (reason: unknown) => {
          if (asked !== generation.current) return;
          const error = `Prediction failed: ${messageOf(reason)}`;
          setOutcome({ predict: model, probabilities: null, error });
        },
      )
      .finally(() => {
        busy.current = false;
        if (latest.current !== input || asked !== generation.current) runLatest();
      });
  }, []);

  useEffect(() => {
    predictRef.current = predict;
    generation.current++;
    run();
  }, [predict, run]);

  const submit = useCallback(
    (input: Float32Array | null) => {
      latest.current = input;
      if (input) {
        run();
        return;
      }
      generation.current++;
      setOutcome({ predict: predictRef.current, probabilities: null, error: null });
    },
    [run],
  );

  // An outcome belongs to the model that produced it: a new model shows nothing until it answers.
  const current = outcome.predict === predict;
  return { probabilities: current ? outcome.probabilities : null, error: current ? outcome.error : null, submit };
}
