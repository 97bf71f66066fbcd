/**
 * The drawing as data: strokes of pressure-tagged points, recorded from pointer events, drawn on a
 * canvas as quadratic curves through the points' midpoints, and rasterised without a DOM into the
 * ink image that preprocessing reads. The canvas and the rasteriser share one geometry, so what a
 * person sees is what the model is given.
 */

/** The pen on MNIST's scale: on a 280 px pad a digit ~200 px tall shrinks 10x, so a 22 px pen becomes MNIST's ~2 px stroke. */
export const PEN = {
  /** Side of the drawing pad in logical (CSS) pixels: stroke coordinates live in this square. */
  padSize: 280,
  /** Stroke width at neutral pressure, in pad pixels. */
  width: 22,
  /** Pressure 0..1 scales the width over 1 ± spread/2: a pen modulates it a little, never a lot. */
  pressureSpread: 0.4,
  /** The pressure of pointers that report none worth using (mouse, most touch screens). */
  neutralPressure: 0.5,
} as const;

/** One sampled pointer position, in pad pixels, with its pressure 0..1. */
export interface StrokePoint {
  x: number;
  y: number;
  pressure: number;
}

/** One pen-down-to-pen-up trace. */
export type Stroke = readonly StrokePoint[];

/** The stroke width, in pad pixels, at `pressure` (0..1) for a pen of `baseWidth`. */
export function penWidth(pressure: number, baseWidth: number = PEN.width): number {
  const p = Number.isFinite(pressure) ? Math.min(1, Math.max(0, pressure)) : PEN.neutralPressure;
  return baseWidth * (1 + PEN.pressureSpread * (p - PEN.neutralPressure));
}

/** Records strokes in drawing order; undo drops the latest, clear drops all. */
export class StrokeRecorder {
  private readonly done: StrokePoint[][] = [];
  private active: StrokePoint[] | null = null;

  /** Every stroke, the one being drawn last. */
  get strokes(): readonly Stroke[] {
    return this.active ? [...this.done, this.active] : this.done;
  }

  /** Whether there is nothing to draw. */
  get isEmpty(): boolean {
    return this.done.length === 0 && !this.active;
  }

  /** Whether a stroke is being drawn (pen down). */
  get isDrawing(): boolean {
    return this.active !== null;
  }

  /** Starts a stroke at `point`, ending any stroke still open. */
  begin(point: StrokePoint): void {
    this.end();
    this.active = [point];
  }

  /** Adds `point` to the open stroke; ignored with the pen up or when the pointer has not moved. */
  extend(point: StrokePoint): void {
    const last = this.active?.at(-1);
    if (!this.active || (last && last.x === point.x && last.y === point.y)) return;
    this.active.push(point);
  }

  /** Closes the open stroke, if any. */
  end(): void {
    if (this.active) this.done.push(this.active);
    this.active = null;
  }

  /** Removes the latest stroke (the open one if the pen is down); false when there was none. */
  undo(): boolean {
    if (this.active) {
      this.active = null;
      return true;
    }
    return this.done.pop() !== undefined;
  }

  /** Removes every stroke. */
  clear(): void {
    this.done.length = 0;
    this.active = null;
  }
}

/** One piece of a stroke: a quadratic Bézier from `from` to `to` bent towards `control`, at `width`. */
export interface StrokePiece {
  from: { x: number; y: number };
  control: { x: number; y: number };
  to: { x: number; y: number };
  width: number;
}

