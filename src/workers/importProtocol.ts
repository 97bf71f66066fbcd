/**
 * The one protocol between the page and the import Worker, which reads checkpoint files chosen
 * by the user so that a hostile file can cost the Worker time and memory but never the page.
 * Every request carries an id and ends in exactly one reply (`imported` or `error`) with that id.
 */
import type { ImportedModel, ImportFile } from '../export/importModel';

/** Request kinds, page to Worker. */
export const IMPORT_REQUESTS = { import: 'import' } as const;

/** Response kinds, Worker to page. */
export const IMPORT_RESPONSES = { imported: 'imported', error: 'error' } as const;

export type ImportRequest = { kind: typeof IMPORT_REQUESTS.import; id: number; files: ImportFile[] };

export type ImportResponse =
  | { kind: typeof IMPORT_RESPONSES.imported; id: number; model: ImportedModel }
  | { kind: typeof IMPORT_RESPONSES.error; id: number; message: string };
