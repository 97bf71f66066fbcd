/**
 * Hostile checkpoint files for the tests: each one is what an attacker could hand the import
 * control, with a pattern its refusal message must match. The unit tests and the browser tests
 * read the same list, so both doors are held to the same messages.
 */
import { deflateSync, strToU8 } from 'fflate';
import { encodePickle } from './pickleWriter';
import { writeCheckpoint } from './ptWriter';
import { defaultAdamParamGroup } from './stateDict';
import { call, global, int, orderedDict, persistentId, tuple } from './pickleValue';
import { crc32 } from './zipReader';
import { classifier } from '../model/classifier';
import { filledStateDict } from '../model/stateDict';

/** One entry as the raw zip writer lays it out; the optional fields lie about it. */
interface RawEntry {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  /** Size to declare instead of the real inflated size. */
  declaredSize?: number;
  /** CRC to declare instead of the real one. */
  declaredCrc?: number;
}

/** A zip laid out byte by byte, so that the tests can make it lie; `aliases` add directory entries pointing at earlier local headers. */
export function rawZip(entries: RawEntry[], aliases: { name: string; of: number }[] = []): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const headers: { offset: number; header: Uint8Array }[] = [];
  for (const entry of entries) {
    const name = strToU8(entry.name);
    const body = entry.deflate ? deflated(entry.data) : entry.data;
    const crc = entry.declaredCrc ?? crc32(entry.data);
    const size = entry.declaredSize ?? entry.data.length;
    const method = entry.deflate ? 8 : 0;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const header = centralHeader(name, method, crc, body.length, size, offset);
    headers.push({ offset, header });
    central.push(header);
    parts.push(local, body);
    offset += local.length + body.length;
  }
  for (const alias of aliases) {
    const target = headers[alias.of];
    if (!target) continue;
    const copy = target.header.slice(0, 46);
    const name = strToU8(alias.name);
    const header = new Uint8Array(46 + name.length);
    header.set(copy);
    new DataView(header.buffer).setUint16(28, name.length, true);
    header.set(name, 46);
    central.push(header);
  }
  const directorySize = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, central.length, true);
  ev.setUint16(10, central.length, true);
  ev.setUint32(12, directorySize, true);
  ev.setUint32(16, offset, true);
  return concat([...parts, ...central, end]);
}

const deflatedCache = new WeakMap<Uint8Array, Uint8Array>();
/** `data` deflated, once per array: the bombs share one 20 MB payload. */
function deflated(data: Uint8Array): Uint8Array {
  const cached = deflatedCache.get(data) ?? deflateSync(data, { level: 1 });
  deflatedCache.set(data, cached);
  return cached;
}

