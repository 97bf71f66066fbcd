/** What the fused CPU step's wasm is built from: the AssemblyScript sources and the compiler flags of each variant. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const ASSEMBLY = join(REPO_ROOT, 'src/engine/cpu/assembly');

/** Pages the shared variant may grow to (2 GiB); the host creates its memory with this maximum. */
export const SHARED_MAXIMUM_PAGES = 32768;

const common = ['--runtime', 'stub', '-O3', '--noAssert', '--enable', 'simd', '--importMemory'];

/** The two builds: one memory of its own, and one shared memory for threads. */
export const WASM_VARIANTS = {
  SINGLE_THREAD_WASM: common,
  THREADED_WASM: [...common, '--enable', 'threads', '--sharedMemory', '--maximumMemory', String(SHARED_MAXIMUM_PAGES)],
};

/** The entry file the compiler starts from. */
export const WASM_ENTRY = join(ASSEMBLY, 'step.ts');

/** A digest of everything the binaries are built from, so a test can tell a stale build. */
export function wasmSourceDigest(): string {
  const hash = createHash('sha256');
  const files = [...readdirSync(ASSEMBLY).sort().map((f) => join(ASSEMBLY, f)), join(REPO_ROOT, 'src/engine/cpu/planSlots.ts')];
  for (const file of files) hash.update(readFileSync(file));
  hash.update(JSON.stringify(WASM_VARIANTS));
  return hash.digest('hex');
}
