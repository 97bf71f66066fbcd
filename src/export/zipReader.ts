/**
 * A zip reader for untrusted checkpoints. It trusts nothing the archive says about itself: sizes
 * in the directory are checked against the bytes that really come out of inflating, entries may
 * not share or overlap bytes, every entry's CRC-32 is verified, and every limit is enforced while
 * reading, so a hostile archive costs bounded time and memory before it is refused.
 */
import { Inflate } from 'fflate';
import { CheckpointError } from './checkpointError';
import { messageOf } from '../studioError';

/** What a zip may hold before the reader refuses it. */
export interface ZipLimits {
  /** Largest archive file. */
  maxFileBytes: number;
  /** Most entries in the central directory. */
  maxEntries: number;
  /** Largest single entry once inflated. */
  maxEntryBytes: number;
  /** Largest sum of all entries once inflated. */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxFileBytes: 16 * 1024 * 1024,
  maxEntries: 1024,
  maxEntryBytes: 16 * 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024,
};

const SIG = { local: 0x04034b50, central: 0x02014b50, end: 0x06054b50, end64: 0x06064b50, locator64: 0x07064b50 } as const;
const METHOD = { stored: 0, deflate: 8 } as const;
/** Compressed bytes fed to the inflater at a time: deflate expands at most ~1032x, so one push yields at most ~4 MB. */
const INFLATE_CHUNK = 4096;

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC, as zip uses) of `bytes`, continuing from `crc`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = (CRC_TABLE[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return ~c >>> 0;
}

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

class Bytes {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  has(offset: number, count: number): boolean {
    return offset >= 0 && count >= 0 && offset + count <= this.bytes.length;
  }
  u16(offset: number, what: string): number {
    if (!this.has(offset, 2)) throw new CheckpointError(`the zip is truncated: ${what} runs past the end of the file`);
    return this.view.getUint16(offset, true);
  }
  u32(offset: number, what: string): number {
    if (!this.has(offset, 4)) throw new CheckpointError(`the zip is truncated: ${what} runs past the end of the file`);
    return this.view.getUint32(offset, true);
  }
  u64(offset: number, what: string): number {
    if (!this.has(offset, 8)) throw new CheckpointError(`the zip is truncated: ${what} runs past the end of the file`);
    const value = this.view.getBigUint64(offset, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new CheckpointError(`the zip's ${what} is ${value}, larger than any file`);
    return Number(value);
  }
}

/** Where the central directory lies and how many entries it claims. */
function findDirectory(file: Bytes): { offset: number; size: number; count: number } {
  const bytes = file.bytes;
  // The end record is 22 bytes plus a comment of at most 65,535.
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  let end = -1;
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (bytes[at] === 0x50 && bytes[at + 1] === 0x4b && file.u32(at, 'the end record') === SIG.end) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new CheckpointError('the zip has no end-of-directory record: the file is truncated or not a zip');
  let count = file.u16(end + 10, 'the entry count');
  let size = file.u32(end + 12, 'the directory size');
  let offset = file.u32(end + 16, 'the directory offset');
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = end - 20;
    if (!file.has(locator, 20) || file.u32(locator, 'the zip64 locator') !== SIG.locator64) {
      throw new CheckpointError('the zip needs a zip64 end record but has none');
    }
    const end64 = file.u64(locator + 8, 'zip64 end record offset');
    if (file.u32(end64, 'the zip64 end record') !== SIG.end64) throw new CheckpointError('the zip64 end record is not where its locator says');
    count = file.u64(end64 + 32, 'zip64 entry count');
    size = file.u64(end64 + 40, 'zip64 directory size');
    offset = file.u64(end64 + 48, 'zip64 directory offset');
  }
  if (!file.has(offset, size)) throw new CheckpointError(`the zip's central directory (${size} bytes at ${offset}) lies outside the file`);
  return { offset, size, count };
}

/** Reads the zip64 extra field for whichever of the three values were 0xFFFFFFFF. */
function zip64Values(file: Bytes, extraStart: number, extraLength: number, entry: CentralEntry): void {
  let at = extraStart;
  const end = extraStart + extraLength;
  while (at + 4 <= end) {
    const id = file.u16(at, 'an extra field');
    const length = file.u16(at + 2, 'an extra field');
    if (id === 0x0001) {
      let field = at + 4;
      const read = (): number => {
        if (field + 8 > at + 4 + length) throw new CheckpointError(`${entry.name}: its zip64 field is too short`);
        const value = file.u64(field, `${entry.name}'s zip64 field`);
        field += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = read();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = read();
      if (entry.localOffset === 0xffffffff) entry.localOffset = read();
      return;
    }
    at += 4 + length;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readDirectory(file: Bytes, limits: ZipLimits): { entries: CentralEntry[]; directoryStart: number } {
  const directory = findDirectory(file);
  if (directory.count > limits.maxEntries) {
    throw new CheckpointError(`the zip lists ${directory.count} entries; the limit is ${limits.maxEntries}`);
  }
  const entries: CentralEntry[] = [];
  const names = new Set<string>();
  let at = directory.offset;
  const end = directory.offset + directory.size;
  for (let i = 0; i < directory.count; i++) {
    if (at + 46 > end || file.u32(at, 'a directory entry') !== SIG.central) {
      throw new CheckpointError(`the zip's central directory is corrupt at entry ${i + 1} of ${directory.count}`);
    }
    const nameLength = file.u16(at + 28, 'a name length');
    const extraLength = file.u16(at + 30, 'an extra length');
    const commentLength = file.u16(at + 32, 'a comment length');
    if (at + 46 + nameLength + extraLength + commentLength > end) throw new CheckpointError(`the zip's directory entry ${i + 1} runs past the directory`);
    let name: string;
    try {
      name = utf8.decode(file.bytes.subarray(at + 46, at + 46 + nameLength));
    } catch {
      throw new CheckpointError(`the zip's entry ${i + 1} has a name that is not UTF-8`);
    }
    const entry: CentralEntry = {
      name,
      flags: file.u16(at + 8, 'flags'),
      method: file.u16(at + 10, 'a method'),
      crc: file.u32(at + 16, 'a CRC'),
      compressedSize: file.u32(at + 20, 'a compressed size'),
      size: file.u32(at + 24, 'a size'),
      localOffset: file.u32(at + 42, 'a local header offset'),
    };
    zip64Values(file, at + 46 + nameLength, extraLength, entry);
    if (names.has(name)) throw new CheckpointError(`the zip holds ${name} twice`);
    names.add(name);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return { entries, directoryStart: directory.offset };
}

/** Where an entry's data starts and ends, checked against the file and its local header. */
function dataRange(file: Bytes, entry: CentralEntry, directoryStart: number): { start: number; end: number } {
  const local = entry.localOffset;
  if (!file.has(local, 30) || file.u32(local, `${entry.name}'s local header`) !== SIG.local) {
    throw new CheckpointError(`${entry.name}: its local header is not where the directory says`);
  }
  const start = local + 30 + file.u16(local + 26, 'a name length') + file.u16(local + 28, 'an extra length');
  const end = start + entry.compressedSize;
  if (end > directoryStart) throw new CheckpointError(`${entry.name}: its data (${entry.compressedSize} bytes) runs into the central directory or past the end of the file`);
  return { start, end };
}

/** Inflates `compressed`, counting real output bytes against `cap`; returns exactly what came out. */
function inflateCounted(compressed: Uint8Array, name: string, cap: number, capText: () => string): Uint8Array {
  const chunks: Uint8Array[] = [];
  let produced = 0;
  let done = false;
  const inflater = new Inflate((chunk, final) => {
    produced += chunk.length;
    if (produced > cap) throw new CheckpointError(`${name} inflates to more than ${capText()}`);
    if (chunk.length > 0) chunks.push(chunk);
    if (final) done = true;
  });
  try {
    for (let at = 0; at < compressed.length && !done; at += INFLATE_CHUNK) {
      const end = Math.min(compressed.length, at + INFLATE_CHUNK);
      inflater.push(compressed.subarray(at, end), end === compressed.length);
    }
    if (compressed.length === 0) inflater.push(new Uint8Array(0), true);
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(`${name}: its deflate stream is corrupt (${messageOf(error)})`);
  }
  if (!done) throw new CheckpointError(`${name}: its deflate stream ends early`);
  const out = new Uint8Array(produced);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * Reads every entry of a zip archive under `limits`. Refuses (with a {@link CheckpointError}
 * naming the entry) encrypted or unknown-method entries, entries whose data overlap another's,
 * stored entries whose sizes disagree, inflated sizes past the declared size or the limits, and
 * CRC-32 mismatches.
 */
export function readZip(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Map<string, Uint8Array> {
  if (bytes.length > limits.maxFileBytes) {
    throw new CheckpointError(`the file is ${megabytes(bytes.length)}; the limit is ${megabytes(limits.maxFileBytes)}`);
  }
  const file = new Bytes(bytes);
  const { entries, directoryStart } = readDirectory(file, limits);
  const ranges = entries
    .map((entry) => ({ entry, ...dataRange(file, entry, directoryStart) }))
    .sort((a, b) => a.entry.localOffset - b.entry.localOffset);
  for (let i = 1; i < ranges.length; i++) {
    const previous = ranges[i - 1];
    const current = ranges[i];
    if (previous && current && current.entry.localOffset < previous.end) {
      throw new CheckpointError(`the zip's entries ${previous.entry.name} and ${current.entry.name} overlap: one file's bytes are read twice`);
    }
  }
  const out = new Map<string, Uint8Array>();
  let total = 0;
  for (const { entry, start, end } of ranges) {
    if (entry.flags & 0x1) throw new CheckpointError(`${entry.name} is encrypted`);
    const remaining = limits.maxTotalBytes - total;
    const cap = Math.min(entry.size, limits.maxEntryBytes, remaining);
    if (entry.size > limits.maxEntryBytes) throw new CheckpointError(`${entry.name} claims ${megabytes(entry.size)}; the limit per entry is ${megabytes(limits.maxEntryBytes)}`);
    if (entry.size > remaining) throw new CheckpointError(`the zip's entries add up to more than ${megabytes(limits.maxTotalBytes)}`);
    const raw = bytes.subarray(start, end);
    let data: Uint8Array;
    if (entry.method === METHOD.stored) {
      if (entry.compressedSize !== entry.size) throw new CheckpointError(`${entry.name} is stored but its sizes differ (${entry.compressedSize} and ${entry.size} bytes)`);
      data = raw;
    } else if (entry.method === METHOD.deflate) {
      data = inflateCounted(raw, entry.name, cap, () => (cap === entry.size ? `the ${entry.size} bytes its directory entry declares` : megabytes(cap)));
      if (data.length !== entry.size) throw new CheckpointError(`${entry.name} inflates to ${data.length} bytes; its directory entry declares ${entry.size}`);
    } else {
      throw new CheckpointError(`${entry.name} uses zip compression method ${entry.method}; the studio reads stored and deflated entries`);
    }
    const actual = crc32(data);
    if (actual !== entry.crc) {
      throw new CheckpointError(`${entry.name} fails its CRC-32 check (stored ${hex(entry.crc)}, computed ${hex(actual)}): the file is corrupt or was edited`);
    }
    total += data.length;
    out.set(entry.name, data);
  }
  return out;
}

const hex = (value: number): string => value.toString(16).padStart(8, '0');
