import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { cspPlugin } from './scripts/lib/cspPlugin.ts';
import { readmeLinkPlugin } from './scripts/lib/readmeLink.ts';
import { serviceWorkerPlugin } from './scripts/lib/serviceWorkerPlugin.ts';
import { wasmThreadsPlugin } from './scripts/lib/wasmThreadsPlugin.ts';
import { ISOLATION_HEADERS } from './src/pwa/shell.ts';

// Relative base so that a static copy of dist/ works under any sub-path.
export default defineConfig({
  base: './',
  plugins: [react(), wasmThreadsPlugin(), readmeLinkPlugin(), serviceWorkerPlugin(), cspPlugin()],
  worker: { format: 'es', plugins: () => [wasmThreadsPlugin()] },
  // Cross-origin isolation lets the wasm backend run multi-threaded: the dev and preview servers send
  // the headers themselves; the built studio on a plain static host gets them from its service worker.
  server: { port: 5173, strictPort: false, headers: { ...ISOLATION_HEADERS } },
  preview: { port: 4173, headers: { ...ISOLATION_HEADERS } },
});
