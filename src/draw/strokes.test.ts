import { describe, expect, test } from 'vitest';
import { drawStrokes, PEN, penWidth, rasteriseStrokes, StrokeRecorder, strokePieces, type StrokeCanvas } from './strokes';
import { PAD } from './testShapes';

const at = (x: number, y: number, pressure = 0.5) => ({ x, y, pressure });

describe('StrokeRecorder', () => {
  test('records strokes in order and skips repeated positions', () => {
    const recorder = new StrokeRecorder();
    expect(recorder.isEmpty).toBe(true);
    recorder.begin(at(1, 1));
    recorder.extend(at(2, 2));
    recorder.extend(at(2, 2));
    expect(recorder.isDrawing).toBe(true);
    expect(recorder.strokes).toHaveLength(1);
    recorder.end();
    recorder.extend(at(9, 9)); // pen up: ignored
    recorder.begin(at(5, 5));
    recorder.end();
    expect(recorder.isDrawing).toBe(false);
    expect(recorder.strokes.map((s) => s.length)).toEqual([2, 1]);
  });

  test('undo drops the latest stroke, the open one first; clear drops all', () => {
    const recorder = new StrokeRecorder();
    recorder.begin(at(0, 0));
    recorder.end();
    recorder.begin(at(1, 1));
    recorder.end();
    recorder.begin(at(2, 2));
    expect(recorder.undo()).toBe(true);
    expect(recorder.isDrawing).toBe(false);
    expect(recorder.strokes.map((s) => s[0]!.x)).toEqual([0, 1]);
    expect(recorder.undo()).toBe(true);
    expect(recorder.strokes.map((s) => s[0]!.x)).toEqual([0]);
    recorder.clear();
    expect(recorder.isEmpty).toBe(true);
    expect(recorder.undo()).toBe(false);
  });
});

describe('pen', () => {
  test('pressure modulates the width a little around the MNIST-scale default', () => {
    expect(penWidth(PEN.neutralPressure)).toBe(PEN.width);
    expect(penWidth(0)).toBeCloseTo(PEN.width * 0.8);
    expect(penWidth(1)).toBeCloseTo(PEN.width * 1.2);
    expect(penWidth(Number.NaN)).toBe(PEN.width);
    // Boxed into 20 px, a digit ~200 px tall on the pad gets MNIST's ~2 px stroke.
    expect(PEN.width * (20 / 200)).toBeGreaterThanOrEqual(1.8);
    expect(PEN.width * (20 / 200)).toBeLessThanOrEqual(2.5);
  });

  test('pieces run through the midpoints, with each point as a control point', () => {
    const pieces = strokePieces([at(0, 0), at(10, 0), at(10, 10), at(20, 10)]);
    expect(pieces).toHaveLength(3);
    expect(pieces[0]).toMatchObject({ from: { x: 0, y: 0 }, control: { x: 10, y: 0 }, to: { x: 10, y: 5 } });
    expect(pieces[1]).toMatchObject({ from: { x: 10, y: 5 }, control: { x: 10, y: 10 }, to: { x: 15, y: 10 } });
    expect(pieces[2]).toMatchObject({ from: { x: 15, y: 10 }, to: { x: 20, y: 10 } });
    expect(strokePieces([])).toEqual([]);
  });
});

describe('drawStrokes', () => {
  test('draws round-capped curves, and a dot for a single tap', () => {
    const calls: string[] = [];
    const record =
      (name: string) =>
      (...args: unknown[]) =>
        calls.push(`${name}(${args.map((a) => (typeof a === 'number' ? a.toFixed(1) : String(a))).join(',')})`);
    const ctx = {
      beginPath: record('beginPath'),
      moveTo: record('moveTo'),
      quadraticCurveTo: record('quadraticCurveTo'),
      stroke: record('stroke'),
      arc: record('arc'),
      fill: record('fill'),
      lineWidth: 1,
      lineCap: 'butt',
      lineJoin: 'miter',
      strokeStyle: '',
      fillStyle: '',
    } as StrokeCanvas;
    drawStrokes(ctx, [[at(0, 0), at(10, 0), at(20, 0)], [at(50, 50)]]);
    expect(ctx.lineCap).toBe('round');
    expect(calls.filter((c) => c.startsWith('quadraticCurveTo'))).toHaveLength(2);
    expect(calls.filter((c) => c === 'stroke()')).toHaveLength(2);
    expect(calls).toContain(`arc(50.0,50.0,${(PEN.width / 2).toFixed(1)},0.0,${(2 * Math.PI).toFixed(1)})`);
    expect(calls.at(-1)).toBe('fill()');
  });
});

describe('rasteriseStrokes', () => {
  test('a straight stroke is as wide as the pen, with anti-aliased edges', () => {
    // Off the pixel grid, so the edges fall across pixels.
    const ink = rasteriseStrokes([[at(40, 140.3), at(240, 140.3)]], PAD, PAD);
    let across = 0;
    let grey = 0;
    for (let y = 0; y < PAD; y++) {
      const v = ink[y * PAD + 140]!;
      across += v;
      if (v > 0 && v < 1) grey++;
    }
    expect(across).toBeCloseTo(PEN.width, 0);
    expect(grey).toBeGreaterThan(0);
    expect(ink[140 * PAD + 10]).toBe(0);
  });

  test('a tap is a round dot of the pen width', () => {
    const ink = rasteriseStrokes([[at(100, 100)]], PAD, PAD);
    const area = ink.reduce((sum, v) => sum + v, 0);
    expect(area).toBeCloseTo(Math.PI * (PEN.width / 2) ** 2, -1);
  });

  test('scale maps pad pixels onto a coarser grid', () => {
    const fine = rasteriseStrokes([[at(40, 40), at(200, 220)]], PAD, PAD);
    const coarse = rasteriseStrokes([[at(40, 40), at(200, 220)]], PAD / 2, PAD / 2, 0.5);
    const total = (ink: Float32Array) => ink.reduce((sum, v) => sum + v, 0);
    expect(total(coarse) * 4).toBeCloseTo(total(fine), -2);
  });
});
