import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, CHROMIUM_GPU_ARGS, locateBrowser } from './browser';

/** A page of the studio's sources, served by Vite and open in headless Chromium, for command-line tools. */
export interface StudioSession {
  page: Page;
  url: string;
  close(): Promise<void>;
}

/** How to open a page: which one, and what to wait for before handing it over. */
export interface OpenPageOptions {
  /** Path of the page under the project root ('' for the studio itself). */
  path?: string;
  query?: URLSearchParams;
  /** Give Chromium the machine's GPU instead of SwiftShader. */
  hardwareGpu?: boolean;
  /** True in the page once it is ready to be driven. */
  ready: () => boolean;
  onConsoleError?: (text: string) => void;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Serves the project on a free loopback port and opens one of its pages in headless Chromium
 * (Playwright gives each launch a fresh profile). The server neither watches files nor reloads
 * pages, so edits elsewhere in the tree cannot navigate a running page away from its Workers.
 */
export async function openPage(options: OpenPageOptions): Promise<StudioSession> {
  const server: ViteDevServer = await createServer({
    root: ROOT,
    configFile: `${ROOT}/vite.config.ts`,
    // Its own dependency cache: a second server writing node_modules/.vite while another (`npm start`,
    // the browser tests' server) serves from it would hand that server's pages a second copy of tfjs.
    cacheDir: `${ROOT}/node_modules/.vite-cli`,
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
  });
  await server.listen();
  let browser: Browser | null = null;
  try {
    const base = server.resolvedUrls?.local[0];
    if (!base) throw new Error('The studio server did not report its address');
    browser = await chromium.launch({
      executablePath: locateBrowser(),
      args: [...(options.hardwareGpu ? CHROMIUM_GPU_ARGS : CHROMIUM_ARGS)],
      headless: true,
    });
    const page = await (await browser.newContext()).newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') options.onConsoleError?.(message.text());
    });
    page.on('pageerror', (error) => options.onConsoleError?.(error.message));
    const url = new URL(options.path ?? '', base);
    url.search = options.query?.toString() ?? '';
    await page.goto(url.href);
    await page.waitForFunction(options.ready, undefined, { timeout: 120_000 });
    const opened = browser;
    return {
      page,
      url: url.href,
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

/** Opens the studio (with `query`, e.g. `backend=wasm`) ready for `window.digitStudio`. */
export function openStudio(query: URLSearchParams, onConsoleError?: (text: string) => void): Promise<StudioSession> {
  return openPage({ query, onConsoleError, ready: () => window.digitStudio !== undefined });
}
