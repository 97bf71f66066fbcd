import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, freshUserDataDir, locateBrowser } from './browser';

/** The studio served by Vite and open in headless Chromium, for command-line tools. */
export interface StudioSession {
  page: Page;
  url: string;
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Serves the studio on a free loopback port and opens it (with `query`) in headless Chromium. */
export async function openStudio(query: URLSearchParams, onConsoleError?: (text: string) => void): Promise<StudioSession> {
  const server: ViteDevServer = await createServer({
    root: ROOT,
    configFile: `${ROOT}/vite.config.ts`,
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  await server.listen();
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('The studio server did not report its address');
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({
      executablePath: locateBrowser(),
      args: [...CHROMIUM_ARGS, `--user-data-dir=${freshUserDataDir()}`].filter((a) => !a.startsWith('--user-data-dir')),
      headless: true,
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') onConsoleError?.(message.text());
    });
    page.on('pageerror', (error) => onConsoleError?.(error.message));
    const url = `${base}?${query.toString()}`;
    await page.goto(url);
    await page.waitForFunction(() => window.digitStudio !== undefined, undefined, { timeout: 120_000 });
    const opened = browser;
    return {
      page,
      url,
      async close() {
        await opened.close();
        await server.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await server.close();
    throw error;
  }
}
