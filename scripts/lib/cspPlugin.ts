/**
 * A Vite build plugin that puts the studio's Content-Security-Policy into the built index.html as
 * a meta tag, so any static host serves it. Build only: the dev server's React refresh preamble
 * is an inline script, which this policy forbids.
 */
import type { Plugin } from 'vite';

/**
 * What the studio needs and nothing more: its own scripts and Workers (the wasm backend's thread
 * Workers are blob: URLs that importScripts a blob: copy of its loader), WebAssembly compilation, data: and blob: images (the icon, canvases), blob:
 * downloads, and requests to itself and to a W&B server over https (or plain http to this machine).
 * No inline script, no eval, no plugins, no framing of other pages' forms.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

/** The plugin: adds the policy as the first tag of the built page's head. */
export function cspPlugin(): Plugin {
  return {
    name: 'digit-studio-csp',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
    ],
  };
}
