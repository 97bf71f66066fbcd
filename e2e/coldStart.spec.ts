import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, createServer, type ViteDevServer } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * What `npm start` does on a fresh machine: a dev server with no dependency cache. It must bundle
 * the dependencies once, before the first page, so that the page and its Workers each load one copy
 * of tfjs, and the page never builds a model on a backend that is still starting.
 */
test('a cold dev server bundles once: one copy of each dependency, a search trains and exports', async ({ browser }) => {
  const cacheDir = mkdtempSync(join(ROOT, 'node_modules', '.vite-cold-'));
  const logged: string[] = [];
  const logger = createLogger('info');
  for (const level of ['info', 'warn', 'error'] as const) {
    const write = logger[level].bind(logger);
    logger[level] = (message, options) => {
      logged.push(message);
      write(message, options);
    };
  }
  let server: ViteDevServer | null = null;
  // Vite's createServer sets NODE_ENV to development for the whole process; later specs in this
  // worker must not inherit it.
  const nodeEnv = process.env.NODE_ENV;
  const context = await browser.newContext();
  try {
    server = await createServer({
      root: ROOT,
      configFile: join(ROOT, 'vite.config.ts'),
      cacheDir,
      customLogger: logger,
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
    });
    await server.listen();
    const base = server.resolvedUrls?.local[0] ?? '';

    // Every request for a bundled dependency, from the page and from its Workers.
    const dependencyUrls: string[] = [];
    context.on('request', (request) => {
      if (request.url().includes('/.vite-cold-')) dependencyUrls.push(request.url());
    });
    const page = await context.newPage();
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(`${base}?backend=wasm`);
    await page.waitForFunction(() => window.digitStudio !== undefined, undefined, { timeout: 120_000 });
    const search = await test.step('a one-trial search trains in a Worker and exports on the page', () =>
      page.evaluate(() => window.digitStudio!.runSearch({ overrides: ['num_trials=1', 'max_num_epochs=1'], trainLimit: 256, valLimit: 128 })),
    );
    expect(search.results.trials.map((t) => t.status)).toEqual(['TERMINATED']);
    expect(Object.keys(search.bestFiles ?? {})).toEqual(expect.arrayContaining(['checkpoint.pt', 'tfjs/model.json', 'tfjs/weights.bin']));

    const evaluation = await test.step('the exported checkpoint loads in the inference Worker', () =>
      page.evaluate(
        (pt) => window.digitStudio!.evaluateCheckpoint({ files: [{ name: 'checkpoint.pt', base64: pt }], valLimit: 128 }),
        search.bestFiles!['checkpoint.pt']!,
      ),
    );
    expect(evaluation.n).toBe(128);

    // Vite bundled before the first page and never again: a second bundle while the page ran would
    // have changed the version query of the files already loaded.
    expect(logged.filter((line) => /new dependencies optimized|optimized dependencies changed|reloading/i.test(line))).toEqual([]);
    expect(navigations).toHaveLength(1);
    expect(pageErrors).toEqual([]);
    const versions = new Map<string, Set<string>>();
    for (const url of dependencyUrls) {
      const { pathname, searchParams } = new URL(url);
      versions.set(pathname, (versions.get(pathname) ?? new Set()).add(searchParams.get('v') ?? ''));
    }
    expect([...versions.keys()].some((path) => path.includes('@tensorflow_tfjs-backend-wasm'))).toBe(true);
    expect([...versions].filter(([, v]) => v.size > 1).map(([path, v]) => `${path}: ${[...v].join(', ')}`)).toEqual([]);
  } finally {
    await context.close();
    await server?.close();
    rmSync(cacheDir, { recursive: true, force: true });
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
});
