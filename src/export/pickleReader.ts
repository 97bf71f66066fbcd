import { StudioError } from '../studioError';
import type { PickleCall, PickleGlobal, PickleValue } from './pickleValue';

/** Decoding options: which globals the pickle may name, and how much work it may ask for. */
export interface DecodePickleOptions {
  /** Fully qualified names (`module.name`) the pickle may refer to; any other is refused. */
  allowedGlobals: ReadonlySet<string>;
  /** Most opcodes read before the pickle is refused. */
  maxOpcodes?: number;
  /** Deepest nesting of containers (tuples, lists, dicts, calls). */
  maxDepth?: number;
  /** Most values on the stack, and most memo entries. */
  maxStack?: number;
}

/** Limits that a checkpoint of the studio's models stays far below (its pickle has a few thousand opcodes, depth 6). */
export const DEFAULT_PICKLE_LIMITS = { maxOpcodes: 500_000, maxDepth: 64, maxStack: 100_000 } as const;

/** Widest integer (in bytes) a LONG1/LONG4 may carry: a checkpoint's ints fit in 64 bits. */
const MAX_LONG_BYTES = 8;

/** A pickle that is malformed, that asks for too much, or that names something outside the allow-list. */
export class PickleError extends StudioError {
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
  const maxOpcodes = options.maxOpcodes ?? DEFAULT_PICKLE_LIMITS.maxOpcodes;
  const maxDepth = options.maxDepth ?? DEFAULT_PICKLE_LIMITS.maxDepth;
  const maxStack = options.maxStack ?? DEFAULT_PICKLE_LIMITS.maxStack;
  /** Nesting depth of each container, fixed when it is built and raised when items are added. */
  const depths = new WeakMap<object, number>();
  let position = 0;
  let opcodes = 0;

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

  const depthOf = (value: PickleValue): number => (value !== null && typeof value === 'object' ? (depths.get(value) ?? 0) : 0);
  /** Records that `container` holds `items`, refusing nesting past the limit. */
  const nest = <T extends PickleValue>(container: T, items: readonly PickleValue[]): T => {
    let depth = depthOf(container);
    for (const item of items) depth = Math.max(depth, depthOf(item) + 1);
    if (depth > maxDepth) fail(`the pickle nests containers ${depth} deep; the limit is ${maxDepth}`);
    if (container !== null && typeof container === 'object') depths.set(container, depth);
    return container;
  };
  const push = (value: StackItem): void => {
    if (stack.length >= maxStack) fail(`the pickle holds more than ${maxStack} values on its stack`);
    stack.push(value);
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
    if (!memo.has(index) && memo.size >= maxStack) fail(`the pickle memoizes more than ${maxStack} values`);
    memo.set(index, top());
  };
  const memoGet = (index: number): void => {
    const value = memo.get(index);
    if (value === undefined) fail(`the pickle reads memo entry ${index}, which was never stored`);
    push(value as PickleValue);
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
    let entries: [PickleValue, PickleValue][];
    if (isKind(target, 'dict')) entries = target.entries;
    else if (isKind(target, 'call')) entries = target.dictItems;
    else return fail('SETITEM on something that is not a dict');
    nest(target, pairs);
    for (let i = 0; i < pairs.length; i += 2) entries.push([pairs[i] as PickleValue, pairs[i + 1] as PickleValue]);
  };
  const appendItems = (target: PickleValue, items: PickleValue[]): void => {
    let list: PickleValue[];
    if (isKind(target, 'list')) list = target.items;
    else if (isKind(target, 'call')) list = target.listItems;
    else return fail('APPEND on something that is not a list');
    nest(target, items);
    for (const item of items) list.push(item);
  };
  const makeCall = (callable: PickleValue, args: PickleValue): PickleCall => {
    if (!isKind(callable, 'global')) return fail('the pickle calls something that is not a global');
    if (!isKind(args, 'tuple')) return fail('the pickle calls a global with arguments that are not a tuple');
    return nest<PickleCall>({ kind: 'call', callable, args, dictItems: [], listItems: [] }, [args]);
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
  const long = (count: number, opcode: string): PickleValue => {
    if (count > MAX_LONG_BYTES) fail(`a ${opcode} integer is ${count} bytes long; checkpoint integers fit in ${MAX_LONG_BYTES}`);
    const raw = take(count);
    let value = 0n;
    for (let i = raw.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i] ?? 0);
    if (count > 0 && ((raw[count - 1] ?? 0) & 0x80) !== 0) value -= 1n << BigInt(8 * count);
    return integer(value);
  };

  for (;;) {
    if (++opcodes > maxOpcodes) fail(`the pickle runs past ${maxOpcodes} opcodes`);
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
        push(MARK);
        break;
      case 0x30: // POP
        if (stack.pop() === undefined) fail('the pickle pops an empty stack');
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4b: // BININT1
        push(integer(u8()));
        break;
      case 0x4d: // BININT2
        push(integer(u16()));
        break;
      case 0x4a: // BININT
        push(integer(view.getInt32(need(4), true)));
        break;
      case 0x8a: // LONG1
        push(long(u8(), 'LONG1'));
        break;
      case 0x8b: // LONG4
        push(long(u32(), 'LONG4'));
        break;
      case 0x47: // BINFLOAT
        push({ kind: 'float', value: view.getFloat64(need(8), false) });
        break;
      case 0x58: // BINUNICODE
        push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(text(u8()));
        break;
      case 0x8d: // BINUNICODE8
        push(text(u64()));
        break;
      case 0x43: // SHORT_BINBYTES
        push({ kind: 'bytes', value: take(u8()).slice() });
        break;
      case 0x42: // BINBYTES
        push({ kind: 'bytes', value: take(u32()).slice() });
        break;
      case 0x8e: // BINBYTES8
        push({ kind: 'bytes', value: take(u64()).slice() });
        break;
      case 0x29: // EMPTY_TUPLE
        push({ kind: 'tuple', items: [] });
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const items = [pop()];
        for (let i = 0x85; i < opcode; i++) items.unshift(pop());
        push(nest<PickleValue>({ kind: 'tuple', items }, items));
        break;
      }
      case 0x74: {
        // TUPLE
        const items = popMark();
        push(nest<PickleValue>({ kind: 'tuple', items }, items));
        break;
      }
      case 0x5d: // EMPTY_LIST
        push({ kind: 'list', items: [] });
        break;
      case 0x6c: {
        // LIST
        const items = popMark();
        push(nest<PickleValue>({ kind: 'list', items }, items));
        break;
      }
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
        push({ kind: 'dict', entries: [] });
        break;
      case 0x64: {
        // DICT
        const target: PickleValue = { kind: 'dict', entries: [] };
        setItems(target, popMark());
        push(target);
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
        push(resolveGlobal(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        push(makeCall(pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args), recorded like a call
        const args = pop();
        push(makeCall(pop(), args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = top();
        if (!isKind(target, 'call')) fail('BUILD on something that is not an object');
        nest(target, [state]);
        (target as PickleCall).state = state;
        break;
      }
      case 0x51: {
        // BINPERSID
        const id = pop();
        push(nest<PickleValue>({ kind: 'persistentId', id }, [id]));
        break;
      }
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
