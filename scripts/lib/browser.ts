import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Candidate executables on PATH, in the order they are tried after CHROME_PATH and /usr/bin/chromium. */
const PATH_NAMES = ['google-chrome', 'google-chrome-stable', 'chromium-browser', 'chromium'] as const;

function isExecutable(path: string): boolean {
  try {
    // A directory passes the X_OK check too, so insist on a file.
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Where Debian's chromium package puts the browser; tried right after CHROME_PATH. */
const SYSTEM_PATHS = ['/usr/bin/chromium'] as const;

/** Finds a Chrome or Chromium: CHROME_PATH, else /usr/bin/chromium, else Chrome/Chromium on PATH. */
export function locateBrowser(
  env: NodeJS.ProcessEnv = process.env,
  systemPaths: readonly string[] = SYSTEM_PATHS,
): string {
  const fromEnv = env.CHROME_PATH;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new Error(`CHROME_PATH is set to ${fromEnv}, but no executable is there.`);
  }
  const installed = systemPaths.find(isExecutable);
  if (installed) return installed;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of PATH_NAMES) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  throw new Error(
    'No Chrome or Chromium found. Install one (Debian/Ubuntu: `sudo apt-get install chromium`; ' +
      'elsewhere: https://www.google.com/chrome/) or set CHROME_PATH to its executable.',
  );
}

/** WebGPU on, whichever adapter serves it. */
const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan'] as const;
/** What every launch shares: no sandbox (containers have none to give), and a quiet network. */
const QUIET_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] as const;

/** Flags that give headless Chromium WebGPU through SwiftShader where there is no GPU, and a quiet network. */
export const CHROMIUM_ARGS = [...WEBGPU_ARGS, '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', ...QUIET_ARGS] as const;

/** Flags for a machine with a real GPU: WebGPU on the hardware adapter. */
export const CHROMIUM_GPU_ARGS = [...WEBGPU_ARGS, ...QUIET_ARGS] as const;
