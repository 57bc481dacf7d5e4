// The condition language's syntax tree. The parser (parser.ts) builds it, the
// compiler (compile.ts) turns it into closures once, and evttypes.ts derives
// from it the event types a condition can match. Every node records where it
// starts in the condition text, so errors can point at it.

/** A position inside one condition string: 0-based offset, 1-based line and column. */
export interface Pos {
  offset: number;
  line: number;
  col: number;
}

export type BoolExpr = AndExpr | OrExpr | NotExpr | MacroRef | UnaryCheck | BinaryCheck;

export interface AndExpr {
  kind: 'and';
  pos: Pos;
  children: BoolExpr[];
}

export interface OrExpr {
  kind: 'or';
  pos: Pos;
  children: BoolExpr[];
}

export interface NotExpr {
  kind: 'not';
  pos: Pos;
  child: BoolExpr;
}

/** A bare identifier in boolean position: a reference to a macro. */
export interface MacroRef {
  kind: 'macro';
  pos: Pos;
  name: string;
}

export type UnaryOp = 'exists';

export interface UnaryCheck {
  kind: 'unary';
  pos: Pos;
  op: UnaryOp;
  field: FieldOperand;
}

export type BinaryOp =
  | '='
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'contains'
  | 'icontains'
  | 'bcontains'
  | 'startswith'
  | 'bstartswith'
  | 'endswith'
  | 'glob'
  | 'iglob'
  | 'in'
  | 'intersects'
  | 'pmatch'
  | 'regex';

/**
 * After a string operator, a list of values the operator applies to one by
 * one (`proc.name startswith oneof (a, b)`): oneof holds when exactly one
 * value matches, anyof when at least one does, allof when every one does.
 */
export type Modifier = 'oneof' | 'anyof' | 'allof';

export interface BinaryCheck {
  kind: 'binary';
  pos: Pos;
  op: BinaryOp;
  /** when set, `value` is a list */
  modifier?: Modifier;
  /** position of the operator token */
  opPos: Pos;
  field: FieldOperand;
  value: ValueExpr;
}

/** `proc.aname[2]`, `evt.arg.name`, `jevt.value[/user/name]`. */
export interface FieldRef {
  kind: 'field';
  pos: Pos;
  /** the dotted name as written, e.g. `proc.aname` or `evt.arg.name` */
  name: string;
  /** the text between the brackets, when there are brackets */
  arg?: string;
}

/**
 * A transformer applied to its arguments: `tolower(proc.name)` (one argument:
 * tolower, toupper, b64, basename, len), `join(",", (proc.name, fd.name))`,
 * `concat(proc.name, "-", fd.name)`, `getopt((a, b), "t:")[t]` (several).
 */
export interface TransformRef {
  kind: 'transform';
  pos: Pos;
  name: string;
  args: TransformArg[];
  /** the `[...]` after the closing parenthesis (getopt's option selector) */
  arg?: string;
}

/** A transformer argument: a field or transformer, a quoted string or number, or a list `(a, "b", c.d)`. */
export type TransformArg = FieldOperand | Literal | TransformList;

export interface TransformList {
  kind: 'tlist';
  pos: Pos;
  items: (FieldOperand | Literal)[];
}

export type FieldOperand = FieldRef | TransformRef;

export type ValueExpr = Literal | ListLiteral | FieldValue;

/** A bare word, a number or a quoted string (already unescaped). */
export interface Literal {
  kind: 'literal';
  pos: Pos;
  value: string;
  quoted: boolean;
}

/** `(a, "b c", other_list)`; items that name a list are expanded at compile time. */
export interface ListLiteral {
  kind: 'list';
  pos: Pos;
  items: Literal[];
}

/** `val(proc.pname)`: compare against another field of the same event. */
export interface FieldValue {
  kind: 'fieldvalue';
  pos: Pos;
  field: FieldOperand;
}
