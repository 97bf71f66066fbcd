/**
 * The first minute of a new user, on a desktop and on a phone: the drawing pad is in the first
 * screen and reads digits with the shipped pretrained model within a second of first paint, while
 * MNIST has not even started to download; nothing jumps while the page loads; and a model trained
 * here takes over the pad and comes back after a reload.
 */
import type { Locator, Page, Route } from '@playwright/test';
import { CHROMIUM_ARGS, locateBrowser } from '../scripts/lib/browser';
import { expect, test } from './fixtures';

type Point = [number, number];

/** A "1": one vertical stroke, slightly slanted as people write it. */
const ONE: Point[] = [[0.52, 0.18], [0.5, 0.5], [0.48, 0.82]];
/** A "0": one closed ellipse. */
const ZERO: Point[] = Array.from({ length: 41 }, (_, i): Point => {
  const angle = (i / 40) * 2 * Math.PI - Math.PI / 2;
  return [0.5 + 0.2 * Math.cos(angle), 0.5 + 0.3 * Math.sin(angle)];
});

/** Draws one stroke through `points` (fractions of the pad) with the mouse, as a person would. */
async function stroke(page: Page, canvas: Locator, points: readonly Point[]): Promise<void> {
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

/** Collects layout shifts (not those right after input) from the very start of the page. */
async function observeLayoutShifts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const shifts: number[] = [];
    Object.assign(window, { layoutShifts: shifts });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
        if (!entry.hadRecentInput) shifts.push(entry.value);
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/** Holds every MNIST request until `release` is called, so the test knows the data is not there yet. */
async function holdMnist(page: Page): Promise<() => void> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route('**/data/mnist/**', async (route: Route) => {
    await released;
    await route.continue();
  });
  return release;
}

