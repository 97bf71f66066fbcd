import { describe, expect, it } from 'vitest';
import { augmentImages, lrAt, recipeKeysInUse, recipeOf, SEED_RECIPE } from './recipe';

describe('the training recipe', () => {
  it("defaults to the seed's recipe, and names the keys that differ from it", () => {
    expect(SEED_RECIPE).toEqual({
      optimizer: 'adam',
      weightDecay: 0,
      schedule: { kind: 'constant' },
      labelSmoothing: 0,
      augment: { translate: 0, degrees: 0, scale: 0 },
    });
    expect(recipeKeysInUse(SEED_RECIPE)).toEqual([]);
    // Categorical keys arrive as the schema's indices from a search, or as names from params.json.
    expect(recipeOf({ optimizer: 1, lr_schedule: 'cosine', label_smoothing: 0.1, augment_translate: 2 }, 10)).toMatchObject({
      optimizer: 'adamw',
      schedule: { kind: 'cosine', totalSteps: 10 },
    });
    expect(recipeKeysInUse(recipeOf({ optimizer: 'adamw', lr_schedule: 'step', label_smoothing: 0.1, augment_degrees: 5 }, 10))).toEqual([
      'optimizer',
      'lr_schedule',
      'label_smoothing',
      'augment_degrees',
    ]);
    expect(() => recipeOf({ lr_schedule: 'linear' }, 10)).toThrow('lr_schedule must be one of constant, cosine, onecycle, step');
  });

  it('schedules start at lr (onecycle at lr / 25) and one-cycle peaks at lr after the warm-up', () => {
    expect(lrAt({ kind: 'cosine', totalSteps: 100 }, 0.01, 1)).toBe(0.01);
    expect(lrAt({ kind: 'cosine', totalSteps: 100 }, 0.01, 51)).toBeCloseTo(0.005, 15);
    expect(lrAt({ kind: 'step', stepSize: 10, gamma: 0.5 }, 0.01, 11)).toBe(0.005);
    const onecycle = { kind: 'onecycle', totalSteps: 100, pctStart: 0.1 } as const;
    expect(lrAt(onecycle, 0.01, 1)).toBeCloseTo(0.01 / 25, 15);
    expect(Math.max(...Array.from({ length: 100 }, (_, k) => lrAt(onecycle, 0.01, k + 1)))).toBeCloseTo(0.01, 12);
  });

  it('augments reproducibly per seed and epoch, and a pure shift moves pixels whole', () => {
    const image = new Uint8Array(784);
    image[14 * 28 + 14] = 200;
    const shifted = augmentImages(image, { translate: 3, degrees: 0, scale: 0 }, 1, 0);
    expect(shifted.filter((v) => v === 200)).toHaveLength(1);
    expect(shifted.reduce((a, b) => a + b, 0)).toBe(200);
    const images = Uint8Array.from({ length: 784 * 4 }, (_, i) => (i * 37) % 256);
    const augment = { translate: 2, degrees: 10, scale: 0.1 };
    expect(augmentImages(images, augment, 5, 2)).toEqual(augmentImages(images, augment, 5, 2));
    expect(augmentImages(images, augment, 5, 2)).not.toEqual(augmentImages(images, augment, 5, 3));
    expect(augmentImages(images, { translate: 0, degrees: 0, scale: 0 }, 5, 2)).toEqual(images);
  });
});
