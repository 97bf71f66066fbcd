/**
 * A plain static file server, like the simplest static host: it serves a folder under a sub-path
 * (default `/demo/studio/`) and sends no header but Content-Type (no COOP/COEP, no caching
 * headers), so what works here works on GitHub Pages and the like.
 *
 *   npx tsx scripts/serve-static.ts [--dir dist] [--base /demo/studio/] [--port 4180]
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  // As GitHub Pages sends it: browsers download such a file rather than show it.
  '.md': 'text/markdown; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Content types a host compresses. */
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|manifest\+json|wasm)|image\/svg)/;

export interface StaticServerOptions {
  /** The folder to serve. */
  dir: string;
  /** The sub-path it appears under, with leading and trailing slashes. */
  base: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Gzip text files for clients that accept it, as GitHub Pages does (off: the plainest host). */
  gzip?: boolean;
}

export interface StaticServer {
  server: Server;
  /** The served folder's URL, e.g. `http://127.0.0.1:4180/demo/studio/`. */
  url: string;
  close(): Promise<void>;
}

/** The file a request path names under `root`, or null when it lies outside `base` or `root`. */
function fileFor(root: string, base: string, pathname: string): string | null {
  if (!pathname.startsWith(base)) return null;
  let inside: string;
  try {
    inside = decodeURIComponent(pathname.slice(base.length));
  } catch {
    return null;
  }
  const file = normalize(join(root, inside.endsWith('/') || inside === '' ? `${inside}index.html` : inside));
  return file === root || file.startsWith(root + sep) ? file : null;
}

/** Starts serving `dir` under `base`; resolves once it listens. */
export function serveStatic(options: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(options.dir);
  const base = options.base;
  const server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://host').pathname;
    const notFound = () => {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('not found');
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('method not allowed');
      return;
    }
    if (`${pathname}/` === base) {
      response.writeHead(301, { Location: base });
      response.end();
      return;
    }
    const file = fileFor(root, base, pathname);
    if (!file) return notFound();
    void (async () => {
      try {
        const info = await stat(file);
        if (info.isDirectory()) {
          response.writeHead(301, { Location: `${pathname}/` });
          response.end();
          return;
        }
        const contentType = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
        let body = await readFile(file);
        const headers: Record<string, string> = { 'Content-Type': contentType };
        if (options.gzip && COMPRESSIBLE.test(contentType) && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
          body = gzipSync(body);
          headers['Content-Encoding'] = 'gzip';
          headers.Vary = 'Accept-Encoding';
        }
        response.writeHead(200, headers);
        response.end(request.method === 'HEAD' ? undefined : body);
      } catch {
        notFound();
      }
    })();
  });
  return new Promise((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      const { address, port } = server.address() as AddressInfo;
      resolveServer({
        server,
        url: `http://${address}:${port}${base}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const served = await serveStatic({
    dir: argument('dir', 'dist'),
    base: argument('base', '/demo/studio/'),
    port: Number(argument('port', '4180')),
  });
  console.log(`Serving ${argument('dir', 'dist')} at ${served.url}`);
}
