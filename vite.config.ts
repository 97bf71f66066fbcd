import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { readmeLinkPlugin } from './scripts/lib/readmeLink.ts';
import { serviceWorkerPlugin } from './scripts/lib/serviceWorkerPlugin.ts';
import { wasmThreadsPlugin } from './scripts/lib/wasmThreadsPlugin.ts';
import { ISOLATION_HEADERS } from './src/pwa/shell.ts';

// Relative base so that a static copy of dist/ works under any sub-path.
export default defineConfig({
  base: './',
  plugins: [react(), wasmThreadsPlugin(), readmeLinkPlugin(), serviceWorkerPlugin()],
  worker: { format: 'es', plugins: () => [wasmThreadsPlugin()] },
  server: { port: 5173, strictPort: false },
  // The built studio is cross-origin isolated through its service worker; `vite preview` also
  // sends the headers itself. Dev stays unisolated, as most static hosts are before the worker runs.
  preview: { port: 4173, headers: { ...ISOLATION_HEADERS } },
});
