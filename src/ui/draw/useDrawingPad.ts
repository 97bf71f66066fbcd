import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { drawStrokes, PEN, type StrokePoint, type StrokeRecorder } from '../../draw/strokes';

/** What {@link useDrawingPad} gives its canvas: a ref, pointer handlers, and the stroke commands. */
export interface DrawingPad {
  canvasRef: React.RefObject<HTMLCanvasElement | null>;
  strokeCount: number;
  handlers: {
    onPointerDown: (event: ReactPointerEvent<HTMLCanvasElement>) => void;
    onPointerMove: (event: ReactPointerEvent<HTMLCanvasElement>) => void;
    onPointerUp: (event: ReactPointerEvent<HTMLCanvasElement>) => void;
    onPointerCancel: (event: ReactPointerEvent<HTMLCanvasElement>) => void;
  };
  undo: () => void;
  clear: () => void;
}

/** Callbacks of {@link useDrawingPad}: the drawing changed mid-stroke, or reached a resting state. */
export interface DrawingPadEvents {
  onChange: () => void;
  onSettle: () => void;
}

/** The drawing surface's content box in client coordinates (its border is not pad). */
interface PadBox {
  left: number;
  top: number;
  side: number;
}

function padBox(canvas: HTMLCanvasElement): PadBox {
  const rect = canvas.getBoundingClientRect();
  return { left: rect.left + canvas.clientLeft, top: rect.top + canvas.clientTop, side: Math.max(1, canvas.clientWidth) };
}

function padPoint(event: PointerEvent, box: PadBox): StrokePoint {
  return {
    x: ((event.clientX - box.left) * PEN.padSize) / box.side,
    y: ((event.clientY - box.top) * PEN.padSize) / box.side,
    // Mice report a constant 0.5 and touch screens 0 or 1 at random: only a pen's pressure means anything.
    pressure: event.pointerType === 'pen' ? event.pressure : PEN.neutralPressure,
  };
}

/**
 * Pointer input (mouse, touch, pen) on a square canvas: one pointer at a time, captured so a
 * stroke that leaves the pad still ends, coalesced samples for smooth fast strokes, and repaints
 * batched to animation frames at the device's pixel ratio.
 */
export function useDrawingPad(recorder: StrokeRecorder, { onChange, onSettle }: DrawingPadEvents): DrawingPad {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [strokeCount, setStrokeCount] = useState(0);
  const activePointer = useRef<{ id: number; box: PadBox } | null>(null);
  const frame = useRef(0);
  const events = useRef({ onChange, onSettle });

  useEffect(() => {
    events.current = { onChange, onSettle };
  }, [onChange, onSettle]);

  const paint = useCallback(() => {
    frame.current = 0;
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(canvas.width / PEN.padSize, 0, 0, canvas.height / PEN.padSize, 0, 0);
    drawStrokes(ctx, recorder.strokes);
  }, [recorder]);

  const schedulePaint = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(paint);
  }, [paint]);

  // Keep the backing store at the displayed size times the pixel ratio, so strokes stay crisp on
  // high-DPI screens and after zooming or resizing the layout.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const fitToContainer = () => {
      const side = Math.max(1, Math.round(canvas.clientWidth * window.devicePixelRatio));
      if (canvas.width !== side || canvas.height !== side) {
        canvas.width = side;
        canvas.height = side;
      }
      paint();
    };
    fitToContainer();
    const observer = new ResizeObserver(fitToContainer);
    observer.observe(canvas);
    window.addEventListener('resize', fitToContainer);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', fitToContainer);
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [paint]);

  const finishStroke = useCallback(
    (event: ReactPointerEvent<HTMLCanvasElement>) => {
      if (activePointer.current?.id !== event.pointerId) return;
      activePointer.current = null;
      if (event.currentTarget.hasPointerCapture(event.pointerId)) event.currentTarget.releasePointerCapture(event.pointerId);
      recorder.end();
      setStrokeCount(recorder.strokes.length);
      schedulePaint();
      events.current.onSettle();
    },
    [recorder, schedulePaint],
  );

  const handlers: DrawingPad['handlers'] = {
    onPointerDown: (event) => {
      if (activePointer.current || (event.pointerType === 'mouse' && event.button !== 0)) return;
      event.preventDefault();
      try {
        event.currentTarget.setPointerCapture(event.pointerId);
      } catch {
        // A synthetic event's pointer cannot be captured; the stroke still works inside the pad.
      }
      const box = padBox(event.currentTarget);
      activePointer.current = { id: event.pointerId, box };
      recorder.begin(padPoint(event.nativeEvent, box));
      setStrokeCount(recorder.strokes.length);
      schedulePaint();
      events.current.onChange();
    },
    onPointerMove: (event) => {
      const active = activePointer.current;
      if (active?.id !== event.pointerId) return;
      const native = event.nativeEvent;
      const coalesced = typeof native.getCoalescedEvents === 'function' ? native.getCoalescedEvents() : [];
      for (const sample of coalesced.length > 0 ? coalesced : [native]) recorder.extend(padPoint(sample, active.box));
      schedulePaint();
      events.current.onChange();
    },
    onPointerUp: finishStroke,
    onPointerCancel: finishStroke,
  };

  const undo = useCallback(() => {
    activePointer.current = null;
    recorder.undo();
    setStrokeCount(recorder.strokes.length);
    schedulePaint();
    events.current.onSettle();
  }, [recorder, schedulePaint]);

  const clear = useCallback(() => {
    activePointer.current = null;
    recorder.clear();
    setStrokeCount(0);
    schedulePaint();
    events.current.onSettle();
  }, [recorder, schedulePaint]);

  return { canvasRef, strokeCount, handlers, undo, clear };
}
