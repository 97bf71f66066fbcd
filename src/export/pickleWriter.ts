import type { PickleValue } from './pickleValue';

/** CPython's pickler batches SETITEMS / APPENDS in runs of this many items. */
const BATCH_SIZE = 1000;

const OP = {
  PROTO: 0x80,
  STOP: 0x2e,
  MARK: 0x28,
  NONE: 0x4e,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  LONG1: 0x8a,
  BINFLOAT: 0x47,
  BINUNICODE: 0x58,
  EMPTY_TUPLE: 0x29,
  TUPLE: 0x74,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  EMPTY_LIST: 0x5d,
  APPEND: 0x61,
  APPENDS: 0x65,
  EMPTY_DICT: 0x7d,
  SETITEM: 0x73,
  SETITEMS: 0x75,
  GLOBAL: 0x63,
  REDUCE: 0x52,
  BUILD: 0x62,
  BINPERSID: 0x51,
  BINPUT: 0x71,
  LONG_BINPUT: 0x72,
  BINGET: 0x68,
  LONG_BINGET: 0x6a,
} as const;

class ByteSink {
  private buffer = new Uint8Array(1 << 14);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  bytes(values: Uint8Array): void {
    this.reserve(values.length);
    this.buffer.set(values, this.length);
    this.length += values.length;
  }

  uint16(value: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, value, true);
    this.length += 2;
  }

  int32(value: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, value, true);
    this.length += 4;
  }

  uint32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }

  float64BigEndian(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, false);
    this.length += 8;
  }

  result(): Uint8Array<ArrayBuffer> {
    return this.buffer.slice(0, this.length);
  }
}

/** Two's-complement little-endian bytes of `value`, as short as Python's `encode_long`. */
function encodeLong(value: number): Uint8Array {
  let big = BigInt(value);
  const out: number[] = [];
  for (;;) {
    const byte = Number(big & 0xffn);
    out.push(byte);
    big >>= 8n;
    const signBitSet = (byte & 0x80) !== 0;
    if ((big === 0n && !signBitSet) || (big === -1n && signBitSet)) break;
  }
  return new Uint8Array(out);
}

const utf8 = new TextEncoder();

/**
 * Pickles `value` with protocol 2 exactly as CPython's `pickle.Pickler` would pickle the
 * equivalent objects: strings and globals are memoised by value (equal strings are one object
 * in the graphs torch saves), containers and calls by identity.
 */
export function encodePickle(value: PickleValue): Uint8Array<ArrayBuffer> {
  const sink = new ByteSink();
  const memoByKey = new Map<string, number>();
  const memoByObject = new Map<object, number>();
  let memoSize = 0;

  const put = (): number => {
    const index = memoSize++;
    if (index < 256) {
      sink.byte(OP.BINPUT);
      sink.byte(index);
    } else {
      sink.byte(OP.LONG_BINPUT);
      sink.uint32(index);
    }
    return index;
  };
  const get = (index: number): void => {
    if (index < 256) {
      sink.byte(OP.BINGET);
      sink.byte(index);
    } else {
      sink.byte(OP.LONG_BINGET);
      sink.uint32(index);
    }
  };
  const memoisedByKey = (key: string, write: () => void): void => {
    const known = memoByKey.get(key);
    if (known !== undefined) return get(known);
    write();
    memoByKey.set(key, put());
  };

  /**
   * CPython's C pickler (the one torch.save uses) batches a list's or dict's own items with
   * MARK ... APPENDS / SETITEMS unless it holds exactly one; items from `__reduce__` (an
   * OrderedDict's) are batched the same way, except that a lone trailing item gets APPEND / SETITEM.
   */
  const batched = (items: readonly (() => void)[], single: number, many: number, fromReduce: boolean): void => {
    if (items.length === 1) {
      items[0]?.();
      return sink.byte(single);
    }
    for (let start = 0; start < items.length; start += BATCH_SIZE) {
      const batch = items.slice(start, start + BATCH_SIZE);
      if (fromReduce && batch.length === 1) {
        batch[0]?.();
        sink.byte(single);
      } else {
        sink.byte(OP.MARK);
        for (const item of batch) item();
        sink.byte(many);
      }
    }
  };
  const setItems = (entries: readonly [PickleValue, PickleValue][], fromReduce: boolean): void =>
    batched(
      entries.map(([key, item]) => () => {
        save(key);
        save(item);
      }),
      OP.SETITEM,
      OP.SETITEMS,
      fromReduce,
    );
  const appends = (items: readonly PickleValue[], fromReduce: boolean): void =>
    batched(
      items.map((item) => () => save(item)),
      OP.APPEND,
      OP.APPENDS,
      fromReduce,
    );

  function save(node: PickleValue): void {
    if (node === null) return sink.byte(OP.NONE);
    if (node === true) return sink.byte(OP.NEWTRUE);
    if (node === false) return sink.byte(OP.NEWFALSE);
    if (typeof node === 'string') {
      return memoisedByKey(`s:${node}`, () => {
        const encoded = utf8.encode(node);
        sink.byte(OP.BINUNICODE);
        sink.uint32(encoded.length);
        sink.bytes(encoded);
      });
    }
    switch (node.kind) {
      case 'int':
        return saveInt(node.value);
      case 'float':
        sink.byte(OP.BINFLOAT);
        return sink.float64BigEndian(node.value);
      case 'bytes':
        throw new Error('bytes need protocol 3; a protocol 2 checkpoint cannot hold them');
      case 'global':
        return memoisedByKey(`g:${node.module}\n${node.name}`, () => {
          sink.byte(OP.GLOBAL);
          sink.bytes(utf8.encode(`${node.module}\n${node.name}\n`));
        });
      case 'persistentId':
        save(node.id);
        return sink.byte(OP.BINPERSID);
      default:
        break;
    }
    const known = memoByObject.get(node);
    if (known !== undefined) return get(known);
    switch (node.kind) {
      case 'tuple': {
        const { items } = node;
        if (items.length === 0) return sink.byte(OP.EMPTY_TUPLE);
        if (items.length > 3) sink.byte(OP.MARK);
        for (const item of items) save(item);
        sink.byte(items.length > 3 ? OP.TUPLE : [OP.TUPLE1, OP.TUPLE2, OP.TUPLE3][items.length - 1]!);
        memoByObject.set(node, put());
        return;
      }
      case 'list':
        sink.byte(OP.EMPTY_LIST);
        memoByObject.set(node, put());
        return appends(node.items, false);
      case 'dict':
        sink.byte(OP.EMPTY_DICT);
        memoByObject.set(node, put());
        return setItems(node.entries, false);
      case 'call':
        save(node.callable);
        save(node.args);
        sink.byte(OP.REDUCE);
        memoByObject.set(node, put());
        appends(node.listItems, true);
        setItems(node.dictItems, true);
        if (node.state !== undefined) {
          save(node.state);
          sink.byte(OP.BUILD);
        }
        return;
    }
  }

  function saveInt(value: number): void {
    if (value >= 0 && value <= 0xff) {
      sink.byte(OP.BININT1);
      sink.byte(value);
    } else if (value >= 0 && value <= 0xffff) {
      sink.byte(OP.BININT2);
      sink.uint16(value);
    } else if (value >= -0x80000000 && value <= 0x7fffffff) {
      sink.byte(OP.BININT);
      sink.int32(value);
    } else {
      const encoded = encodeLong(value);
      sink.byte(OP.LONG1);
      sink.byte(encoded.length);
      sink.bytes(encoded);
    }
  }

  sink.byte(OP.PROTO);
  sink.byte(2);
  save(value);
  sink.byte(OP.STOP);
  return sink.result();
}
