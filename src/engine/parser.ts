// Parses a condition into the syntax tree of ast.ts. Recursive descent, one
// function per production below; every node records where it starts.
//
// Grammar (EBNF). Words are case-sensitive; blanks separate tokens.
//
//   condition   = orExpr EOF ;
//   orExpr      = andExpr { "or" andExpr } ;
//   andExpr     = notExpr { "and" notExpr } ;
//   notExpr     = "not" notExpr | primary ;
//   primary     = "(" orExpr ")" | check ;
//   check       = operand "exists"
//               | operand stringOp blank modifier blank list   (* list: "(" or a list name follows *)
//               | operand binaryOp value
//               | identifier ;                          (* a macro reference *)
//   operand     = transformer "(" targ { "," targ } ")" [ "[" fieldArg "]" ] | field ;
//   transformer = "tolower" | "toupper" | "b64" | "basename" | "len"     (* one argument *)
//               | "join" | "concat" | "getopt" ;                         (* several; no blank before "(" *)
//   targ        = number | quoted | "(" [ titem { "," titem } ] ")" | operand ;   (* fields here have a dot *)
//   titem       = number | quoted | operand ;
//   field       = name [ "[" fieldArg "]" ] ;
//   fieldArg    = quoted | raw text up to the matching "]" ;
//   binaryOp    = "==" | "=" | "!=" | "<=" | "<" | ">=" | ">"
//               | "contains" | "icontains" | "bcontains" | "startswith" | "bstartswith"
//               | "endswith" | "glob" | "iglob" | "in" | "intersects" | "pmatch" | "regex" ;
//   stringOp    = "==" | "=" | "!=" | "contains" | "icontains" | "bcontains" | "startswith"
//               | "bstartswith" | "endswith" | "glob" | "iglob" | "regex" ;
//   modifier    = "oneof" | "anyof" | "allof" ;       (* not taken before and/or/not: then it is the value *)
//   value       = "val(" field ")"
//               | transformer "(" operand ")"           (* another field, transformed *)
//               | list                                  (* only after in, intersects, pmatch *)
//               | number                                (* only after <, <=, >, >= *)
//               | scalar ;
//   list        = "(" [ scalar { "," scalar } ] ")" | scalar ;   (* a lone scalar may name a list *)
//   scalar      = quoted | bare ;
//
//   name        = [a-zA-Z_][a-zA-Z0-9_]* ( "." [a-zA-Z0-9_]+ )* ;
//   identifier  = a name without dots ;
//   bare        = [^ \t\r\n\f\v(),="']+ ;
//   quoted      = '"' chars '"' | "'" chars "'" ;       (* escapes: \\ \" \' \n \t \r \b \f \v \0 \xHH *)
//   number      = "0" ("x" | "X") hexdigit+ | [+-] digit+ [ "." digit* ] [ ("e" | "E") ("+" | "-") digit+ ] ;
import type {
  BinaryOp,
  Modifier,
  TransformArg,
  BoolExpr,
  FieldOperand,
  FieldRef,
  ListLiteral,
  Literal,
  Pos,
  ValueExpr,
} from './ast';
import { ConditionError } from './errors';

/** A word where an operator belongs; the loader may skip the rule rather than fail. */
export class UnknownOperatorError extends ConditionError {
  constructor(
    readonly operator: string,
    message: string,
    pos: Pos,
  ) {
    super(message, pos);
    this.name = 'UnknownOperatorError';
  }
}

/** Nesting deeper than this (parentheses, `not`, transformers) is refused rather than risk the stack. */
export const MAX_PARSE_DEPTH = 1000;

const SYMBOL_OPS: readonly BinaryOp[] = ['==', '=', '!=', '<=', '<', '>=', '>'];
const WORD_OPS: ReadonlySet<string> = new Set<BinaryOp>([
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'glob',
  'iglob',
  'in',
  'intersects',
  'pmatch',
  'regex',
]);
/** Operators whose right side is a number. */
const ORDER_OPS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=']);
/** Operators a modifier (oneof, anyof, allof) may follow. */
export const MODIFIABLE_OPS: ReadonlySet<string> = new Set([
  '==',
  '=',
  '!=',
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'glob',
  'iglob',
  'regex',
]);
export const MODIFIERS: ReadonlySet<string> = new Set<Modifier>(['oneof', 'anyof', 'allof']);
/** Operators whose right side is a list `(a, b)`. */
export const LIST_OPS: ReadonlySet<string> = new Set(['in', 'intersects', 'pmatch']);
/** Every binary operator of the language. */
export const BINARY_OPS: ReadonlySet<string> = new Set<string>([...SYMBOL_OPS, ...WORD_OPS]);
export const TRANSFORMERS: ReadonlySet<string> = new Set(['tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt']);
const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not']);

