import { useEffect, useRef } from 'react';
import { MNIST_LAYOUT } from '../../draw/preprocess';
import './draw.css';

/** Props of {@link ModelInputPreview}. */
export interface ModelInputPreviewProps {
  /** The 28x28 model input (0..1, white on black), or null for a blank frame. */
  pixels: Float32Array | null;
}

/** The 28x28 image the model is given, drawn pixel for pixel and enlarged without smoothing. */
export function ModelInputPreview({ pixels }: ModelInputPreviewProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const ctx = canvasRef.current?.getContext('2d');
    if (!ctx) return;
    const side = MNIST_LAYOUT.frame;
    const image = ctx.createImageData(side, side);
    for (let i = 0; i < side * side; i++) {
      const level = Math.round((pixels?.[i] ?? 0) * 255);
      image.data[i * 4] = level;
      image.data[i * 4 + 1] = level;
      image.data[i * 4 + 2] = level;
      image.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }, [pixels]);

  return (
    <figure className="model-input">
      <canvas
        ref={canvasRef}
        data-testid="model-input-preview"
        width={MNIST_LAYOUT.frame}
        height={MNIST_LAYOUT.frame}
        role="img"
        aria-label="The 28 by 28 image the model sees"
      />
      <figcaption className="muted">What the model sees (28×28)</figcaption>
    </figure>
  );
}
