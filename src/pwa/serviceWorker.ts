/**
 * The studio's service worker, built to `sw.js` beside index.html. It does two things for a
 * static host that cannot set headers:
 * - offline: it keeps the app shell (index.html, scripts, styles, Worker chunks, wasm binaries)
 *   in a cache named after the build, so a visit with no network still opens the studio
 *   (MNIST itself lives in IndexedDB, so data requests go straight to the network);
 * - cross-origin isolation: every response it serves carries COOP and COEP, so the page is
 *   `crossOriginIsolated` and the wasm backend may use threads (the coi-serviceworker technique).
 */
import { ISOLATION_HEADERS, SHELL_CACHE_PREFIX, type Precache } from './shell';

declare const self: ServiceWorkerGlobalScope;
/** Replaced at build time by the files to precache (PRECACHE_GLOBAL, filled in by scripts/lib/serviceWorkerPlugin.ts). */
declare const __STUDIO_PRECACHE__: Precache;

const precache: Precache = __STUDIO_PRECACHE__;
const cacheName = `${SHELL_CACHE_PREFIX}${precache.version}`;
/** The folder the studio is served from: sw.js sits beside index.html. */
const shellRoot = new URL('./', self.location.href);
const indexUrl = new URL('index.html', shellRoot).href;
/** MNIST shards and their manifest: IndexedDB keeps them, so the cache does not hold them twice. */
const dataRoot = new URL('data/', shellRoot).href;

/** The same response, carrying the headers that make the page cross-origin isolated. */
function isolated(response: Response): Response {
  // Opaque responses and redirects cannot be rebuilt; same-origin content never needs that.
  if (response.status === 0 || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Navigations: the network first, so an online visit sees the newest deploy; the cached shell offline. */
async function navigate(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (offline) {
    const cached = await caches.match(indexUrl, { cacheName });
    if (cached) return cached;
    throw offline;
  }
}

/** Shell files: the cache first (their names carry content hashes), else the network, kept for next time. */
async function shellFile(request: Request): Promise<Response> {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
  return response;
}

function respond(request: Request): Promise<Response> {
  if (request.mode === 'navigate') return navigate(request);
  if (request.url.startsWith(dataRoot)) return fetch(request);
  return shellFile(request);
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(cacheName).then((cache) =>
      cache.addAll(precache.files.map((file) => new Request(new URL(file, shellRoot), { cache: 'reload' }))),
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((name) => name.startsWith(SHELL_CACHE_PREFIX) && name !== cacheName).map((name) => caches.delete(name)),
      );
      // Take the open page at once: it reloads itself to become cross-origin isolated.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(shellRoot.href)) return;
  // A devtools quirk: such a request from another origin's context cannot be answered.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(respond(request).then(isolated));
});
