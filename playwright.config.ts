import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, locateBrowser } from './scripts/lib/browser';

// STUDIO_E2E_PORT lets two suites run side by side on one machine.
const PORT = Number(process.env.STUDIO_E2E_PORT ?? 5183);

export default defineConfig({
  testDir: './e2e',
  timeout: 300_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    browserName: 'chromium',
    launchOptions: { executablePath: locateBrowser(), args: [...CHROMIUM_ARGS] },
  },
  webServer: {
    command: `npx vite --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 120_000,
  },
});
