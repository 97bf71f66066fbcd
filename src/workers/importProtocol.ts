/**
 * The one protocol between the page and the import Worker, which reads checkpoint files chosen
 * by the user so that a hostile file can cost the Worker time and memory but never the page.
 * Every request carries an id and ends in exactly one reply (`imported` or `error`) with that id.
 */
import type { ImportedModel, ImportFile } from '../export/importModel';
import type { ErrorReply } from './message';

export type ImportRequest = { kind: 'import'; id: number; files: ImportFile[] };

export type ImportResponse =
  | { kind: 'imported'; id: number; model: ImportedModel }
  | ErrorReply;
