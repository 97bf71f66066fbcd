import { useId, useState } from 'react';
import { IMAGE_PIXELS } from '../../data/idx';
import { useStudio } from '../../state/store';

/** Test images offered in the list: enough to find each digit a few times. */
const OFFERED = 30;

/**
 * The keyboard's way to try a model: pick one of the MNIST test images instead of drawing. Its
 * pixels go to the model as they are (they already are MNIST's 28x28 input).
 */
export function TestImagePicker({ onPick }: { onPick: (pixels: Float32Array | null) => void }) {
  const id = useId();
  const test = useStudio((s) => s.mnist?.test ?? null);
  const [picked, setPicked] = useState('');

  const pick = (value: string) => {
    setPicked(value);
    if (!test || value === '') return onPick(null);
    const index = Number(value);
    const bytes = test.images.subarray(index * IMAGE_PIXELS, (index + 1) * IMAGE_PIXELS);
    onPick(Float32Array.from(bytes, (v) => v / 255));
  };

  return (
    <div className="test-image-picker">
      <label htmlFor={id}>Or try a test image</label>{' '}
      <select id={id} data-testid="test-image-picker" value={picked} disabled={!test} onChange={(event) => pick(event.target.value)}>
        <option value="">{test ? 'choose one…' : 'after MNIST loads…'}</option>
        {test &&
          Array.from({ length: Math.min(OFFERED, test.count) }, (_, index) => (
            <option key={index} value={index}>
              Test image {index + 1}: a {test.labels[index]}
            </option>
          ))}
      </select>
    </div>
  );
}
