import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STUDIO_DEPENDENCIES } from './studioDependencies';

const SOURCES = join(import.meta.dirname, '../../src');

/** Every package a browser-side source file imports (statically or dynamically), by its import path. */
function browserImports(): Map<string, string> {
  const found = new Map<string, string>();
  const files = readdirSync(SOURCES, { recursive: true, encoding: 'utf8' }).filter(
    (f) => /\.(ts|tsx)$/.test(f) && !/\.test\.tsx?$/.test(f),
  );
  for (const file of files) {
    const text = readFileSync(join(SOURCES, file), 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*)'([^'./][^']*)'/g)) {
      const path = match[1]!;
      // Node's modules serve the Node-only code paths; `?url` and `?raw` imports are assets, not modules.
      if (path.startsWith('node:') || path.includes('?')) continue;
      found.set(path, file);
    }
  }
  return found;
}

describe('the dependencies Vite bundles up front', () => {
  it('cover every package the pages and Workers import', () => {
    const missing = [...browserImports()].filter(([path]) => !(STUDIO_DEPENDENCIES as readonly string[]).includes(path));
    expect(missing.map(([path, file]) => `${path} (imported by src/${file})`)).toEqual([]);
  });

  it('name only packages the sources import, or that React and tfjs need at run time', () => {
    const imported = new Set(browserImports().keys());
    const runtimeOnly = ['react/jsx-dev-runtime', 'react/jsx-runtime', 'react-dom'];
    expect(STUDIO_DEPENDENCIES.filter((dep) => !imported.has(dep) && !runtimeOnly.includes(dep))).toEqual([]);
  });
});
