import { useEffect, useRef } from 'react';
import { IMAGE_PIXELS, IMAGE_SIDE } from '../../data/idx';

/** Milliseconds of thumbnail painting per frame, so a gallery of many never holds the page up. */
const FRAME_BUDGET_MS = 6;
const pending = new Set<() => void>();

function paintSome(): void {
  const start = performance.now();
  for (const paint of pending) {
    if (performance.now() - start > FRAME_BUDGET_MS) break;
    pending.delete(paint);
    paint();
  }
  if (pending.size > 0) requestAnimationFrame(paintSome);
}

/** Queues a paint for the next frames; the returned function withdraws it. */
function schedulePaint(paint: () => void): () => void {
  if (pending.size === 0) requestAnimationFrame(paintSome);
  pending.add(paint);
  return () => pending.delete(paint);
}

/** One MNIST image (784 raw 0..255 pixels, white on black) at native size, enlarged by CSS. */
export function DigitThumbnail({ pixels, label }: { pixels: Uint8Array; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(
    () =>
      schedulePaint(() => {
        const context = canvas.current?.getContext('2d');
        if (!context) return;
        const image = context.createImageData(IMAGE_SIDE, IMAGE_SIDE);
        for (let i = 0; i < IMAGE_PIXELS; i++) {
          const ink = pixels[i] ?? 0;
          image.data[i * 4] = ink;
          image.data[i * 4 + 1] = ink;
          image.data[i * 4 + 2] = ink;
          image.data[i * 4 + 3] = 255;
        }
        context.putImageData(image, 0, 0);
      }),
    [pixels],
  );

  return <canvas ref={canvas} width={IMAGE_SIDE} height={IMAGE_SIDE} role="img" aria-label={label} />;
}
