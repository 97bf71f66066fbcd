import type { BackendName } from '../../src/backend/choice';
import type { BenchBackend, Measurement, MeasurePlan } from '../../src/bench/protocol';
import type {} from '../../src/bench/pageApi';
import { openPage } from './studioSession';

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

/** Serves the benchmark page on a free loopback port and opens it in headless Chromium. */
export async function openBenchBrowser(options: { hardwareGpu: boolean; onConsoleError?: (text: string) => void }): Promise<BenchBrowser> {
  const session = await openPage({ ...options, path: BENCH_PAGE, ready: () => window.digitBench !== undefined });
  const page = session.page;
  try {
    const cores = await page.evaluate(() => window.digitBench?.cores() ?? 1);
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
      close: () => session.close(),
    };
  } catch (error) {
    await session.close();
    throw error;
  }
}
