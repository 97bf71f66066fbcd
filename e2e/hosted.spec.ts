/**
 * The hosted demo: dist/ copied to a plain static host under a sub-path. No failed request, data
 * loads, a short search runs, the service worker makes the page cross-origin isolated, a shared
 * link restores its space, and a reload with no network still opens the studio and trains.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import type { AutomationRequest } from '../src/automation';
import type { SearchResults } from '../src/tune/results';
import { ensureBuilt } from '../scripts/lib/hostedBuild';
import { serveStatic, type StaticServer } from '../scripts/serve-static';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SUB_PATH = '/demo/studio/';
const TINY_SEARCH: AutomationRequest = { overrides: ['num_trials=1', 'max_num_epochs=1'], trainLimit: 256, valLimit: 200 };
const SHARED_QUERY = '?num_trials=5&lr=choice(0.001,0.01)';

/** A failed request or error response seen in the context (pages, Workers, the service worker). */
interface Failure {
  url: string;
  problem: string;
  /** Made by the service worker itself, e.g. its network-first try for a navigation. */
  byServiceWorker: boolean;
}

function watchFailures(context: BrowserContext): () => Failure[] {
  const failures: Failure[] = [];
  const served = new Set<string>();
  context.on('requestfailed', (request) =>
    failures.push({ url: request.url(), problem: request.failure()?.errorText ?? 'failed', byServiceWorker: request.serviceWorker() !== null }),
  );
  context.on('response', (response) => {
    const request = response.request();
    if (response.status() < 400) {
      served.add(request.url());
      return;
    }
    failures.push({ url: request.url(), problem: `HTTP ${response.status()}`, byServiceWorker: request.serviceWorker() !== null });
  });
  // A load cut short by the page's own navigation (the first visit reloads once under the service
  // worker) is no failure of the host, as long as the same file was served whole at some point.
  return () => failures.filter((f) => !(f.problem === 'net::ERR_ABORTED' && served.has(f.url)));
}

/** Waits until the service worker controls the page and the page is cross-origin isolated. */
async function expectIsolated(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page
          .evaluate(() => navigator.serviceWorker.controller !== null && crossOriginIsolated)
          // The first visit reloads itself once; a check during that reload just asks again.
          .catch(() => false),
      {
        timeout: 60_000,
        message: 'the service worker never took the page with isolation headers (a development build of dist/ registers none)',
      },
    )
    .toBe(true);
  await expect(page.getByTestId('cross-origin-isolated')).toContainText('yes');
}

async function expectDataReady(page: Page): Promise<void> {
  await expect(page.getByTestId('dataset-status')).toContainText('ready', { timeout: 120_000 });
}

/** Runs the tiny search through the page's automation door and returns its results. */
async function runTinySearch(page: Page): Promise<SearchResults> {
  return page.evaluate(async (request) => {
    if (!window.digitStudio) throw new Error('the studio did not install window.digitStudio');
    return (await window.digitStudio.runSearch(request)).results;
  }, TINY_SEARCH);
}

function expectOneTrainedTrial(results: SearchResults): void {
  expect(results.trials).toHaveLength(1);
  const [trial] = results.trials;
  expect(trial?.status, trial?.error ?? '').toBe('TERMINATED');
  expect(trial?.history).toHaveLength(1);
  expect(trial?.best_val_acc).toBeGreaterThan(0);
}

let served: StaticServer | undefined;

/** The static host beforeAll started. */
function host(): StaticServer {
  if (!served) throw new Error('the static server did not start (see the build output above)');
  return served;
}

test.beforeAll(async () => {
  test.setTimeout(300_000);
  ensureBuilt(ROOT);
  served = await serveStatic({ dir: `${ROOT}/dist`, base: SUB_PATH, port: Number(process.env.STUDIO_HOSTED_PORT ?? 0) });
});

test.afterAll(async () => {
  await served?.close();
});