const NAME_RE = /[a-zA-Z_][a-zA-Z0-9_]*(?:\.[a-zA-Z0-9_]+)*/y;
const BARE_RE = /[^ \t\r\n\f\v(),="']+/y;
const NUMBER_RE = /0[xX][0-9a-fA-F]+|[+-]?[0-9]+\.?[0-9]*(?:[eE][+-][0-9]+)?/y;

/** Maps offsets in one text to 1-based lines and columns. */
export class PositionMap {
  private readonly lineStarts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }
  at(offset: number): Pos {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, col: offset - starts[lo] + 1 };
  }
}

/** Parses one condition; throws ConditionError with the position inside `text`. */
export function parseCondition(text: string): BoolExpr {
  return new Parser(text).condition();
}

/**
 * A field operand (`proc.name`, `tolower(proc.name)`) starting at `start` in
 * `text`, and where it ends; for outputs, which embed operands in free text.
 */
export function parseOperandAt(text: string, start: number): { operand: FieldOperand; end: number } {
  return new Parser(text).operandAt(start);
}

/** What a quoted string (all of `text`, quotes included) means in a condition; throws ConditionError on a bad escape. */
export function quotedText(text: string): string {
  return new Parser(text).wholeQuoted();
}

function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** The text of a token for messages: the next word or character, or "end of condition". */
function describeAt(text: string, i: number): string {
  if (i >= text.length) return 'end of condition';
  NAME_RE.lastIndex = i;
  const m = NAME_RE.exec(text);
  if (m) return `'${m[0]}'`;
  BARE_RE.lastIndex = i;
  const b = BARE_RE.exec(text);
  if (b && b[0].length > 1) return `'${b[0]}'`;
  return `'${text[i]}'`;
}

class Parser {
  private i = 0;
  private depth = 0;
  private readonly positions: PositionMap;

  constructor(private readonly text: string) {
    this.positions = new PositionMap(text);
  }

  condition(): BoolExpr {
    this.skipBlanks();
    if (this.i >= this.text.length) throw this.error('empty condition', this.i);
    const expr = this.orExpr();
    this.skipBlanks();
    if (this.i < this.text.length) throw this.error(`unexpected ${describeAt(this.text, this.i)}`, this.i);
    return expr;
  }

  private orExpr(): BoolExpr {
    const start = this.skipBlanks();
    const children = [this.andExpr()];
    while (this.keyword('or')) children.push(this.andExpr());
    return children.length === 1 ? children[0] : { kind: 'or', pos: this.pos(start), children };
  }

  private andExpr(): BoolExpr {
    const start = this.skipBlanks();
    const children = [this.notExpr()];
    while (this.keyword('and')) children.push(this.notExpr());
    return children.length === 1 ? children[0] : { kind: 'and', pos: this.pos(start), children };
  }

  private notExpr(): BoolExpr {
    const start = this.skipBlanks();
    if (this.keyword('not')) {
      this.enter(start);
      const child = this.notExpr();
      this.depth--;
      return { kind: 'not', pos: this.pos(start), child };
    }
    return this.primary();
  }

  private primary(): BoolExpr {
    const start = this.skipBlanks();
    if (this.peek() === '(') {
      this.enter(start);
      this.i++;
      this.skipBlanks();
      if (this.peek() === ')') throw this.error("expected a condition after '('", this.i);
      const inner = this.orExpr();
      this.skipBlanks();
      if (this.peek() !== ')') {
        throw this.error(`expected ')' to close the '(' at ${this.pos(start).line}:${this.pos(start).col}, found ${describeAt(this.text, this.i)}`, this.i);
      }
      this.i++;
      this.depth--;
      return inner;
    }
    return this.check();
  }

