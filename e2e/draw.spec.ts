import type { Locator } from '@playwright/test';
import { ONE, SEVEN, ZERO, type Point } from './drawing';
import { expect, test } from './fixtures';
import { trainWithTorch } from './torch';

/** How many training images PyTorch trains the imported checkpoint on. */
const TRAIN_IMAGES = 15000;

test('a PyTorch-trained checkpoint imports, reads drawn digits, and scores the test split', async ({ page, pad }, testInfo) => {
  const checkpoint = testInfo.outputPath('quick-classifier.pt');
  const torch = await test.step('train Classifier(8, 6) for one epoch with PyTorch', () => trainWithTorch(checkpoint, TRAIN_IMAGES));
  testInfo.annotations.push({ type: 'pytorch', description: `${torch.test_correct}/${torch.test_count} test images right after ${torch.seconds} s` });

  await test.step('import the .pt into the studio', async () => {
    await page.goto('./');
    await page.getByTestId('import-checkpoint').setInputFiles(checkpoint);
    await expect(page.getByTestId('import-status')).toContainText('Imported quick-classifier.pt');
    await expect(page.getByTestId('selected-model')).toContainText('quick-classifier.pt (imported), f1=8 f2=6');
    await expect(page.getByTestId('inference-backend')).toContainText('Predicting in a worker on');
  });

  const drawn: Record<string, string> = {};
  for (const [digit, strokes, mustMatch] of [
    ['1', ONE, true],
    ['0', ZERO, true],
    ['7', SEVEN, false],
  ] as const) {
    await test.step(`draw a ${digit}`, async () => {
      await pad.draw(strokes);
      drawn[digit] = await pad.settledPrediction();
      testInfo.annotations.push({ type: `drew ${digit}`, description: `prediction: ${drawn[digit]}` });
      if (mustMatch) expect(drawn[digit], `the model read a drawn ${digit} as ${drawn[digit]}`).toMatch(new RegExp(`^${digit}\\b`));
      await pad.clear();
      await expect(pad.prediction).toHaveCount(0);
    });
  }
  console.log(`drawn digits and predictions: ${JSON.stringify(drawn)}`);

  await test.step('undo drops the last stroke', async () => {
    await pad.stroke(SEVEN[0]!);
    await pad.stroke(SEVEN[1]!);
    await page.getByTestId('undo-stroke').click();
    await page.getByTestId('undo-stroke').click();
    await expect(pad.prediction).toHaveCount(0);
  });

  await test.step('evaluate on the whole test split', async () => {
    const explorer = page.getByTestId('test-set-explorer');
    await explorer.getByTestId('evaluate-limit').selectOption('10000');
    // The page's long tasks while the worker evaluates: the main thread should only render the result.
    await page.evaluate(() => {
      const durations: number[] = [];
      Object.assign(window, { evaluationLongTasks: durations });
      new PerformanceObserver((list) => durations.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
    });
    await explorer.getByTestId('evaluate-test-set').click();
    await expect(explorer.getByTestId('test-accuracy')).toBeVisible({ timeout: 120_000 });
    const longTasks = await page.evaluate(() => (window as unknown as { evaluationLongTasks: number[] }).evaluationLongTasks);
    console.log(`main-thread long tasks during the evaluation (ms): ${JSON.stringify(longTasks.map(Math.round))}`);
    const number = async (locator: Locator) => Number(((await locator.textContent()) ?? '').replace(/[^\d]/g, ''));
    const evaluated = await number(explorer.getByTestId('evaluated-count'));
    expect(evaluated).toBe(10000);
    expect(await number(explorer.getByTestId('confusion-total'))).toBe(evaluated);
    const summary = (await explorer.getByTestId('test-accuracy').textContent()) ?? '';
    const accuracy = Number(/Accuracy ([\d.]+)%/.exec(summary)?.[1]) / 100;
    testInfo.annotations.push({ type: 'studio test accuracy', description: summary });
    console.log(`studio: ${summary}; PyTorch: ${torch.test_correct}/${torch.test_count}`);
    expect(accuracy).toBeGreaterThan(0.8);
    // Same weights, same images: the studio's accuracy is PyTorch's, give or take a rounding tie.
    expect(Math.abs(accuracy - torch.test_correct / torch.test_count)).toBeLessThan(0.002);
    let diagonal = 0;
    for (let d = 0; d < 10; d++) diagonal += await number(explorer.getByTestId(`confusion-${d}-${d}`));
    expect(Math.abs(diagonal - torch.test_correct)).toBeLessThanOrEqual(20);
    const mistakes = explorer.getByTestId('misclassified-digit');
    await expect(mistakes.first()).toBeVisible();
    await expect(mistakes.first()).toContainText(/true \d → \d/);
  });
});

test.describe('on a tablet', () => {
  test.use({ viewport: { width: 820, height: 1180 }, hasTouch: true });

  test('a finger draws digits on the pad without scrolling the page, and the model reads them', async ({ page, pad }, testInfo) => {
    const checkpoint = testInfo.outputPath('tablet-classifier.pt');
    await test.step('train Classifier(8, 6) with PyTorch and import it', async () => {
      trainWithTorch(checkpoint, TRAIN_IMAGES);
      await page.goto('./');
      // The start-up probe settles (the chip shows its figure) before the scroll is taken.
      await expect(page.getByTestId('backend-chip')).toHaveText(/samples\/s/, { timeout: 60_000 });
      await page.getByTestId('import-checkpoint').setInputFiles(checkpoint);
      await expect(page.getByTestId('import-status')).toContainText('Imported tablet-classifier.pt');
      await expect(page.getByTestId('inference-backend')).toContainText('Predicting in a worker on');
    });

    // Touch input as a tablet's browser receives it: touch points, which Chromium turns into pointer events of type touch.
    const cdp = await page.context().newCDPSession(page);
    const touchStroke = async (points: readonly Point[]) => {
      await pad.canvas.scrollIntoViewIfNeeded();
      const box = await pad.canvas.boundingBox();
      if (!box) throw new Error('the drawing pad is not visible');
      const at = ([x, y]: Point) => ({ x: box.x + x * box.width, y: box.y + y * box.height });
      const path: { x: number; y: number }[] = [];
      points.forEach((point, i) => {
        const next = points[i + 1];
        if (!next) return void path.push(at(point));
        for (let s = 0; s < 8; s++) path.push(at([point[0] + ((next[0] - point[0]) * s) / 8, point[1] + ((next[1] - point[1]) * s) / 8]));
      });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [path[0]!] });
      for (const p of path.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [p] });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    };

    await page.evaluate(() => {
      const seen = new Set<string>();
      document.addEventListener('pointerdown', (e) => seen.add(e.pointerType), true);
      Object.assign(window, { seenPointerTypes: seen });
    });
    await pad.canvas.scrollIntoViewIfNeeded();
    const scrollBefore = await page.evaluate(() => window.scrollY);
    const drawn: Record<string, string> = {};
    for (const [digit, strokes] of [['1', ONE], ['0', ZERO]] as const) {
      await test.step(`draw a ${digit} with a finger`, async () => {
        for (const stroke of strokes) await touchStroke(stroke);
        drawn[digit] = await pad.settledPrediction();
        expect(drawn[digit], `the model read a finger-drawn ${digit} as ${drawn[digit]}`).toMatch(new RegExp(`^${digit}\\b`));
        await page.getByTestId('clear-canvas').tap();
        await expect(pad.prediction).toHaveCount(0);
      });
    }
    console.log(`tablet: finger-drawn digits and predictions: ${JSON.stringify(drawn)}`);
    expect(await page.evaluate(() => [...(window as unknown as { seenPointerTypes: Set<string> }).seenPointerTypes])).toContain('touch');
    expect(await page.evaluate(() => window.scrollY)).toBe(scrollBefore);
  });
});
