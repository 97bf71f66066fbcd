/**
 * Hydra's override and sweep grammar, as far as a search space needs it: primitives (numbers,
 * booleans, null, quoted or bare strings), lists `[a, b]`, function calls `name(arg, key=value)`
 * and, at the top level of a command-line override, a comma sweep `4,8`. Positions are offsets
 * into the parsed text so that callers can point at the offending character.
 */

/** A parsed value with its [start, end) offsets in the text it came from. */
export type Expr =
  | { kind: 'number'; value: number; text: string; start: number; end: number }
  | { kind: 'string'; value: string; quoted: boolean; start: number; end: number }
  | { kind: 'bool'; value: boolean; start: number; end: number }
  | { kind: 'null'; start: number; end: number }
  | { kind: 'list'; items: Expr[]; start: number; end: number }
  | { kind: 'call'; name: string; args: CallArg[]; start: number; end: number }
  | { kind: 'sweep'; items: Expr[]; start: number; end: number };

/** One argument of a call; `name` is set for `key=value` arguments. */
export interface CallArg {
  name: string | null;
  value: Expr;
  start: number;
}

/** A syntax error at an offset of the parsed text. */
export class GrammarError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'GrammarError';
  }
}

type Token =
  | { kind: 'punct'; char: '(' | ')' | '[' | ']' | ',' | '='; start: number; end: number }
  | { kind: 'word'; text: string; start: number; end: number }
  | { kind: 'quoted'; text: string; start: number; end: number }
  | { kind: 'eof'; start: number; end: number };

const PUNCT = new Set(['(', ')', '[', ']', ',', '=']);
/** Digits with Hydra's separators: one underscore at a time, between digits (`1_000`, `0.000_1`). */
const DIGITS = String.raw`\d(?:_?\d)*`;
const NUMBER = new RegExp(String.raw`^[+-]?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`);
/** Starts like a number and holds an underscore: a digit separator in the wrong place (`1__000`, `1000_`). */
const MISPLACED_SEPARATOR = /^[+-]?\.?\d[\w.+-]*$/;

/**
 * A number in Hydra's grammar, separators and all, or null for text that is not one. Throws for
 * text that is a number but for a misplaced separator, which Hydra also refuses.
 */
export function hydraNumber(text: string): number | null {
  if (NUMBER.test(text)) return Number(text.replace(/_/g, ''));
  if (text.includes('_') && MISPLACED_SEPARATOR.test(text) && NUMBER.test(text.replace(/_/g, ''))) {
    throw new GrammarError(`'${text}': a digit separator goes between two digits, one at a time, as in 1_000`, 0);
  }
  return null;
}
const SPECIAL_NUMBERS: Readonly<Record<string, number>> = {
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  nan: NaN,
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      i += 1;
    } else if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', char: c as '(' | ')' | '[' | ']' | ',' | '=', start: i, end: i + 1 });
      i += 1;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let value = '';
      while (j < text.length && text.charAt(j) !== c) {
        if (text.charAt(j) === '\\' && j + 1 < text.length) j += 1;
        value += text.charAt(j);
        j += 1;
      }
      if (j >= text.length) throw new GrammarError(`unterminated quoted string (missing ${c})`, i);
      tokens.push({ kind: 'quoted', text: value, start: i, end: j + 1 });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/\s/.test(text.charAt(j)) && !PUNCT.has(text.charAt(j)) && !`'"`.includes(text.charAt(j))) {
        j += 1;
      }
      tokens.push({ kind: 'word', text: text.slice(i, j), start: i, end: j });
      i = j;
    }
  }
  tokens.push({ kind: 'eof', start: text.length, end: text.length });
  return tokens;
}