  private check(): BoolExpr {
    const start = this.skipBlanks();
    if (this.i >= this.text.length) throw this.error('expected a condition, found end of condition', this.i);
    const name = this.peekName();
    if (name === undefined || KEYWORDS.has(name)) {
      throw this.error(`unexpected ${describeAt(this.text, this.i)}`, this.i);
    }
    const operand = this.operand();
    const afterOperand = this.i;
    this.skipBlanks();
    const opStart = this.i;
    const op = this.binaryOp();
    if (op === undefined) {
      if (this.word() === 'exists') {
        return { kind: 'unary', pos: this.pos(start), op: 'exists', field: operand };
      }
      if (operand.kind === 'field' && operand.arg === undefined && !operand.name.includes('.')) {
        this.i = afterOperand;
        return { kind: 'macro', pos: operand.pos, name: operand.name };
      }
      this.i = opStart;
      const what = operand.kind === 'field' ? `field '${operand.name}'` : `'${operand.name}(...)'`;
      const message = `expected an operator after ${what}, found ${describeAt(this.text, this.i)}`;
      // a word where the operator goes may be an operator of Falco's that Vigil lacks (regex...)
      const word = this.peekName();
      if (word !== undefined && !KEYWORDS.has(word) && !word.includes('.')) throw new UnknownOperatorError(word, message, this.pos(opStart));
      throw this.error(message, this.i);
    }
    const modifier = MODIFIABLE_OPS.has(op) ? this.modifier() : undefined;
    if (modifier) return { kind: 'binary', pos: this.pos(start), op, modifier, opPos: this.pos(opStart), field: operand, value: this.list(op) };
    const value = this.value(op);
    return { kind: 'binary', pos: this.pos(start), op, opPos: this.pos(opStart), field: operand, value };
  }

  private operand(): FieldOperand {
    const start = this.skipBlanks();
    const name = this.peekName();
    if (name === undefined) throw this.error(`expected a field, found ${describeAt(this.text, this.i)}`, this.i);
    if (TRANSFORMERS.has(name) && this.text[this.i + name.length] === '(') {
      this.enter(start);
      this.i += name.length + 1;
      const args: TransformArg[] = [];
      for (;;) {
        args.push(this.transformArg(name));
        this.skipBlanks();
        if (this.peek() !== ',') break;
        this.i++;
      }
      if (this.peek() !== ')') throw this.error(`expected ',' or ')' after an argument of '${name}(', found ${describeAt(this.text, this.i)}`, this.i);
      this.i++;
      const arg = this.peek() === '[' ? this.bracketArg(name) : undefined;
      this.depth--;
      const pos = this.pos(start);
      return arg === undefined ? { kind: 'transform', pos, name, args } : { kind: 'transform', pos, name, args, arg };
    }
    return this.field();
  }

  /** One argument of transformer `name`: a number, a quoted string, a list, a field or another transformer. */
  private transformArg(name: string): TransformArg {
    const start = this.skipBlanks();
    if (this.peek() !== '(') return this.transformItem(name);
    this.enter(start);
    this.i++;
    const items: (FieldOperand | Literal)[] = [];
    this.skipBlanks();
    if (this.peek() !== ')') {
      for (;;) {
        items.push(this.transformItem(name));
        this.skipBlanks();
        if (this.peek() !== ',') break;
        this.i++;
      }
      if (this.peek() !== ')') throw this.error(`expected ',' or ')' in a list argument of '${name}(', found ${describeAt(this.text, this.i)}`, this.i);
    }
    this.i++;
    this.depth--;
    return { kind: 'tlist', pos: this.pos(start), items };
  }

  private transformItem(name: string): FieldOperand | Literal {
    const start = this.skipBlanks();
    NUMBER_RE.lastIndex = this.i;
    const num = NUMBER_RE.exec(this.text);
    if (num) {
      this.i += num[0].length;
      return { kind: 'literal', pos: this.pos(start), value: num[0], quoted: false };
    }
    const c = this.peek();
    if (c === '"' || c === "'") return { kind: 'literal', pos: this.pos(start), value: this.quoted(), quoted: true };
    const word = this.peekName();
    if (word !== undefined && (word.includes('.') || (TRANSFORMERS.has(word) && this.text[this.i + word.length] === '('))) return this.operand();
    throw this.error(`expected an argument of '${name}(' (a field, a transformer, a quoted string, a number or a list), found ${describeAt(this.text, this.i)}`, this.i);
  }

  private field(): FieldRef {
    const start = this.i;
    const name = this.peekName()!;
    this.i += name.length;
    if (this.peek() !== '[') return { kind: 'field', pos: this.pos(start), name };
    return { kind: 'field', pos: this.pos(start), name, arg: this.bracketArg(name) };
  }

