/**
 * Lets tfjs's threaded wasm backend start its threads from a minified build. tfjs hands each
 * pthread Worker the source of the Emscripten factory (`factory.toString()`), so that function must
 * not refer to anything outside itself. It does refer to `_scriptDir`, declared around it, behind
 * a `typeof` guard; a minifier that sees the declaration drops the guard and renames the variable,
 * and every thread then fails with "e is not defined". Dropping the outer declaration leaves
 * `_scriptDir` a guarded global (undefined in browsers, as it was: module scripts and Workers have
 * no `document.currentScript`), which a minifier keeps as it is.
 */
import type { Plugin } from 'vite';

/** The Emscripten factory module of the threaded SIMD binary. */
const THREADED_FACTORY = /@tensorflow[\\/]tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;

const OUTER_SCRIPT_DIR = [
  "var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;",
  "if (typeof __filename !== 'undefined') _scriptDir = _scriptDir || __filename;",
];

/** The factory's source without the outer `_scriptDir`; throws if tfjs changed it. */
export function selfContainedFactory(code: string): string {
  let result = code;
  for (const line of OUTER_SCRIPT_DIR) {
    if (!result.includes(line)) throw new Error(`tfjs-backend-wasm-threaded-simd.js changed: "${line}" is gone`);
    result = result.replace(line, '');
  }
  return result;
}

/** The plugin; build only, as `vite` dev neither minifies nor is cross-origin isolated. */
export function wasmThreadsPlugin(): Plugin {
  return {
    name: 'digit-studio-wasm-threads',
    apply: 'build',
    transform(code, id) {
      return THREADED_FACTORY.test(id) ? { code: selfContainedFactory(code), map: null } : null;
    },
  };
}