test('dist/ on a plain static host under a sub-path: isolated, shareable, and offline after the first visit', async ({
  context,
  page,
}) => {
  const failures = watchFailures(context);
  const policyViolations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) policyViolations.push(message.text());
  });

  // Marks, in the tab's session, any unload of a page that already showed the studio: the service
  // worker's one reload must come before the studio is shown, never under the user.
  await page.addInitScript(() => {
    addEventListener('pagehide', () => {
      if (document.querySelector('[data-testid="draw-panel"]')) sessionStorage.setItem('test:unloaded-while-shown', location.href);
    });
  });
  const unloadedWhileShown = () => page.evaluate(() => sessionStorage.getItem('test:unloaded-while-shown'));

  await test.step('the first visit installs the service worker and reloads into an isolated page', async () => {
    await page.goto(host().url);
    await expectIsolated(page);
    await expectDataReady(page);
    expect(new URL(page.url()).pathname).toBe(SUB_PATH);
  });

  await test.step('the README link opens the README in a tab, not as a file to download', async () => {
    const readme = page.getByTestId('about-readme');
    await expect(readme).toBeVisible();
    const readmeUrl = new URL((await readme.getAttribute('href')) ?? '', page.url());
    const response = await page.request.get(readmeUrl.href);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toMatch(/^text\/html/);
    const [tab] = await Promise.all([context.waitForEvent('page'), readme.click()]);
    await expect(tab.getByRole('main')).toContainText('FileNest Digit Studio');
    // A download would leave the new tab blank: the README's text in it means the browser showed it.
    await expect(tab).toHaveTitle(/README/);
    await tab.close();
  });

  await test.step('the web app is installable and described: a meta description, its manifest and icons load, and Chromium finds no installability error', async () => {
    // What a search engine or a shared link's preview shows of the page.
    expect(await page.locator('meta[name="description"]').getAttribute('content')).toMatch(/MNIST digit classifier/);
    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(manifestHref).toBeTruthy();
    const manifestUrl = new URL(manifestHref!, page.url());
    const manifest = (await (await page.request.get(manifestUrl.href)).json()) as { icons: { src: string; sizes: string }[]; display: string };
    expect(manifest.display).toBe('standalone');
    expect(manifest.icons.map((icon) => icon.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons) expect((await page.request.get(new URL(icon.src, manifestUrl).href)).status(), icon.src).toBe(200);
    const devtools = await context.newCDPSession(page);
    const { errors: manifestErrors } = await devtools.send('Page.getAppManifest');
    expect(manifestErrors, 'Chromium parses the manifest without a complaint').toEqual([]);
    const { installabilityErrors } = await devtools.send('Page.getInstallabilityErrors');
    // Playwright's contexts are incognito, where Chromium installs nothing; that is the test's browser, not the app.
    expect(installabilityErrors.filter((error) => error.errorId !== 'in-incognito')).toEqual([]);
    await devtools.detach();
  });

  await test.step('a short search trains on the hosted build', async () => {
    expectOneTrainedTrial(await runTinySearch(page));
    expect(await unloadedWhileShown(), 'the service worker never reloaded the studio under the user').toBeNull();
  });

  await test.step('a shared link restores its search space', async () => {
    await page.goto(`${host().url}${SHARED_QUERY}`);
    await expectDataReady(page);
    const search = page.getByTestId('search-panel');
    await expect(search.getByTestId('active-overrides')).toContainText('num_trials=5');
    await expect(search.getByTestId('active-overrides')).toContainText('lr=choice(0.001,0.01)');
    await expect(search.getByLabel('Trials', { exact: true })).toHaveValue('5');
    await expect(search.getByTestId('space-lr').getByTestId('chip-lr')).toHaveCount(2);
  });

  expect(failures(), 'no request may fail while online').toEqual([]);
  expect(policyViolations, "the build's Content-Security-Policy allows all the studio does").toEqual([]);
  expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toContain("script-src 'self' 'wasm-unsafe-eval' blob:");

  await test.step('with no network, a reload still opens the studio, isolated, with data, and trains', async () => {
    await context.setOffline(true);
    await host().close();
    await page.reload();
    await expectDataReady(page);
    await expectIsolated(page);
    await expect(page.getByTestId('search-panel').getByTestId('active-overrides')).toContainText('num_trials=5');
    expectOneTrainedTrial(await runTinySearch(page));
    // The page's only failed request is the manifest (the data loader then uses its saved copy);
    // the service worker's own tries at the network fail too, and it answers from its cache.
    const pageFailures = failures().filter((failure) => !failure.byServiceWorker && !failure.url.endsWith('/data/mnist/manifest.json'));
    expect(pageFailures).toEqual([]);
  });
});