  /** The `[...]` at the cursor after `name`: a quoted string, or raw text up to the matching ']'. */
  private bracketArg(name: string): string {
    const open = this.i;
    this.i++;
    const q = this.peek();
    if (q === '"' || q === "'") {
      const arg = this.quoted();
      if (this.peek() !== ']') throw this.error(`expected ']' after the quoted argument of '${name}'`, this.i);
      this.i++;
      return arg;
    }
    let depth = 1;
    let j = this.i;
    for (; j < this.text.length; j++) {
      const c = this.text[j];
      if (c === '[') depth++;
      else if (c === ']' && --depth === 0) break;
    }
    if (j >= this.text.length) throw this.error(`unterminated argument of '${name}': no matching ']'`, open);
    const arg = this.text.slice(this.i, j);
    this.i = j + 1;
    return arg;
  }

  private binaryOp(): BinaryOp | undefined {
    for (const op of SYMBOL_OPS) {
      if (this.text.startsWith(op, this.i)) {
        this.i += op.length;
        return op;
      }
    }
    const name = this.peekName();
    if (name !== undefined && WORD_OPS.has(name)) {
      this.i += name.length;
      return name as BinaryOp;
    }
    return undefined;
  }

  /**
   * A modifier after a string operator, as libs reads one: a blank before and
   * after it, then '(' or a list name that is not and/or/not. Otherwise the
   * cursor stays and the word is the operator's value (`proc.name = oneof`).
   */
  private modifier(): Modifier | undefined {
    const save = this.i;
    if (!isBlank(this.text.charCodeAt(this.i))) return undefined;
    this.skipBlanks();
    const word = this.peekName();
    if (word !== undefined && MODIFIERS.has(word) && isBlank(this.text.charCodeAt(this.i + word.length))) {
      const at = this.i;
      this.i += word.length;
      this.skipBlanks();
      if (this.peek() === '(' || (/^[a-zA-Z]/.test(this.peek() ?? '') && !/^(and|or|not)(?![a-zA-Z0-9])/.test(this.text.slice(this.i, this.i + 4)))) {
        return word as Modifier;
      }
      this.i = at;
    }
    this.i = save;
    return undefined;
  }

  private value(op: BinaryOp): ValueExpr {
    const start = this.skipBlanks();
    if (this.text.startsWith('val(', this.i)) {
      this.enter(start);
      this.i += 4;
      this.skipBlanks();
      const inner = this.peekName();
      if (inner !== undefined && TRANSFORMERS.has(inner) && this.text[this.i + inner.length] === '(') {
        throw this.error(`val() takes a field, not a transformer (as in Falco): compare with '${inner}(...)' itself, without val()`, this.i);
      }
      const field = this.operand();
      this.skipBlanks();
      if (this.peek() !== ')') throw this.error(`expected ')' after the field of 'val(', found ${describeAt(this.text, this.i)}`, this.i);
      this.i++;
      this.depth--;
      return { kind: 'fieldvalue', pos: this.pos(start), field };
    }
    const name = this.peekName();
    if (name !== undefined && TRANSFORMERS.has(name) && this.text[this.i + name.length] === '(') {
      return { kind: 'fieldvalue', pos: this.pos(start), field: this.operand() };
    }
    if (LIST_OPS.has(op)) return this.list(op);
    if (ORDER_OPS.has(op)) {
      // as libs' grammar: after <, <=, >, >= only a number (or a field through a transformer or val())
      NUMBER_RE.lastIndex = this.i;
      const num = NUMBER_RE.exec(this.text);
      if (!num) throw this.error(`expected a number after '${op}', found ${describeAt(this.text, this.i)}`, this.i);
      this.i += num[0].length;
      return { kind: 'literal', pos: this.pos(start), value: num[0], quoted: false };
    }
    if (this.peek() === '(') throw this.error(`operator '${op}' takes a single value, not a list`, this.i);
    const v = this.scalar();
    if (v === undefined) throw this.error(`expected a value after '${op}', found ${describeAt(this.text, this.i)}`, this.i);
    return v;
  }

