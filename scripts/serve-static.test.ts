import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from './serve-static';

describe('serveStatic', () => {
  let host: StaticServer;
  let zipped: StaticServer;
  let origin: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'digit-studio-static-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>studio</title>');
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'assets', 'model.wasm'), new Uint8Array([0, 97, 115, 109]));
    writeFileSync(join(dir, 'README.md'), '# Studio\n');
    host = await serveStatic({ dir, base: '/demo/studio/', port: 0 });
    zipped = await serveStatic({ dir, base: '/demo/studio/', port: 0, gzip: true });
    origin = new URL(host.url).origin;
  });
  afterAll(() => Promise.all([host.close(), zipped.close()]));

  it('serves the folder under its sub-path with only a content type', async () => {
    const page = await fetch(host.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cross-origin-embedder-policy')).toBeNull();
    const wasm = await fetch(`${host.url}assets/model.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));
  });

  it('redirects the sub-path without its slash, and answers 404 outside it or past the folder', async () => {
    const bare = await fetch(`${origin}/demo/studio`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/demo/studio/');
    expect((await fetch(`${origin}/index.html`)).status).toBe(404);
    expect((await fetch(`${host.url}missing.js`)).status).toBe(404);
    expect((await fetch(`${host.url}%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
  });

  it('sends Markdown as text/markdown, as GitHub Pages does, and no encoding unless asked to gzip', async () => {
    const readme = await fetch(`${host.url}README.md`);
    expect(readme.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(readme.headers.get('content-encoding')).toBeNull();
  });

  it('with gzip on, compresses text for clients that accept it, and the body is the same', async () => {
    const page = await fetch(zipped.url, { headers: { 'accept-encoding': 'gzip' } });
    expect(page.headers.get('content-encoding')).toBe('gzip');
    expect(await page.text()).toBe('<!doctype html><title>studio</title>');
    const plain = await fetch(zipped.url, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
  });
});
