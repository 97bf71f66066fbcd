/**
 * The packages the studio's pages and Workers import in the browser. Vite bundles them before the
 * first page loads; a test checks that the sources import nothing else, so the list cannot fall behind.
 */
export const STUDIO_DEPENDENCIES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  'fflate',
  'idb-keyval',
  'react',
  'react/jsx-dev-runtime',
  'react/jsx-runtime',
  'react-dom',
  'react-dom/client',
  'recharts',
  'yaml',
  'zustand',
  'zustand/react/shallow',
] as const;