  private list(op: BinaryOp): ListLiteral {
    const start = this.i;
    if (this.peek() !== '(') {
      const single = this.scalar();
      if (single === undefined) throw this.error(`expected a value after '${op}', found ${describeAt(this.text, this.i)}`, this.i);
      return { kind: 'list', pos: single.pos, items: [single] };
    }
    this.i++;
    const items: Literal[] = [];
    this.skipBlanks();
    if (this.peek() === ')') {
      this.i++;
      return { kind: 'list', pos: this.pos(start), items };
    }
    for (;;) {
      this.skipBlanks();
      const item = this.scalar();
      if (item === undefined) throw this.error(`expected a list item, found ${describeAt(this.text, this.i)}`, this.i);
      items.push(item);
      this.skipBlanks();
      const c = this.peek();
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ')') {
        this.i++;
        return { kind: 'list', pos: this.pos(start), items };
      }
      if (c === undefined) throw this.error(`unterminated list: expected ')' to close the '(' at ${this.pos(start).line}:${this.pos(start).col}`, this.i);
      throw this.error(`expected ',' or ')' in list, found ${describeAt(this.text, this.i)}`, this.i);
    }
  }

  private scalar(): Literal | undefined {
    const start = this.i;
    const c = this.peek();
    if (c === '"' || c === "'") return { kind: 'literal', pos: this.pos(start), value: this.quoted(), quoted: true };
    BARE_RE.lastIndex = this.i;
    const m = BARE_RE.exec(this.text);
    if (!m) return undefined;
    this.i += m[0].length;
    return { kind: 'literal', pos: this.pos(start), value: m[0], quoted: false };
  }

  operandAt(start: number): { operand: FieldOperand; end: number } {
    this.i = start;
    const operand = this.operand();
    return { operand, end: this.i };
  }

  /** The whole text as one quoted string. */
  wholeQuoted(): string {
    const v = this.quoted();
    if (this.i < this.text.length) throw this.error(`unexpected ${describeAt(this.text, this.i)} after the string`, this.i);
    return v;
  }

  /** A quoted string at the cursor, unescaped; the cursor moves past the closing quote. */
  private quoted(): string {
    const start = this.i;
    const quote = this.text[this.i++];
    let out = '';
    for (;;) {
      if (this.i >= this.text.length) throw this.error('unterminated string', start);
      const c = this.text[this.i];
      if (c === quote) {
        this.i++;
        return out;
      }
      if (c !== '\\') {
        out += c;
        this.i++;
        continue;
      }
      const e = this.text[this.i + 1];
      if (e === undefined) throw this.error('unterminated string', start);
      const at = this.i;
      this.i += 2;
      // exactly the escapes Falco's filter parser takes; any other is an error there too
      switch (e) {
        case '\\':
        case ' ': // Falco reads "\ " as one backslash, for rules written with that mistake
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case '"':
        case "'":
          if (e !== quote) throw this.error(`invalid \\${e} escape in a ${quote}-quoted string`, at);
          out += e;
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'x': {
          const hex = this.text.slice(this.i, this.i + 2);
          if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw this.error('expected two hex digits after \\x', this.i - 2);
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 2;
          break;
        }
        default:
          throw this.error(`unsupported escape \\${e} in a string (Falco takes \\\\ \\/ \\" \\' \\b \\f \\n \\r \\t \\xHH)`, at);
      }
    }
  }

  /** Consumes `word` when it stands alone at the cursor (after blanks). */
  private keyword(word: string): boolean {
    const save = this.i;
    this.skipBlanks();
    if (this.peekName() === word) {
      this.i += word.length;
      return true;
    }
    this.i = save;
    return false;
  }

  /** Consumes and returns the name at the cursor, or undefined. */
  private word(): string | undefined {
    const name = this.peekName();
    if (name !== undefined) this.i += name.length;
    return name;
  }

  private peekName(): string | undefined {
    NAME_RE.lastIndex = this.i;
    const m = NAME_RE.exec(this.text);
    return m ? m[0] : undefined;
  }

  private peek(): string | undefined {
    return this.i < this.text.length ? this.text[this.i] : undefined;
  }

  private skipBlanks(): number {
    const t = this.text;
    while (this.i < t.length && isBlank(t.charCodeAt(this.i))) this.i++;
    return this.i;
  }

  private enter(at: number): void {
    if (++this.depth > MAX_PARSE_DEPTH) throw this.error(`condition nests too deeply (more than ${MAX_PARSE_DEPTH} levels)`, at);
  }

  private pos(offset: number): Pos {
    return this.positions.at(offset);
  }

  private error(message: string, offset: number): ConditionError {
    return new ConditionError(message, this.pos(offset));
  }
}