for (const viewport of [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
]) {
  test.describe(`on a ${viewport.name} (${viewport.width}x${viewport.height})`, () => {
    test.use({ viewport: { width: viewport.width, height: viewport.height } });

    test('the pretrained model reads drawn digits within a second of first paint, and nothing jumps', async ({ page }, testInfo) => {
      await observeLayoutShifts(page);
      const releaseMnist = await holdMnist(page);
      const pad = page.getByTestId('draw-canvas');
      const prediction = page.getByTestId('prediction');

      await test.step('open the studio: the pad is in the first screen and live with the pretrained model', async () => {
        await page.goto('./');
        const live = await page.waitForFunction(() => {
          const panel = document.querySelector<HTMLElement>('[data-testid="draw-panel"]');
          const model = document.querySelector<HTMLElement>('[data-testid="selected-model"]');
          if (panel?.dataset.ready !== 'true' || model?.dataset.kind !== 'pretrained') return null;
          const paint = performance.getEntriesByType('paint').find((e) => e.name === 'first-paint')?.startTime ?? 0;
          return { liveMs: performance.now(), firstPaintMs: paint };
        });
        const { liveMs, firstPaintMs } = (await live.jsonValue())!;
        const afterPaint = Math.round(liveMs - firstPaintMs);
        testInfo.annotations.push({ type: 'pretrained live after first paint', description: `${afterPaint} ms (first paint at ${Math.round(firstPaintMs)} ms)` });
        console.log(`${viewport.name}: first paint ${Math.round(firstPaintMs)} ms, pretrained model live ${afterPaint} ms later`);
        expect(afterPaint).toBeLessThanOrEqual(1000);
        await expect(page.getByTestId('selected-model')).toContainText('pretrained model');
        // MNIST is still held back: the model needs none of it.
        await expect(page.getByTestId('dataset-status')).not.toContainText('ready');
        const box = await pad.boundingBox();
        expect(box, 'the drawing pad is laid out').not.toBeNull();
        expect(box!.y + box!.height, 'the whole pad is in the first screen').toBeLessThanOrEqual(viewport.height);
        expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
      });

      await test.step('the data loads and the backend is measured without moving the page', async () => {
        releaseMnist();
        await expect(page.getByTestId('dataset-status')).toContainText('ready', { timeout: 60_000 });
        await expect(page.getByTestId('backend-chip')).toHaveText(/samples\/s/, { timeout: 60_000 });
        await expect(page.getByTestId('search-estimate')).toContainText('here');
        const shifts = await page.evaluate(() => (window as unknown as { layoutShifts: number[] }).layoutShifts);
        const cls = shifts.reduce((a, b) => a + b, 0);
        testInfo.annotations.push({ type: 'cumulative layout shift', description: cls.toFixed(4) });
        console.log(`${viewport.name}: cumulative layout shift ${cls.toFixed(4)} over ${shifts.length} shifts`);
        expect(cls).toBeLessThanOrEqual(0.05);
      });

      for (const [digit, points] of [
        ['1', ONE],
        ['0', ZERO],
      ] as const) {
        await test.step(`a drawn ${digit} reads as ${digit}`, async () => {
          await stroke(page, pad, points);
          await expect(prediction).toHaveText(new RegExp(`^${digit} \\(`));
          await page.getByTestId('clear-canvas').click();
          await expect(prediction).toHaveCount(0);
        });
      }

      await test.step('the keyboard can try a test image instead of drawing', async () => {
        const picker = page.getByLabel('Or try a test image');
        await picker.focus();
        await picker.selectOption({ index: 1 });
        await expect(prediction).toHaveText(/^7 \(/);
      });

      if (viewport.name === 'phone') {
        await test.step('on a phone the order is the pad, the run, the trials, and the diagnostics last', async () => {
          const top = async (testId: string) => (await page.getByTestId(testId).boundingBox())?.y ?? Infinity;
          const order = [await top('draw-panel'), await top('run-search'), await top('results-panel'), await top('models-panel')];
          expect([...order].sort((a, b) => a - b)).toEqual(order);
          await page.getByTestId('backend-chip').click();
          await expect(page.getByTestId('backend-panel')).toBeVisible();
          await page.keyboard.press('Escape');
          await expect(page.getByTestId('backend-panel')).toBeHidden();
        });
      }
    });
  });
}

test('a model trained here takes over the pad, and it and its search are still there after a reload', async ({ studio, page }) => {
  await test.step('train a tiny search', async () => {
    await studio.open();
    const result = await page.evaluate(() =>
      window.digitStudio!.runSearch({ overrides: ['num_trials=1', 'max_num_epochs=1'], trainLimit: 256, valLimit: 200 }),
    );
    expect(result.results.best_trial_id).toBe('t0001');
    await expect(page.getByTestId('selected-model')).toHaveAttribute('data-kind', 'trial');
    await expect(page.getByTestId('selected-model')).toContainText('t0001 ★ best');
  });

  await test.step('reload: the best model is back in the list and on the pad, and the pretrained one is a click away', async () => {
    await page.reload();
    await expect(page.getByTestId('selected-model')).toHaveAttribute('data-kind', 'stored');
    await expect(page.getByTestId('selected-model')).toContainText('t0001 of exp-');
    await expect(page.getByTestId('draw-panel')).toHaveAttribute('data-ready', 'true');
    await expect(page.getByTestId('models-table').getByTestId('model-row-stored')).toHaveCount(1);
    await expect(page.getByTestId('experiment-history').getByTestId(/^experiment-exp-/)).toHaveCount(1);
    await page.getByTestId('model-select').selectOption('pretrained');
    await expect(page.getByTestId('selected-model')).toHaveAttribute('data-kind', 'pretrained');
  });
});

test.describe('without a GPU', () => {
  // No WebGPU flags: the browser has no adapter, as on a machine without a GPU, so the search
  // trains on the CPU (the fused CPU step) with the cores the machine has.
  test.use({ launchOptions: { executablePath: locateBrowser(), args: CHROMIUM_ARGS.filter((arg) => !/webgpu|vulkan/i.test(arg)) } });

  test('from opening the page to a model trained here with the default search and drawn on', async ({ page, search }, testInfo) => {
    const opened = Date.now();
    let cores = 0;
    const mark = (what: string) => {
      const seconds = ((Date.now() - opened) / 1000).toFixed(1);
      testInfo.annotations.push({ type: what, description: `${seconds} s after opening the page` });
      console.log(`first model: ${what} at ${seconds} s (${cores} cores)`);
    };

    await test.step('open the page and start the default search on the full data', async () => {
      await page.goto('./');
      cores = await page.evaluate(() => navigator.hardwareConcurrency);
      await expect(page.getByTestId('dataset-status')).toContainText('ready');
      await expect(page.getByTestId('search-estimate')).toContainText('here');
      await expect(search.root.getByTestId('train-limit')).toHaveValue('60000');
      await expect(search.runButton()).toBeEnabled();
      mark('run clicked');
      await search.runButton().click();
    });

    await test.step('the search finishes and its best model takes over the pad', async () => {
      await expect(search.root.getByTestId('search-progress')).toHaveAttribute('data-outcome', 'finished', { timeout: 600_000 });
      await expect(search.root.getByTestId('search-engine')).not.toContainText('WebGPU');
      await expect(page.getByTestId('selected-model')).toHaveAttribute('data-kind', 'trial');
      mark('search finished');
    });

    await test.step('a drawn 1 reads as 1 on the model trained here, which is above 97%', async () => {
      await stroke(page, page.getByTestId('draw-canvas'), ONE);
      await expect(page.getByTestId('prediction')).toHaveText(/^1 \(/);
      mark('drawn digit read');
      const accuracy = Number(/val_acc ([\d.]+)%/.exec((await page.getByTestId('selected-model').textContent()) ?? '')?.[1]);
      testInfo.annotations.push({ type: 'best val_acc', description: `${accuracy}%` });
      console.log(`first model: best val_acc ${accuracy}%`);
      expect(accuracy).toBeGreaterThan(97);
    });

    // The target is 90 s on an idle 2-core machine; this bound only catches a default search gone
    // far too big, since shared test machines run it slower (the README has the measured times).
    expect(Date.now() - opened).toBeLessThanOrEqual(240_000);
  });
});
