import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A folder on disk as the path map a dropped folder gives: every file below `root`, keyed by its
 * '/'-separated path from `base` (`root` itself unless given), less the files whose name `skip` matches.
 */
export function readFolder(root: string, options: { base?: string; skip?: RegExp } = {}): Map<string, Uint8Array> {
  const base = options.base ?? root;
  const files = new Map<string, Uint8Array>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!options.skip?.test(name)) files.set(relative(base, path).split('\\').join('/'), new Uint8Array(readFileSync(path)));
    }
  };
  walk(root);
  return files;
}
