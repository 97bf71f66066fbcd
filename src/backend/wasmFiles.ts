/// <reference types="vite/client" />
/**
 * Where the tfjs wasm binaries live once Vite has served or bundled them. The `?url` imports make
 * Vite copy each file into the build and hand back its URL, so the binaries resolve relative to the
 * page in `vite` dev, in `vite build` output under any sub-path, and inside Workers alike.
 */
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** The map `setWasmPaths` takes: each binary tfjs may pick (plain, SIMD, threaded SIMD) to its URL. */
export const WASM_FILE_URLS = {
  'tfjs-backend-wasm.wasm': plainUrl,
  'tfjs-backend-wasm-simd.wasm': simdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdUrl,
} as const;
