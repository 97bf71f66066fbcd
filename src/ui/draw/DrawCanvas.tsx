import { useCallback, useEffect, useRef, useState } from 'react';
import { preprocessInk } from '../../draw/preprocess';
import { PEN, rasteriseStrokes, StrokeRecorder, type Stroke } from '../../draw/strokes';
import { ModelInputPreview } from './ModelInputPreview';
import { useDrawingPad } from './useDrawingPad';
import './draw.css';

/** Props of {@link DrawCanvas}. */
export interface DrawCanvasProps {
  /** The 28x28 model input (null when blank): every ~`debounceMs` while drawing, and at once when a stroke ends. */
  onInput?: (input: Float32Array | null) => void;
  /** Longest wait, in ms, between a change mid-stroke and the next `onInput`. */
  debounceMs?: number;
}

/**
 * Ink grid per pad pixel for the model input. A digit still spans ~100 grid pixels at half the pad's
 * resolution, five times the 20 px it is boxed into, so the box filter has plenty to average while
 * rasterising costs a quarter as much: it runs on the main thread every few frames while drawing.
 */
const INK_SCALE = 0.5;

/** The model input for `strokes`: rasterised without the DOM, then MNIST-preprocessed. */
function modelInput(strokes: readonly Stroke[]): Float32Array | null {
  const side = Math.round(PEN.padSize * INK_SCALE);
  const ink = rasteriseStrokes(strokes, side, side, INK_SCALE);
  return preprocessInk({ data: ink, width: side, height: side })?.pixels ?? null;
}

/**
 * A drawing pad for one digit, with Undo and Clear, and beside it the 28x28 image the model sees.
 * Inputs are throttled rather than purely debounced, so predictions keep up while the pen moves.
 */
export function DrawCanvas({ onInput, debounceMs = 80 }: DrawCanvasProps) {
  const [preview, setPreview] = useState<Float32Array | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onInputRef = useRef(onInput);
  const [recorder] = useState(() => new StrokeRecorder());

  useEffect(() => {
    onInputRef.current = onInput;
  }, [onInput]);

  const emit = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const input = modelInput(recorder.strokes);
    setPreview(input);
    onInputRef.current?.(input);
  }, [recorder]);

  const onChange = useCallback(() => {
    timer.current ??= setTimeout(emit, debounceMs);
  }, [emit, debounceMs]);

  const { canvasRef, handlers, strokeCount, undo, clear } = useDrawingPad(recorder, { onChange, onSettle: emit });

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  return (
    <div className="draw-canvas">
      <div className="draw-pad">
        <canvas
          ref={canvasRef}
          data-testid="draw-canvas"
          className="draw-surface"
          role="img"
          aria-label="Drawing pad: draw one digit"
          {...handlers}
        />
        <div className="draw-actions">
          <button type="button" data-testid="undo-stroke" onClick={undo} disabled={strokeCount === 0}>
            Undo
          </button>
          <button type="button" data-testid="clear-canvas" onClick={clear} disabled={strokeCount === 0}>
            Clear
          </button>
        </div>
      </div>
      <ModelInputPreview pixels={preview} />
    </div>
  );
}
