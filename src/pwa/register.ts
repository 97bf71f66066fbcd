/**
 * Registers the service worker of a production build (sw.js beside index.html, scope: the folder
 * the page is served from) so the studio opens offline and is cross-origin isolated on any static
 * host. The first visit waits until the worker has cached the shell and taken the page, then
 * reloads once: only a page loaded through the worker gets its COOP/COEP headers.
 */

/** Set for the reload that brings the page under the worker, so a browser that will not isolate never loops. */
const RELOADED_KEY = 'digit-studio:service-worker-reload';
/** How long the first visit waits for the shell to be cached before it opens the studio anyway. */
const FIRST_VISIT_WAIT_MS = 30_000;

function reloadedOnce(): boolean {
  try {
    return sessionStorage.getItem(RELOADED_KEY) !== null;
  } catch {
    return true; // No session storage: never risk a reload loop.
  }
}

function rememberReload(reloading: boolean): void {
  try {
    if (reloading) sessionStorage.setItem(RELOADED_KEY, String(Date.now()));
    else sessionStorage.removeItem(RELOADED_KEY);
  } catch {
    // Without session storage reloadedOnce() already says yes.
  }
}

/** Resolves when the registration's installing worker fails to install (it turns redundant). */
function installFails(registration: ServiceWorkerRegistration): Promise<false> {
  return new Promise((resolve) => {
    const worker = registration.installing ?? registration.waiting;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'redundant') resolve(false);
    });
  });
}

/** Resolves true when a worker takes control of the page within `ms`. */
function controlWithin(ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    navigator.serviceWorker.addEventListener(
      'controllerchange',
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      { once: true },
    );
  });
}

/**
 * Calls `render` once the page is ready to show the studio. In dev it renders at once; in a build
 * it registers sw.js first and, on the first visit, calls `preparing` and reloads instead of
 * rendering when the worker takes the page (the reloaded page renders).
 */
export async function startWithServiceWorker(render: () => void, preparing: () => void = () => undefined): Promise<void> {
  let rendered = false;
  const renderOnce = (): void => {
    if (rendered) return;
    rendered = true;
    render();
  };
  try {
    await startUnderWorker(renderOnce, preparing);
  } catch (error) {
    // Whatever goes wrong with the service worker, the studio itself still opens.
    console.warn('The studio cannot work offline here: its service worker failed.', error);
    renderOnce();
  }
}

async function startUnderWorker(render: () => void, preparing: () => void): Promise<void> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) {
    render();
    return;
  }
  const container = navigator.serviceWorker;
  if (container.controller) {
    // Controlled already; registering again lets the browser look for a newer sw.js.
    void container.register('./sw.js', { scope: './' }).catch(() => undefined);
    if (crossOriginIsolated) rememberReload(false);
    render();
    return;
  }
  // A worker that is already active but does not control the page (a hard reload bypasses it) will
  // not claim it again, and a reload already tried: open the studio unisolated this time.
  const existing = await container.getRegistration('./').catch(() => undefined);
  if (existing?.active || reloadedOnce()) {
    void container.register('./sw.js', { scope: './' }).catch(() => undefined);
    render();
    return;
  }
  // Listening before registering: a small shell can be cached, and the page claimed, before
  // register() resolves.
  const controlled = controlWithin(FIRST_VISIT_WAIT_MS);
  let registration: ServiceWorkerRegistration;
  try {
    registration = await container.register('./sw.js', { scope: './' });
  } catch (error) {
    console.warn('The studio cannot work offline here: its service worker did not register.', error);
    render();
    return;
  }
  preparing();
  // A worker whose install fails (its cache could not be filled) never takes the page: open the studio at once.
  if (container.controller !== null || (await Promise.race([controlled, installFails(registration)]))) {
    rememberReload(true);
    window.location.reload();
    return;
  }
  render();
}
