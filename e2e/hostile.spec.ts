/**
 * Hostile input through the studio's three doors (share links, config.yaml in the editor,
 * checkpoint files in the import control): each is refused within seconds with a message naming
 * the bad part, no script runs, and a normal action afterwards still works.
 */
import { expect, test, type Page } from '@playwright/test';
import { hostileCheckpoints, hostileTfjsModels, validCheckpoint } from '../src/export/hostileFiles';
import { HOSTILE_CONFIGS, HOSTILE_LINKS, VALID_CONFIG, VALID_LINK, XSS } from './hostileInputs';

/** Refusals must come this fast (the importer's own limits keep real work far below it). */
const REFUSAL_MS = 5_000;
/** A link is refused as the page starts; on a loaded 2-core machine the dev server's page start alone takes seconds. */
const LINK_MS = 15_000;

/** Fails the test if any injected markup runs: every XSS probe sets `window.__xss` or opens a dialog. */
function guardAgainstScripts(page: Page): void {
  page.on('dialog', (dialog) => {
    throw new Error(`a script ran and opened a dialog: ${dialog.message()}`);
  });
}

async function noScriptRan(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
}

// One page for the whole file: a fresh one per test would load the studio and cache MNIST again each time.
test.describe.configure({ mode: 'serial' });

test.describe('hostile input is refused with a message naming the bad part', () => {
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    guardAgainstScripts(page);
    await page.goto('./');
    await expect(page.getByTestId('run-search')).toBeVisible();
    // A first import starts the import Worker's module, so the timings below measure the refusals alone.
    await page.getByTestId('import-checkpoint').setInputFiles({ name: 'warm-up.pt', mimeType: 'application/octet-stream', buffer: Buffer.from(validCheckpoint()) });
    await expect(page.getByTestId('import-status')).toContainText('Imported warm-up.pt');
  });

  test.afterAll(async () => {
    await page.close();
  });

  test('checkpoint files in the import control', async () => {
    const input = page.getByTestId('import-checkpoint');
    const status = page.getByTestId('import-status');
    const files = [
      ...hostileCheckpoints().map((file) => ({ title: file.title, files: [{ name: file.name, bytes: file.bytes }], refusal: file.refusal })),
      ...hostileTfjsModels(),
      { title: 'XSS in a file name', files: [{ name: `${XSS}.pt`, bytes: new TextEncoder().encode('not a zip') }], refusal: /<img src=x onerror="window\.__xss=1">\.pt: not a PyTorch checkpoint: the file is not a zip archive/ },
    ];
    for (const hostile of files) {
      await test.step(hostile.title, async () => {
        const started = Date.now();
        await input.setInputFiles(hostile.files.map((file) => ({ name: file.name, mimeType: 'application/octet-stream', buffer: Buffer.from(file.bytes) })));
        await expect(status.locator('.error')).toHaveText(hostile.refusal, { timeout: REFUSAL_MS });
        expect(Date.now() - started).toBeLessThan(REFUSAL_MS);
        console.log(`checkpoint refused: ${hostile.title}: ${Date.now() - started} ms`);
        await noScriptRan(page);
      });
    }
    await test.step('a valid checkpoint afterwards imports', async () => {
      await input.setInputFiles({ name: 'valid.pt', mimeType: 'application/octet-stream', buffer: Buffer.from(validCheckpoint()) });
      await expect(status).toContainText('Imported valid.pt: Classifier(f1=8, f2=6)', { timeout: REFUSAL_MS });
    });
  });

  test('config.yaml in the editor', async () => {
    const search = page.getByTestId('search-panel');
    await search.getByText('Raw config.yaml').click();
    const editor = search.getByTestId('raw-yaml');
    const errors = search.getByTestId('raw-yaml-errors');
    for (const { title, text, refusal } of HOSTILE_CONFIGS) {
      await test.step(title, async () => {
        const started = Date.now();
        await editor.fill(text);
        await expect(errors).toContainText(refusal, { timeout: REFUSAL_MS });
        expect(Date.now() - started).toBeLessThan(REFUSAL_MS);
        console.log(`config refused: ${title}: ${Date.now() - started} ms`);
        await expect(search.getByTestId('run-search')).toBeDisabled();
        await noScriptRan(page);
      });
    }
    await test.step("Hydra's comma sweep and digit separators are accepted", async () => {
      await editor.fill(VALID_CONFIG);
      await expect(errors).toHaveCount(0);
      await expect(search.getByTestId('run-search')).toBeEnabled();
      await expect(search.getByTestId('run-search')).toContainText('10');
    });
  });

  test('share links', async () => {
    // Each link costs a page load; src/state/sharedLink.test.ts covers more cases without one.
    for (const { title, text: query, refusal } of HOSTILE_LINKS) {
      await test.step(title, async () => {
        const started = Date.now();
        await page.goto(`./${query}`);
        const reason = page.getByTestId('link-problem-reason');
        await expect(reason).toHaveText(refusal, { timeout: LINK_MS });
        expect(Date.now() - started).toBeLessThan(LINK_MS);
        console.log(`link refused: ${title}: ${Date.now() - started} ms from navigation`);
        // The link was not applied: the studio runs its defaults.
        await expect(page.getByTestId('active-overrides')).toHaveCount(0);
        await noScriptRan(page);
      });
    }
    await test.step('a valid link afterwards applies', async () => {
      await page.goto(`./${VALID_LINK}`);
      await expect(page.getByTestId('active-overrides')).toContainText('num_trials=5');
      await expect(page.getByTestId('link-problem')).toHaveCount(0);
    });
  });

  test('a panel that throws shows its error and a reset; the rest of the page keeps working', async () => {
    const failures: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('panel failed')) failures.push(message.text());
    });
    await expect(page.getByTestId('run-search')).toBeVisible();
    // Break the search panel's state through the dev server's own copy of the store module.
    await page.evaluate(async () => {
      const { useStudio } = (await import(/* @vite-ignore */ `${location.origin}/src/state/store.ts`)) as typeof import('../src/state/store');
      (window as unknown as { __goodParsed?: unknown }).__goodParsed = useStudio.getState().parsed;
      useStudio.setState({ parsed: undefined as never });
    });
    const failed = page.locator('[data-testid="panel-error"][data-panel="Search"]');
    await expect(failed).toContainText('The Search panel stopped');
    await expect(page.getByTestId('models-panel')).toBeVisible();
    await page.getByTestId('import-checkpoint').setInputFiles({ name: 'valid.pt', mimeType: 'application/octet-stream', buffer: Buffer.from(validCheckpoint()) });
    await expect(page.getByTestId('import-status')).toContainText('Imported valid.pt');
    await page.evaluate(async () => {
      const { useStudio } = (await import(/* @vite-ignore */ `${location.origin}/src/state/store.ts`)) as typeof import('../src/state/store');
      useStudio.setState({ parsed: (window as unknown as { __goodParsed: never }).__goodParsed });
    });
    await failed.getByTestId('panel-reset').click();
    await expect(page.getByTestId('run-search')).toBeEnabled();
    expect(failures).toHaveLength(1);
  });
});
