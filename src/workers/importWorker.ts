/**
 * The page's side of the import Worker: one import per Worker, which is ended once the reply is
 * in, or when it takes too long or dies, so a hostile file never stalls or crashes the page.
 */
import { CheckpointError } from '../export/checkpointError';
import type { ImportedModel, ImportFile } from '../export/importModel';
import type { ImportRequest, ImportResponse } from './importProtocol';
import { requestChannel, type ProtocolPort } from './requestChannel';
import { messageOf } from '../studioError';

/** The part of a Worker the proxy uses; tests may pass an in-process stand-in. */
export type ImportPort = ProtocolPort<ImportRequest, ImportResponse>;

/** Longest an import may take before its Worker is ended; the importer's limits keep real files far below it. */
const IMPORT_TIMEOUT_MS = 20_000;

/** Starts the import Worker from the bundled module. */
function spawnImportWorker(): ImportPort {
  return new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module', name: 'checkpoint-import' });
}

/**
 * Imports a model in a fresh Worker. Refusals, a Worker that crashes (out of memory) and one that
 * runs past `timeoutMs` all reject with a {@link CheckpointError} whose message says which.
 */
export async function importModelInWorker(
  files: readonly ImportFile[],
  options: { timeoutMs?: number; port?: ImportPort } = {},
): Promise<ImportedModel> {
  const port = options.port ?? spawnImportWorker();
  const timeoutMs = options.timeoutMs ?? IMPORT_TIMEOUT_MS;
  const names = files.map((file) => file.name).join(', ');
  const request = requestChannel(port, 'checkpoint import', () => false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckpointError(`${names}: reading took longer than ${timeoutMs / 1000} s, so it was stopped`)), timeoutMs);
  });
  try {
    const copies = files.map((file) => ({ name: file.name, bytes: file.bytes.slice() }));
    const reply = request({ kind: 'import', files: copies }, 'imported', undefined, copies.map((file) => file.bytes.buffer));
    return (await Promise.race([reply, timeout])).model;
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    const message = messageOf(error);
    // An `error` reply already names the file; a crash (the Worker ran out of memory) does not.
    throw new CheckpointError(message.startsWith(`${names}:`) ? message : `${names}: ${message}`);
  } finally {
    clearTimeout(timer);
    port.terminate();
  }
}
