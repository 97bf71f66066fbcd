import type { ImportFile } from '../../export/importModel';

/** Reads chosen or dropped files into memory for the importer. */
export async function readFiles(files: Iterable<File>): Promise<ImportFile[]> {
  return Promise.all([...files].map(async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })));
}
