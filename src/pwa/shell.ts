/**
 * Facts the service worker and the build step that writes it share. Plain data only: this file
 * is bundled into sw.js and imported by the Vite config in Node.
 */

/** What sw.js precaches: the build's version and every shell file, as paths relative to sw.js. */
export interface Precache {
  version: string;
  files: string[];
}

/** The global name in the service worker's source that the build replaces with its `Precache`. */
export const PRECACHE_GLOBAL = '__STUDIO_PRECACHE__';

/** Shell caches are named this plus the build's version; older ones are deleted on activation. */
export const SHELL_CACHE_PREFIX = 'digit-studio-shell-';

/** The file name of the built service worker, beside index.html. */
export const SERVICE_WORKER_FILE = 'sw.js';

/**
 * Headers that make a page cross-origin isolated (`crossOriginIsolated`), so SharedArrayBuffer and
 * the threaded wasm backend are allowed. `require-corp` rather than `credentialless` because every
 * resource the studio loads is same-origin and Safari knows only the former.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;
