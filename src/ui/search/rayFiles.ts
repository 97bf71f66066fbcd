/**
 * What the user dropped or chose for a Ray results import, as paths and bytes: a folder (dragged,
 * or chosen with a folder picker), or a zip. Ray's pickles and TensorBoard logs are left unread.
 */
import { filesFromZip } from '../../tune/rayImport';

const skipped = (path: string): boolean => /\.pkl$|events\.out\.tfevents/.test(path);

async function readEntry(entry: FileSystemEntry, files: Map<string, Uint8Array>): Promise<void> {
  if (entry.isFile) {
    if (skipped(entry.fullPath)) return;
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    files.set(entry.fullPath.replace(/^\//, ''), new Uint8Array(await file.arrayBuffer()));
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns the folder in batches; an empty batch ends it.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await readEntry(child, files);
  }
}

/** The files of a drop: folders are walked, a zip is unzipped, loose files keep their names. */
export async function filesFromDrop(transfer: DataTransfer): Promise<Map<string, Uint8Array>> {
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  if (entries.some((e) => e.isDirectory)) {
    const files = new Map<string, Uint8Array>();
    for (const entry of entries) await readEntry(entry, files);
    return files;
  }
  return filesFromList([...transfer.files]);
}

/** The files of a file input: a folder picker's (with relative paths) or one zip. */
export async function filesFromList(list: readonly File[]): Promise<Map<string, Uint8Array>> {
  const [first] = list;
  if (list.length === 1 && first && /\.zip$/i.test(first.name)) return filesFromZip(new Uint8Array(await first.arrayBuffer()));
  const files = new Map<string, Uint8Array>();
  for (const file of list) {
    const path = file.webkitRelativePath || file.name;
    if (!skipped(path)) files.set(path, new Uint8Array(await file.arrayBuffer()));
  }
  return files;
}