function centralHeader(name: Uint8Array, method: number, crc: number, compressed: number, size: number, offset: number): Uint8Array {
  const header = new Uint8Array(46 + name.length);
  const v = new DataView(header.buffer);
  v.setUint32(0, 0x02014b50, true);
  v.setUint16(4, 20, true);
  v.setUint16(6, 20, true);
  v.setUint16(10, method, true);
  v.setUint32(16, crc, true);
  v.setUint32(20, compressed, true);
  v.setUint32(24, size, true);
  v.setUint16(28, name.length, true);
  v.setUint32(42, offset, true);
  header.set(name, 46);
  return header;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const STORAGE = global('torch', 'FloatStorage');
const REBUILD = global('torch._utils', '_rebuild_tensor_v2');

/** A one-tensor state dict `{weight: tensor}` over a float storage of `numel` elements. */
function tensorPickle(numel: number, offset: number, size: number[], stride: number[]): Uint8Array {
  const storage = persistentId(tuple('storage', STORAGE, '0', 'cpu', int(numel)));
  const tensor = call(REBUILD, tuple(storage, int(offset), tuple(...size.map(int)), tuple(...stride.map(int)), false, orderedDict([])));
  return encodePickle(orderedDict([['weight', tensor]]));
}

/** A checkpoint container around a pickle and its storage records, each entry stored. */
function container(pickle: Uint8Array, storages: Record<string, Uint8Array> = {}): Uint8Array {
  return rawZip([
    { name: 'archive/data.pkl', data: pickle },
    ...Object.entries(storages).map(([key, data]) => ({ name: `archive/data/${key}`, data })),
    { name: 'archive/version', data: strToU8('3\n') },
  ]);
}

/** Raw pickle bytes: PROTO 2, then `body`, then STOP. */
function rawPickle(...body: number[][]): Uint8Array {
  return Uint8Array.from([0x80, 0x02, ...body.flat(), 0x2e]);
}

function repeat(times: number, bytes: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push(...bytes);
  return out;
}

/** A hostile file, and the pattern its refusal message names. */
export interface HostileFile {
  /** What the file tries. */
  title: string;
  name: string;
  bytes: Uint8Array;
  refusal: RegExp;
}

/**
 * The hostile checkpoints, built on demand (the zip bombs deflate 20 MB of zeros to build).
 * Every one must be refused by `importModel` with a message matching `refusal`.
 */
export function hostileCheckpoints(): HostileFile[] {
  const floats = (count: number): Uint8Array => new Uint8Array(count * 4);
  const goodPickle = tensorPickle(4, 0, [2, 2], [2, 1]);
  const bombPayload = new Uint8Array(20 * 1024 * 1024);
  const staleCrc = container(goodPickle, { '0': floats(4) });
  // Change a byte of the stored storage record (its data follows its name in the local header), leaving the CRCs as they were.
  staleCrc[findBytes(staleCrc, strToU8('archive/data/0')) + 'archive/data/0'.length + 1] = 0x7f;

  const deepLists = rawPickle(repeat(5000, [0x28]), repeat(5000, [0x6c]));
  return [
    {
      title: 'zip bomb: 20 MB of zeros declared as 1 KB',
      name: 'zip-bomb.pt',
      bytes: rawZip([{ name: 'archive/data.pkl', data: bombPayload, deflate: true, declaredSize: 1024 }]),
      refusal: /archive\/data\.pkl inflates to more than the 1024 bytes its directory entry declares/,
    },
    {
      title: 'zip bomb declared honestly at 20 MB',
      name: 'zip-bomb-honest.pt',
      bytes: rawZip([{ name: 'archive/data.pkl', data: bombPayload, deflate: true }]),
      refusal: /archive\/data\.pkl claims 20\.0 MB; the limit per entry is 16\.0 MB/,
    },
    {
      title: 'stored-entry bomb: a 3 GB stored entry in a tiny file',
      name: 'stored-bomb.pt',
      bytes: rawZip([{ name: 'archive/data.pkl', data: goodPickle, declaredSize: 3_000_000_000 }]),
      refusal: /archive\/data\.pkl claims 2861\.0 MB; the limit per entry is 16\.0 MB/,
    },
    {
      title: 'overlapping entries: 500 directory entries share one local header',
      name: 'overlap.pt',
      bytes: rawZip(
        [{ name: 'archive/data.pkl', data: goodPickle }],
        Array.from({ length: 500 }, (_, i) => ({ name: `archive/data/${i}`, of: 0 })),
      ),
      refusal: /the zip's entries archive\/data\.pkl and archive\/data\/0 overlap/,
    },
    {
      title: 'stale CRC: a storage byte changed after zipping',
      name: 'stale-crc.pt',
      bytes: staleCrc,
      refusal: /archive\/data\/0 fails its CRC-32 check/,
    },
    {
      title: 'too many entries',
      name: 'many-entries.pt',
      bytes: rawZip([{ name: 'archive/data.pkl', data: goodPickle }, ...Array.from({ length: 1100 }, (_, i) => ({ name: `archive/x${i}`, data: new Uint8Array(0) }))]),
      refusal: /the zip lists 1101 entries; the limit is 1024/,
    },
    {
      title: 'huge shape: 2^20 x 2^20 elements over a 4-element storage',
      name: 'huge-shape.pt',
      bytes: container(tensorPickle(4, 0, [1 << 20, 1 << 20], [1 << 20, 1]), { '0': floats(4) }),
      refusal: /weight: size \(1048576, 1048576\) has more than 4194304 elements/,
    },
    {
      title: 'negative shape',
      name: 'negative-shape.pt',
      bytes: container(tensorPickle(4, 0, [-1, 4], [4, 1]), { '0': floats(4) }),
      refusal: /weight: size \(-1, 4\) has a negative dimension/,
    },
    {
      title: 'negative stride',
      name: 'negative-stride.pt',
      bytes: container(tensorPickle(4, 0, [2, 2], [-2, 1]), { '0': floats(4) }),
      refusal: /weight: stride \(-2, 1\) has a negative step/,
    },
    {
      title: 'stride past the storage',
      name: 'stride-past-storage.pt',
      bytes: container(tensorPickle(4, 0, [2, 2], [1_000_000_000, 1]), { '0': floats(4) }),
      refusal: /weight: size \(2, 2\), stride \(1000000000, 1\) and offset 0 reach past the end of its storage of 4 elements/,
    },
    {
      title: 'storage size that disagrees with its record',
      name: 'storage-size.pt',
      bytes: container(tensorPickle(2 ** 40, 0, [2, 2], [2, 1]), { '0': floats(4) }),
      refusal: /weight: the storage record archive\/data\/0 holds 16 bytes, not 4398046511104/,
    },
    {
      title: 'pickle global outside the allow-list (os.system)',
      name: 'os-system.pt',
      bytes: container(encodePickle(call(global('os', 'system'), tuple('echo pwned')))),
      refusal: /the checkpoint's pickle calls os\.system; only .* are allowed/,
    },
    {
      title: 'pickle global outside the allow-list (builtins.eval via STACK_GLOBAL)',
      name: 'eval.pt',
      bytes: container(rawPickle([0x8c, 8, ...strToU8('builtins'), 0x8c, 4, ...strToU8('eval'), 0x93])),
      refusal: /calls builtins\.eval/,
    },
    {
      title: 'LONG4 claiming a 4 GB integer',
      name: 'long4.pt',
      bytes: container(rawPickle([0x8b, 0xff, 0xff, 0xff, 0xff])),
      refusal: /a LONG4 integer is 4294967295 bytes long; checkpoint integers fit in 8/,
    },
    {
      title: 'lists nested 5,000 deep',
      name: 'deep-nesting.pt',
      bytes: container(deepLists),
      refusal: /the pickle nests containers 65 deep; the limit is 64/,
    },
    {
      title: 'a million opcodes',
      name: 'opcode-flood.pt',
      bytes: container(rawPickle(repeat(600_000, [0x4e, 0x30]), [0x4e])),
      refusal: /the pickle runs past 500000 opcodes/,
    },
  ];
}

/** Hostile tfjs models: a model.json and the weight files it names. */
export function hostileTfjsModels(): { title: string; files: { name: string; bytes: Uint8Array }[]; refusal: RegExp }[] {
  const json = (value: unknown): Uint8Array => strToU8(JSON.stringify(value));
  let nested: unknown = 0;
  for (let i = 0; i < 200; i++) nested = [nested];
  return [
    {
      title: 'tfjs weight with a huge shape',
      files: [
        { name: 'model.json', bytes: json({ modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'CL1/kernel', shape: [100000, 100000, 1, 8], dtype: 'float32' }] }] }) },
        { name: 'weights.bin', bytes: new Uint8Array(16) },
      ],
      refusal: /weight CL1\/kernel has shape \[100000, 100000, 1, 8\], more than 4194304 elements/,
    },
    {
      title: 'tfjs model.json nested 200 deep',
      files: [{ name: 'model.json', bytes: json({ modelTopology: nested, weightsManifest: [] }) }],
      refusal: /model\.json nests objects and arrays more than 64 deep/,
    },
    {
      title: 'tfjs weight with a negative size',
      files: [
        { name: 'model.json', bytes: json({ modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'CL1/kernel', shape: [-3, 3, 1, 8], dtype: 'float32' }] }] }) },
        { name: 'weights.bin', bytes: new Uint8Array(16) },
      ],
      refusal: /model\.json weight CL1\/kernel has shape \[-3,3,1,8\]; sizes must be whole numbers from 0/,
    },
  ];
}

function findBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A valid studio checkpoint of `Classifier(f1, f2)` with small deterministic weights: what must still import after the hostile files. */
export function validCheckpoint(f1 = 8, f2 = 6): Uint8Array {
  const model = filledStateDict(classifier.spec({ f1, f2 }), (_, i) => ((i % 7) - 3) / 50);
  return writeCheckpoint({ model, optimizer: { state: [], paramGroup: defaultAdamParamGroup(1e-3, [0.9, 0.999]) } });
}
