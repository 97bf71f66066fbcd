/**
 * Keeps dist/ current for the hosted-build checks: `npm run build` (the README's and the Pages
 * workflow's build) runs when dist/ is missing or older than anything it is built from.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What dist/ is built from, relative to the project root (folders are walked). */
const BUILD_INPUTS = [
  'src',
  'index.html',
  'configuration',
  'vite.config.ts',
  'scripts/lib/serviceWorkerPlugin.ts',
  'scripts/lib/readmeLink.ts',
  'scripts/lib/cspPlugin.ts',
  'scripts/build-data.ts',
  'scripts/lib/mnistShards.ts',
  'README.md',
  'package-lock.json',
];

/** The files a complete build holds. */
const BUILD_OUTPUTS = ['index.html', 'sw.js', 'README.md', 'README.html', 'data/mnist/manifest.json'];

/** The newest modification time under `path`, skipping tests (they are not built into dist/). */
function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : info.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestChange(join(path, name))), 0);
}

/** Why dist/ needs building, or null when it is complete and newer than its inputs. */
function staleBuildReason(root: string, outDir = 'dist'): string | null {
  const missing = BUILD_OUTPUTS.find((file) => !existsSync(join(root, outDir, file)));
  if (missing) return `${outDir}/${missing} is missing`;
  const built = statSync(join(root, outDir, 'sw.js')).mtimeMs;
  const changed = BUILD_INPUTS.find((input) => newestChange(join(root, input)) > built);
  return changed ? `${changed} changed since the last build` : null;
}

/**
 * Runs `npm run build` in `root` unless dist/ is current. The build is always a production one:
 * Vite builds React's development bundle, and `import.meta.env.PROD` false (no service worker),
 * when NODE_ENV says development, as it does in any process that has started a Vite dev server.
 */
export function ensureBuilt(root: string): void {
  const reason = staleBuildReason(root);
  if (!reason) return;
  console.log(`Building dist/ (${reason})`);
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}
