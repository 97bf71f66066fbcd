import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { fileURLToPath } from 'node:url';
import type { BackendName } from '../../src/backend/choice';
import type { BenchBackend, Measurement, MeasurePlan } from '../../src/bench/protocol';
import type {} from '../../src/bench/pageApi';
import { CHROMIUM_ARGS, CHROMIUM_GPU_ARGS, locateBrowser } from './browser';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BENCH_PAGE = 'src/bench/bench.html';

/** The benchmark page open in headless Chromium, served by Vite from the studio's own sources. */
export interface BenchBrowser {
  /** Logical cores the browser reports. */
  cores: number;
  start(backend: BackendName): Promise<BenchBackend>;
  measure(backend: BackendName, plan: MeasurePlan): Promise<Measurement>;
  stop(backend: BackendName): Promise<void>;
  close(): Promise<void>;
}

async function api(page: Page): Promise<void> {
  await page.waitForFunction(() => window.digitBench !== undefined, undefined, { timeout: 120_000 });
}

/** Serves the benchmark page on a free loopback port and opens it in headless Chromium. */
export async function openBenchBrowser(options: { hardwareGpu: boolean; onConsoleError?: (text: string) => void }): Promise<BenchBrowser> {
  const server: ViteDevServer = await createServer({
    root: ROOT,
    configFile: `${ROOT}/vite.config.ts`,
    logLevel: 'error',
    // No reloads mid-run: edits elsewhere in the tree must not navigate the page away from its Workers.
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
  });
  await server.listen();
  let browser: Browser | null = null;
  try {
    const base = server.resolvedUrls?.local[0];
    if (!base) throw new Error('The benchmark server did not report its address');
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
    await page.goto(new URL(BENCH_PAGE, base).href);
    await api(page);
    const cores = await page.evaluate(() => window.digitBench?.cores() ?? 1);
    const opened = browser;
    const missing = 'the benchmark page is not loaded';
    return {
      cores,
      start: (backend) =>
        page.evaluate(
          async ({ backend, missing }) => {
            if (!window.digitBench) throw new Error(missing);
            return window.digitBench.start(backend);
          },
          { backend, missing },
        ),
      measure: (backend, plan) =>
        page.evaluate(
          async ({ backend, plan, missing }) => {
            if (!window.digitBench) throw new Error(missing);
            return window.digitBench.measure(backend, plan);
          },
          { backend, plan, missing },
        ),
      stop: (backend) => page.evaluate((backend) => window.digitBench?.stop(backend), backend),
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
