import { useEffect, useRef } from 'react';
import { IMAGE_PIXELS, IMAGE_SIDE, type MnistSplit } from '../data/idx';

/** The first `columns` x `rows` digits of a split, drawn at native resolution on one canvas (scaled up by CSS). */
export function SampleGrid({ split, columns = 12, rows = 4 }: { split: MnistSplit; columns?: number; rows?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const shown = Math.min(columns * rows, split.count);

  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    const width = columns * IMAGE_SIDE;
    const image = context.createImageData(width, rows * IMAGE_SIDE);
    for (let n = 0; n < shown; n += 1) {
      const left = (n % columns) * IMAGE_SIDE;
      const top = Math.floor(n / columns) * IMAGE_SIDE;
      const pixels = split.images.subarray(n * IMAGE_PIXELS, (n + 1) * IMAGE_PIXELS);
      for (let y = 0; y < IMAGE_SIDE; y += 1) {
        for (let x = 0; x < IMAGE_SIDE; x += 1) {
          const ink = pixels[y * IMAGE_SIDE + x] ?? 0;
          const at = ((top + y) * width + left + x) * 4;
          image.data[at] = ink;
          image.data[at + 1] = ink;
          image.data[at + 2] = ink;
          image.data[at + 3] = 255;
        }
      }
    }
    context.putImageData(image, 0, 0);
  }, [split, columns, rows, shown]);

  const labels = Array.from(split.labels.subarray(0, shown)).join(' ');
  return (
    <figure className="sample-grid">
      <canvas
        ref={canvas}
        data-testid="sample-grid"
        width={columns * IMAGE_SIDE}
        height={rows * IMAGE_SIDE}
        role="img"
        aria-label={`The first ${shown} training digits: ${labels}`}
      />
      <figcaption className="muted">The first {shown} training digits.</figcaption>
    </figure>
  );
}
