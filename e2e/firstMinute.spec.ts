/**
 * The first minute of a new user, on a desktop and on a phone: the drawing pad is in the first
 * screen and reads digits with the shipped pretrained model within a second of first paint, while
 * MNIST has not even started to download; nothing jumps while the page loads; and a model trained
 * here takes over the pad and comes back after a reload.
 */
import type { Page, Route } from '@playwright/test';
import { createRequire } from 'node:module';
import { ONE, ZERO } from './drawing';
import { expect, test } from './fixtures';

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

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The page's axe-core violations (every rule axe runs by default), as "rule: targets" lines. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async () => {
    const { violations } = await (window as unknown as { axe: { run: () => Promise<{ violations: { id: string; nodes: { target: unknown[] }[] }[] }> } }).axe.run();
    return violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  });
}

/** Holds every request to `url` until `release` is called, so the test knows what they bring is not there yet. */
async function hold(page: Page, url: string | RegExp): Promise<() => void> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(url, async (route: Route) => {
    await released;
    await route.continue();
  });
  return release;
}

/** The MNIST shards and manifest. */
const MNIST = '**/data/mnist/**';
/** tfjs (core and backends) and recharts as the dev server serves them, bundled by Vite. */
const TFJS_AND_RECHARTS = /\/node_modules\/\.vite\/deps\/(@tensorflow_|recharts)/;

for (const viewport of [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
]) {
  test.describe(`on a ${viewport.name} (${viewport.width}x${viewport.height})`, () => {
    test.use({ viewport: { width: viewport.width, height: viewport.height } });

    test('the pretrained model reads drawn digits within a second of first paint, without tfjs or the charts, and nothing jumps', async ({ page, pad: drawingPad }, testInfo) => {
      await observeLayoutShifts(page);
      const releaseMnist = await hold(page, MNIST);
      // The first screen must not wait for tfjs or the charts: held back, they cannot be what it needs.
      const tfjsRequests: string[] = [];
      page.on('request', (request) => {
        if (TFJS_AND_RECHARTS.test(request.url())) tfjsRequests.push(request.url());
      });
      const releaseLibraries = await hold(page, TFJS_AND_RECHARTS);
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
        releaseLibraries();
        await expect.poll(() => tfjsRequests.length, 'the page went on to load tfjs after the first screen').toBeGreaterThan(0);
        await expect(page.getByTestId('dataset-status')).toContainText('ready', { timeout: 60_000 });
        await expect(page.getByTestId('backend-chip')).toHaveText(/samples\/s/, { timeout: 60_000 });
        await expect(page.getByTestId('search-estimate')).toContainText('here');
        const shifts = await page.evaluate(() => (window as unknown as { layoutShifts: number[] }).layoutShifts);
        const cls = shifts.reduce((a, b) => a + b, 0);
        testInfo.annotations.push({ type: 'cumulative layout shift', description: cls.toFixed(4) });
        console.log(`${viewport.name}: cumulative layout shift ${cls.toFixed(4)} over ${shifts.length} shifts`);
        expect(cls).toBeLessThanOrEqual(0.05);
      });

      await test.step('axe finds no accessibility violation in the loaded page', async () => {
        expect(await axeViolations(page)).toEqual([]);
      });

      for (const [digit, points] of [
        ['1', ONE],
        ['0', ZERO],
      ] as const) {
        await test.step(`a drawn ${digit} reads as ${digit}`, async () => {
          await drawingPad.draw(points);
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

test('a model trained here takes over the pad, and it and its search are still there after a reload', async ({ page, trainedModel }) => {
  await test.step('the tiny search\'s best trial is on the pad', async () => {
    expect(trainedModel.trialId).toBe('t0001');
    await expect(page.getByTestId('selected-model')).toHaveAttribute('data-kind', 'trial');
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