/** Reads a bare word as Hydra does: number, boolean, null, or else a string. */
function primitive(token: { text: string; start: number; end: number }): Expr {
  const { text, start, end } = token;
  const lower = text.toLowerCase();
  let value: number | null;
  try {
    value = hydraNumber(text);
  } catch (error) {
    if (error instanceof GrammarError) throw new GrammarError(error.message, start);
    throw error;
  }
  if (value !== null) return { kind: 'number', value, text, start, end };
  const special = SPECIAL_NUMBERS[lower];
  if (special !== undefined) return { kind: 'number', value: special, text, start, end };
  if (lower === 'true' || lower === 'false') return { kind: 'bool', value: lower === 'true', start, end };
  if (lower === 'null') return { kind: 'null', start, end };
  return { kind: 'string', value: text, quoted: false, start, end };
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of text';
    case 'punct':
      return `'${token.char}'`;
    case 'word':
      return `'${token.text}'`;
    case 'quoted':
      return 'a quoted string';
  }
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)] as Token;
  }

  private take(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index += 1;
    return token;
  }

  private isPunct(token: Token, char: string): boolean {
    return token.kind === 'punct' && token.char === char;
  }

  parseTop(allowSweep: boolean): Expr {
    const first = this.parseValue();
    if (allowSweep && this.isPunct(this.peek(), ',')) {
      const items = [first];
      while (this.isPunct(this.peek(), ',')) {
        this.take();
        items.push(this.parseValue());
      }
      const last = items[items.length - 1] as Expr;
      this.expectEnd();
      return { kind: 'sweep', items, start: first.start, end: last.end };
    }
    this.expectEnd();
    return first;
  }

  private expectEnd(): void {
    const token = this.peek();
    if (token.kind === 'eof') return;
    if (this.isPunct(token, ')')) throw new GrammarError("unbalanced parentheses: unexpected ')'", token.start);
    if (this.isPunct(token, ']')) throw new GrammarError("unbalanced brackets: unexpected ']'", token.start);
    if (this.isPunct(token, ',')) {
      throw new GrammarError('unexpected \',\': write several values as choice(a, b) or [a, b]', token.start);
    }
    throw new GrammarError(`unexpected ${describe(token)} after the value`, token.start);
  }

  private parseValue(): Expr {
    const token = this.take();
    if (token.kind === 'word') {
      if (this.isPunct(this.peek(), '(')) return this.parseCall(token);
      return primitive(token);
    }
    if (token.kind === 'quoted') {
      return { kind: 'string', value: token.text, quoted: true, start: token.start, end: token.end };
    }
    if (this.isPunct(token, '[')) return this.parseList(token.start);
    if (this.isPunct(token, '(')) throw new GrammarError("'(' must follow a function name such as choice", token.start);
    throw new GrammarError(`expected a value, found ${describe(token)}`, token.start);
  }

  private parseList(start: number): Expr {
    const items: Expr[] = [];
    if (this.isPunct(this.peek(), ']')) {
      const close = this.take();
      return { kind: 'list', items, start, end: close.end };
    }
    for (;;) {
      items.push(this.parseValue());
      const next = this.take();
      if (this.isPunct(next, ']')) return { kind: 'list', items, start, end: next.end };
      if (!this.isPunct(next, ',')) {
        if (next.kind === 'eof') throw new GrammarError("unbalanced brackets: missing ']' to close the '[' here", start);
        throw new GrammarError(`expected ',' or ']' in the list, found ${describe(next)}`, next.start);
      }
    }
  }

  private parseCall(nameToken: { text: string; start: number }): Expr {
    const open = this.take();
    const args: CallArg[] = [];
    const unclosed = (): GrammarError =>
      new GrammarError(`unbalanced parentheses: missing ')' to close '${nameToken.text}('`, open.start);
    if (this.isPunct(this.peek(), ')')) {
      const close = this.take();
      return { kind: 'call', name: nameToken.text, args, start: nameToken.start, end: close.end };
    }
    for (;;) {
      const head = this.peek();
      if (head.kind === 'eof') throw unclosed();
      let name: string | null = null;
      if (head.kind === 'word' && this.isPunct(this.peek(1), '=')) {
        name = head.text;
        this.take();
        this.take();
      }
      args.push({ name, value: this.parseValue(), start: head.start });
      const next = this.take();
      if (this.isPunct(next, ')')) {
        return { kind: 'call', name: nameToken.text, args, start: nameToken.start, end: next.end };
      }
      if (!this.isPunct(next, ',')) {
        if (next.kind === 'eof') throw unclosed();
        throw new GrammarError(`expected ',' or ')' in ${nameToken.text}(...), found ${describe(next)}`, next.start);
      }
    }
  }
}

/**
 * Parses one value of Hydra's grammar. With `allowSweep`, a top-level comma list (`4,8`, as on
 * Hydra's command line) becomes a `sweep`. Throws `GrammarError` with the offending offset.
 */
export function parseExpr(text: string, allowSweep = false): Expr {
  if (text.trim() === '') throw new GrammarError('missing value', 0);
  return new Parser(tokenize(text)).parseTop(allowSweep);
}

/** True when a YAML string value is meant as grammar (it has parentheses or brackets). */
export function looksLikeGrammar(text: string): boolean {
  return /[()[\]]/.test(text);
}
