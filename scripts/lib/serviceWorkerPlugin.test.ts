import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellPrecache } from './serviceWorkerPlugin';

function buildFolder(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'digit-studio-shell-'));
  mkdirSync(join(dir, 'assets'));
  mkdirSync(join(dir, 'data', 'mnist'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  writeFileSync(join(dir, 'sw.js'), 'self;');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), script);
  writeFileSync(join(dir, 'data', 'mnist', 'manifest.json'), '{}');
  return dir;
}

describe('shellPrecache', () => {
  it('lists the shell files, leaving out sw.js itself and the MNIST data', async () => {
    const precache = await shellPrecache(buildFolder('console.log(1)'));
    expect(precache.files).toEqual(['assets/index-abc.js', 'index.html']);
    expect(precache.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes its version when a file changes, so browsers install the new shell', async () => {
    const first = await shellPrecache(buildFolder('console.log(1)'));
    const same = await shellPrecache(buildFolder('console.log(1)'));
    const changed = await shellPrecache(buildFolder('console.log(2)'));
    expect(same.version).toBe(first.version);
    expect(changed.version).not.toBe(first.version);
  });
});
