import type { PickleCall, PickleGlobal, PickleValue } from './pickleValue';

/** Decoding options: which globals the pickle may name. */
export interface DecodePickleOptions {
  /** Fully qualified names (`module.name`) the pickle may refer to; any other is refused. */
  allowedGlobals: ReadonlySet<string>;
}

/** A pickle that is malformed, or that names something outside the allow-list. */
export class PickleError extends Error {
  override name = 'PickleError';
}

/** Python 2 module names that protocol 0-2 pickles use, mapped as CPython's `fix_imports` does. */
const PY2_MODULES: Readonly<Record<string, string>> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a pickle (protocols 2 to 5) into a {@link PickleValue} graph. Nothing is executed: a
 * `REDUCE` becomes a call record, and a global outside `allowedGlobals` is refused by name
 * before anything else happens with it.
 */
export function decodePickle(bytes: Uint8Array, options: DecodePickleOptions): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let position = 0;

  const fail = (message: string): never => {
    throw new PickleError(`${message} (at byte ${position} of the pickle)`);
  };
  const need = (count: number): number => {
    if (position + count > bytes.length) fail('the pickle ends early');
    const start = position;
    position += count;
    return start;
  };
  const u8 = (): number => view.getUint8(need(1));
  const u16 = (): number => view.getUint16(need(2), true);
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const start = need(8);
    const value = view.getBigUint64(start, true);
    if (value > BigInt(bytes.length)) fail('a length runs past the end of the pickle');
    return Number(value);
  };
  const take = (count: number): Uint8Array => bytes.subarray(need(count), position);
  const text = (count: number): string => {
    try {
      return utf8.decode(take(count));
    } catch {
      return fail('a string is not valid UTF-8');
    }
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, position);
    if (end < 0) fail('a GLOBAL name is not terminated');
    const value = text(end - position);
    position++;
    return value;
  };

  const pop = (): PickleValue => {
    const item = stack.pop();
    if (item === undefined) return fail('the pickle pops an empty stack');
    if (item === MARK) return fail('the pickle pops a MARK as a value');
    return item;
  };
  const top = (): PickleValue => {
    const item = stack[stack.length - 1];
    if (item === undefined || item === MARK) return fail('the pickle expects a value on the stack');
    return item;
  };
  const popMark = (): PickleValue[] => {
    const markAt = stack.lastIndexOf(MARK);
    if (markAt < 0) fail('the pickle has no MARK to pop to');
    const items = stack.splice(markAt) as PickleValue[];
    items.shift();
    return items;
  };
  const memoPut = (index: number): void => {
    memo.set(index, top());
  };
  const memoGet = (index: number): void => {
    const value = memo.get(index);
    if (value === undefined) fail(`the pickle reads memo entry ${index}, which was never stored`);
    stack.push(value as PickleValue);
  };
  const resolveGlobal = (module: string, name: string): PickleGlobal => {
    const qualified = `${PY2_MODULES[module] ?? module}.${name}`;
    if (!options.allowedGlobals.has(qualified)) {
      throw new PickleError(
        `refused: the checkpoint's pickle calls ${qualified}; only ${[...options.allowedGlobals].join(', ')} are allowed`,
      );
    }
    const dot = qualified.lastIndexOf('.');
    return { kind: 'global', module: qualified.slice(0, dot), name: qualified.slice(dot + 1) };
  };
  const setItems = (target: PickleValue, pairs: PickleValue[]): void => {
    if (pairs.length % 2 !== 0) fail('SETITEMS has an odd number of items');
    const entries: [PickleValue, PickleValue][] = [];
    for (let i = 0; i < pairs.length; i += 2) entries.push([pairs[i] as PickleValue, pairs[i + 1] as PickleValue]);
    if (isKind(target, 'dict')) target.entries.push(...entries);
    else if (isKind(target, 'call')) target.dictItems.push(...entries);
    else fail('SETITEM on something that is not a dict');
  };
  const appendItems = (target: PickleValue, items: PickleValue[]): void => {
    if (isKind(target, 'list')) target.items.push(...items);
    else if (isKind(target, 'call')) target.listItems.push(...items);
    else fail('APPEND on something that is not a list');
  };
  const makeCall = (callable: PickleValue, args: PickleValue): PickleCall => {
    if (!isKind(callable, 'global')) return fail('the pickle calls something that is not a global');
    if (!isKind(args, 'tuple')) return fail('the pickle calls a global with arguments that are not a tuple');
    return { kind: 'call', callable, args, dictItems: [], listItems: [] };
  };
  const integer = (value: number | bigint): PickleValue => {
    if (typeof value === 'bigint') {
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
        fail('an integer is too large for a checkpoint');
      }
      value = Number(value);
    }
    return { kind: 'int', value };
  };
  const long = (count: number): PickleValue => {
    const raw = take(count);
    let value = 0n;
    for (let i = raw.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i] ?? 0);
    if (count > 0 && ((raw[count - 1] ?? 0) & 0x80) !== 0) value -= 1n << BigInt(8 * count);
    return integer(value);
  };

  for (;;) {
    const opcode = u8();
    switch (opcode) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unknown pickle protocol');
        break;
      case 0x95: // FRAME: framing is only a read-ahead hint
        u64();
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(integer(u8()));
        break;
      case 0x4d: // BININT2
        stack.push(integer(u16()));
        break;
      case 0x4a: // BININT
        stack.push(integer(view.getInt32(need(4), true)));
        break;
      case 0x8a: // LONG1
        stack.push(long(u8()));
        break;
      case 0x8b: // LONG4
        stack.push(long(u32()));
        break;
      case 0x47: // BINFLOAT
        stack.push({ kind: 'float', value: view.getFloat64(need(8), false) });
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(u64()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push({ kind: 'bytes', value: take(u8()).slice() });
        break;
      case 0x42: // BINBYTES
        stack.push({ kind: 'bytes', value: take(u32()).slice() });
        break;
      case 0x8e: // BINBYTES8
        stack.push({ kind: 'bytes', value: take(u64()).slice() });
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push({ kind: 'tuple', items: [] });
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const items = [pop()];
        for (let i = 0x85; i < opcode; i++) items.unshift(pop());
        stack.push({ kind: 'tuple', items });
        break;
      }
      case 0x74: // TUPLE
        stack.push({ kind: 'tuple', items: popMark() });
        break;
      case 0x5d: // EMPTY_LIST
        stack.push({ kind: 'list', items: [] });
        break;
      case 0x6c: // LIST
        stack.push({ kind: 'list', items: popMark() });
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        appendItems(top(), [item]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push({ kind: 'dict', entries: [] });
        break;
      case 0x64: {
        // DICT
        const target: PickleValue = { kind: 'dict', entries: [] };
        setItems(target, popMark());
        stack.push(target);
        break;
      }
      case 0x73: {
        // SETITEM
        const item = pop();
        const key = pop();
        setItems(top(), [key, item]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const pairs = popMark();
        setItems(top(), pairs);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(resolveGlobal(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(makeCall(pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args), recorded like a call
        const args = pop();
        stack.push(makeCall(pop(), args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = top();
        if (!isKind(target, 'call')) fail('BUILD on something that is not an object');
        (target as PickleCall).state = state;
        break;
      }
      case 0x51: // BINPERSID
        stack.push({ kind: 'persistentId', id: pop() });
        break;
      case 0x71: // BINPUT
        memoPut(u8());
        break;
      case 0x72: // LONG_BINPUT
        memoPut(u32());
        break;
      case 0x94: // MEMOIZE
        memoPut(memo.size);
        break;
      case 0x68: // BINGET
        memoGet(u8());
        break;
      case 0x6a: // LONG_BINGET
        memoGet(u32());
        break;
      default:
        fail(`unsupported pickle opcode 0x${opcode.toString(16).padStart(2, '0')}`);
    }
  }
}

/** Narrows a pickle value to one of its object kinds. */
export function isKind<K extends Exclude<PickleValue, null | boolean | string>['kind']>(
  value: PickleValue,
  kind: K,
): value is Extract<PickleValue, { kind: K }> {
  return value !== null && typeof value === 'object' && value.kind === kind;
}
