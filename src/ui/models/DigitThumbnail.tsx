import { useEffect, useRef } from 'react';
import { IMAGE_PIXELS, IMAGE_SIDE } from '../../data/idx';

/** One MNIST image (784 raw 0..255 pixels, white on black) at native size, enlarged by CSS. */
export function DigitThumbnail({ pixels, label }: { pixels: Uint8Array; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
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
  }, [pixels]);

  return <canvas ref={canvas} width={IMAGE_SIDE} height={IMAGE_SIDE} role="img" aria-label={label} />;
}
