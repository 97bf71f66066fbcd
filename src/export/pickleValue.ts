/**
 * A Python object graph as pickle describes it, without executing anything: calls (`REDUCE`)
 * stay calls, globals stay names. The encoder writes this model; the decoder builds it.
 */

export type PickleValue =
  | null
  | boolean
  | string
  | PickleInt
  | PickleFloat
  | PickleBytes
  | PickleTuple
  | PickleList
  | PickleDict
  | PickleGlobal
  | PicklePersistentId
  | PickleCall;

/** A Python int (always a safe JS integer here). */
export interface PickleInt {
  kind: 'int';
  value: number;
}

/** A Python float (a double). */
export interface PickleFloat {
  kind: 'float';
  value: number;
}

export interface PickleBytes {
  kind: 'bytes';
  value: Uint8Array;
}

export interface PickleTuple {
  kind: 'tuple';
  items: PickleValue[];
}

export interface PickleList {
  kind: 'list';
  items: PickleValue[];
}

export interface PickleDict {
  kind: 'dict';
  entries: [PickleValue, PickleValue][];
}

/** A module-level name such as `collections.OrderedDict`. */
export interface PickleGlobal {
  kind: 'global';
  module: string;
  name: string;
}

/** An object the pickle refers to by id (torch: a storage record in the zip). */
export interface PicklePersistentId {
  kind: 'persistentId';
  id: PickleValue;
}

/**
 * `callable(*args)`, then the items `SETITEM(S)` / `APPEND(S)` added to the result and the
 * state `BUILD` set on it: what Python's `__reduce__` produces.
 */
export interface PickleCall {
  kind: 'call';
  callable: PickleGlobal;
  args: PickleTuple;
  dictItems: [PickleValue, PickleValue][];
  listItems: PickleValue[];
  state?: PickleValue;
}

/** A Python int. */
export function int(value: number): PickleInt {
  if (!Number.isSafeInteger(value)) throw new Error(`not a safe integer: ${value}`);
  return { kind: 'int', value };
}

/** A Python float. */
export function float(value: number): PickleFloat {
  return { kind: 'float', value };
}

/** A Python tuple. */
export function tuple(...items: PickleValue[]): PickleTuple {
  return { kind: 'tuple', items };
}

/** A Python list. */
export function list(items: PickleValue[]): PickleList {
  return { kind: 'list', items };
}

/** A Python dict, in insertion order. */
export function dict(entries: [PickleValue, PickleValue][]): PickleDict {
  return { kind: 'dict', entries };
}

/** A reference to `module.name`. */
export function global(module: string, name: string): PickleGlobal {
  return { kind: 'global', module, name };
}

/** A persistent id: an object stored outside the pickle (torch: a storage record). */
export function persistentId(id: PickleValue): PicklePersistentId {
  return { kind: 'persistentId', id };
}

/** `callable(*args)` with optional dict items and `BUILD` state. */
export function call(
  callable: PickleGlobal,
  args: PickleTuple,
  extra: { dictItems?: [PickleValue, PickleValue][]; state?: PickleValue } = {},
): PickleCall {
  const result: PickleCall = { kind: 'call', callable, args, dictItems: extra.dictItems ?? [], listItems: [] };
  if (extra.state !== undefined) result.state = extra.state;
  return result;
}

/** `collections.OrderedDict` with these entries and, when given, attributes set via `BUILD`. */
export function orderedDict(entries: [PickleValue, PickleValue][], attributes?: PickleDict): PickleCall {
  return call(global('collections', 'OrderedDict'), tuple(), attributes ? { dictItems: entries, state: attributes } : { dictItems: entries });
}
