import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { cspPlugin } from './scripts/lib/cspPlugin.ts';
import { readmeLinkPlugin } from './scripts/lib/readmeLink.ts';
import { serviceWorkerPlugin } from './scripts/lib/serviceWorkerPlugin.ts';
import { wasmThreadsPlugin } from './scripts/lib/wasmThreadsPlugin.ts';
import { ISOLATION_HEADERS } from './src/pwa/shell.ts';
import { STUDIO_DEPENDENCIES } from './scripts/lib/studioDependencies.ts';

// Relative base so that a static copy of dist/ works under any sub-path.
export default defineConfig({
  base: './',
  plugins: [react(), wasmThreadsPlugin(), readmeLinkPlugin(), serviceWorkerPlugin(), cspPlugin()],
  worker: { format: 'es', plugins: () => [wasmThreadsPlugin()] },
  // Cross-origin isolation lets the wasm backend run multi-threaded: the dev and preview servers send
  // the headers themselves; the built studio on a plain static host gets them from its service worker.
  // Every dependency the pages and their Workers import, declared up front. Vite's crawl does not
  // follow `new Worker(new URL(...))`, and a dependency found after the first bundle makes Vite
  // bundle again under a new version hash while a page runs: the page then holds two copies of tfjs,
  // one of them on a backend that never started. Declared here, a cold start bundles once.
  optimizeDeps: {
    entries: ['index.html', 'src/bench/bench.html', 'src/**/*.worker.ts'],
    include: [...STUDIO_DEPENDENCIES],
  },
  server: { port: 5173, strictPort: false, headers: { ...ISOLATION_HEADERS } },
  preview: { port: 4173, headers: { ...ISOLATION_HEADERS } },
});
