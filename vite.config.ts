import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Relative base so that a static copy of dist/ works under any sub-path.
export default defineConfig({
  base: './',
  plugins: [react()],
  worker: { format: 'es' },
  server: { port: 5173, strictPort: false },
  preview: { port: 4173 },
});