function midpoint(a: StrokePoint, b: StrokePoint): { x: number; y: number } {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/**
 * Splits a stroke into quadratic pieces through the midpoints of its points, each point a control
 * point: the classic smoothing that keeps a stroke through its samples without corners. Each piece
 * takes the width of its own pressure, so a pen's pressure shows without a visible step.
 */
export function strokePieces(stroke: Stroke, baseWidth: number = PEN.width): StrokePiece[] {
  const first = stroke[0];
  if (!first) return [];
  if (stroke.length === 1) return [{ from: first, control: first, to: first, width: penWidth(first.pressure, baseWidth) }];
  const pieces: StrokePiece[] = [];
  let from: { x: number; y: number } = first;
  for (let i = 1; i < stroke.length - 1; i++) {
    const point = stroke[i]!;
    const to = midpoint(point, stroke[i + 1]!);
    pieces.push({ from, control: point, to, width: penWidth(point.pressure, baseWidth) });
    from = to;
  }
  const last = stroke[stroke.length - 1]!;
  // The last leg is straight: control halfway, so it renders and rasterises as a line.
  pieces.push({ from, control: { x: (from.x + last.x) / 2, y: (from.y + last.y) / 2 }, to: last, width: penWidth(last.pressure, baseWidth) });
  return pieces;
}

/** The parts of a 2D context the stroke renderer uses (a real canvas, or a recording fake). */
export type StrokeCanvas = Pick<
  CanvasRenderingContext2D,
  'beginPath' | 'moveTo' | 'quadraticCurveTo' | 'stroke' | 'arc' | 'fill' | 'lineWidth' | 'lineCap' | 'lineJoin' | 'strokeStyle' | 'fillStyle'
>;

/** Draws `strokes` (pad coordinates) onto `ctx` in `color`; scale the context first for high-DPI. */
export function drawStrokes(ctx: StrokeCanvas, strokes: readonly Stroke[], color = '#fff', baseWidth: number = PEN.width): void {
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  for (const stroke of strokes) {
    for (const piece of strokePieces(stroke, baseWidth)) {
      ctx.beginPath();
      if (stroke.length === 1) {
        ctx.arc(piece.from.x, piece.from.y, piece.width / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      // Pieces are stroked one by one (each with its width); round caps hide the seams.
      ctx.lineWidth = piece.width;
      ctx.moveTo(piece.from.x, piece.from.y);
      ctx.quadraticCurveTo(piece.control.x, piece.control.y, piece.to.x, piece.to.y);
      ctx.stroke();
    }
  }
}

/** A point on a piece's curve at parameter t in 0..1. */
function curvePoint(piece: StrokePiece, t: number): { x: number; y: number } {
  const u = 1 - t;
  return {
    x: u * u * piece.from.x + 2 * u * t * piece.control.x + t * t * piece.to.x,
    y: u * u * piece.from.y + 2 * u * t * piece.control.y + t * t * piece.to.y,
  };
}

/** Paints a round-capped segment of `radius` into `ink`, keeping the darker of old and new ink per pixel. */
function paintCapsule(ink: Float32Array, width: number, height: number, a: { x: number; y: number }, b: { x: number; y: number }, radius: number): void {
  const reach = radius + 1;
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - reach));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(a.x, b.x) + reach));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - reach));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y) + reach));
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSquared = dx * dx + dy * dy;
  const outer = (radius + 0.5) ** 2;
  const inner = radius > 0.5 ? (radius - 0.5) ** 2 : -1;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const index = y * width + x;
      if (ink[index]! >= 1) continue;
      // Distance from the pixel's centre to the segment; coverage ramps over one pixel at the edge.
      const px = x + 0.5 - a.x;
      const py = y + 0.5 - a.y;
      const t = lengthSquared > 0 ? Math.min(1, Math.max(0, (px * dx + py * dy) / lengthSquared)) : 0;
      const ex = px - t * dx;
      const ey = py - t * dy;
      const distanceSquared = ex * ex + ey * ey;
      if (distanceSquared >= outer) continue;
      const coverage = distanceSquared <= inner ? 1 : Math.min(1, radius + 0.5 - Math.sqrt(distanceSquared));
      if (coverage > ink[index]!) ink[index] = coverage;
    }
  }
}

/**
 * Rasterises `strokes` (pad coordinates) into an anti-aliased ink image of `width` x `height`
 * (0..1, row-major), `scale` image pixels per pad pixel: the DOM-free twin of {@link drawStrokes}.
 */
export function rasteriseStrokes(strokes: readonly Stroke[], width: number, height: number, scale = 1, baseWidth: number = PEN.width): Float32Array {
  const ink = new Float32Array(width * height);
  for (const stroke of strokes) {
    for (const piece of strokePieces(stroke, baseWidth)) {
      const radius = (piece.width * scale) / 2;
      // The control polygon's length bounds the curve's: flatten into segments ≤ 2 image pixels.
      const reach =
        (Math.hypot(piece.control.x - piece.from.x, piece.control.y - piece.from.y) +
          Math.hypot(piece.to.x - piece.control.x, piece.to.y - piece.control.y)) *
        scale;
      const steps = Math.max(1, Math.ceil(reach / 2));
      let previous = curvePoint(piece, 0);
      for (let s = 1; s <= steps; s++) {
        const next = curvePoint(piece, s / steps);
        paintCapsule(ink, width, height, { x: previous.x * scale, y: previous.y * scale }, { x: next.x * scale, y: next.y * scale }, radius);
        previous = next;
      }
    }
  }
  return ink;
}
