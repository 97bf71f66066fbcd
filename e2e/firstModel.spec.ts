/**
 * A new user's first model, measured: from opening the page to a model trained here with the
 * default search (configuration/quick.yaml) on the full data, and a digit drawn on it, in a
 * browser without WebGPU, as on a machine without a GPU. It prints the times; the target
 * is 90 s on a 2-core machine.
 */
import { CHROMIUM_ARGS, locateBrowser } from '../scripts/lib/browser';
import { ONE } from './drawing';
import { expect, test } from './fixtures';

// No WebGPU flags: the browser has no adapter, as on a machine without a GPU, so the search
// trains on the CPU (the fused CPU step) with the cores the machine has.
test.use({ launchOptions: { executablePath: locateBrowser(), args: CHROMIUM_ARGS.filter((arg) => !/webgpu|vulkan/i.test(arg)) } });

test('from opening the page to a model trained here with the default search and drawn on', async ({ page, search, pad }, testInfo) => {
  test.setTimeout(600_000);
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
    await expect(page.getByTestId('backend-chip')).toHaveText(/samples\/s/);
    const estimate = `${await page.getByTestId('backend-chip').textContent()}; ${await page.getByTestId('search-estimate').textContent()}`;
    testInfo.annotations.push({ type: 'estimate', description: estimate });
    console.log(`first model: ${estimate}`);
    mark('run clicked');
    await search.runButton().click();
  });

  await test.step('the search finishes and its best model takes over the pad', async () => {
    await expect(search.root.getByTestId('search-progress')).toHaveAttribute('data-outcome', 'finished', { timeout: 600_000 });
    await expect(search.root.getByTestId('search-engine')).not.toContainText('WebGPU');
    await expect(page.getByTestId('selected-model')).toHaveAttribute('data-kind', 'trial');
    mark('search finished');
    console.log(`first model: ${await search.root.getByTestId('search-progress').textContent()}`);
  });

  await test.step('a drawn 1 reads as 1 on the model trained here, which is above 97%', async () => {
    await pad.draw(ONE);
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
