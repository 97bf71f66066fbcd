/** Digits drawn on the pad with the mouse, as a person draws them. */
import type { Locator, Page } from '@playwright/test';

export type Point = [number, number];

/** A "1": one vertical stroke, slightly slanted as people write it. */
export const ONE: Point[] = [[0.52, 0.18], [0.5, 0.5], [0.48, 0.82]];
/** A "0": one closed ellipse. */
export const ZERO: Point[] = Array.from({ length: 41 }, (_, i): Point => {
  const angle = (i / 40) * 2 * Math.PI - Math.PI / 2;
  return [0.5 + 0.2 * Math.cos(angle), 0.5 + 0.3 * Math.sin(angle)];
});

/** Draws one stroke through `points` (fractions of the pad) with the mouse, as a person would. */
export async function stroke(page: Page, canvas: Locator, points: readonly Point[]): Promise<void> {
  const box = await canvas.boundingBox();
  if (!box) throw new Error('the drawing pad is not visible');
  const at = ([x, y]: Point): Point => [box.x + x * box.width, box.y + y * box.height];
  const [first, ...rest] = points.map(at);
  if (!first) return;
  await page.mouse.move(...first);
  await page.mouse.down();
  for (const point of rest) await page.mouse.move(...point, { steps: 8 });
  await page.mouse.up();
}
