/**
 * A Vite build plugin that writes the studio's service worker: it bundles src/pwa/serviceWorker.ts
 * to sw.js beside index.html, then, once every file of the build is written, fills in the list of
 * shell files to precache and a version that changes whenever any of them does (so browsers see a
 * new sw.js and install the new shell). Build only: in `vite` dev a service worker would fight HMR.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';
import { PRECACHE_GLOBAL, SERVICE_WORKER_FILE, type Precache } from '../../src/pwa/shell.ts';

/** Folders of the build that are not shell: MNIST is kept in IndexedDB by the page. */
const NOT_SHELL = ['data/'];

/** Every file under `dir`, as `/`-separated paths relative to it. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** The files sw.js precaches, and a version hashed from their names and contents. */
export async function shellPrecache(outDir: string): Promise<Precache> {
  const files = (await listFiles(outDir)).filter(
    (file) => file !== SERVICE_WORKER_FILE && !NOT_SHELL.some((folder) => file.startsWith(folder)),
  );
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(await readFile(join(outDir, file))).update('\0');
  return { version: hash.digest('hex').slice(0, 16), files };
}

/** The plugin; `source` is the service worker's entry module relative to the project root. */
export function serviceWorkerPlugin(source = 'src/pwa/serviceWorker.ts'): Plugin {
  let root = process.cwd();
  let outDir = '';
  return {
    name: 'digit-studio-service-worker',
    apply: 'build',
    configResolved(config) {
      root = config.root;
      outDir = resolve(config.root, config.build.outDir);
    },
    buildStart() {
      this.emitFile({ type: 'chunk', id: resolve(root, source), fileName: SERVICE_WORKER_FILE });
    },
    async closeBundle() {
      const workerPath = join(outDir, SERVICE_WORKER_FILE);
      const code = await readFile(workerPath, 'utf8');
      if (!code.includes(PRECACHE_GLOBAL)) throw new Error(`${SERVICE_WORKER_FILE} lacks ${PRECACHE_GLOBAL} to fill in`);
      const precache = await shellPrecache(outDir);
      await writeFile(workerPath, code.split(PRECACHE_GLOBAL).join(JSON.stringify(precache)));
    },
  };
}
