/** A MIME type per file the studio offers for download. */
export const DOWNLOAD_TYPES = {
  binary: 'application/octet-stream',
  json: 'application/json',
  yaml: 'application/yaml',
  zip: 'application/zip',
} as const;

/** Saves bytes or text as a file through the browser's download (a Blob, an object URL and a clicked anchor). */
export function downloadFile(name: string, contents: Uint8Array<ArrayBuffer> | string, type: string = DOWNLOAD_TYPES.binary): void {
  const url = URL.createObjectURL(new Blob([contents], { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.style.display = 'none';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Some browsers read the URL after click() returns; free it once they have.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
