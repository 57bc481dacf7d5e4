// Compiles a parsed condition into a tree of closures, once. Macros are
// expanded in place (each compiled once per condition and shared), list names
// in list operands are expanded, fields are bound, literals converted. Nothing
// here walks the tree per event.
import type { BinaryCheck, BoolExpr, FieldOperand, Pos } from './ast';
import { ConditionError } from './errors';
import { deriveEvttypes } from './evttypes';
import { bindField, resolveField } from './fieldResolve';
import { expandList } from './listItems';
import { existsPredicate, fieldPredicate, literalPredicate, type Operand, type Predicate } from './operators';
import type { Source } from './source';
import { applyTransformer } from './transformers';

export { UnknownFieldError } from './fieldResolve';

export interface CompileContext<E> {
  source: Source<E>;
  /** macro name -> parsed body */
  macros: ReadonlyMap<string, BoolExpr>;
  /** list name -> items (nested lists already flattened) */
  lists: ReadonlyMap<string, readonly string[]>;
}

export interface CompiledCondition<E> {
  evaluate: (evt: E) => boolean;
  /** event types the condition can match, or 'all' */
  evttypes: ReadonlySet<string> | 'all';
  /** macros used, transitively */
  usedMacros: Set<string>;
  usedLists: Set<string>;
}

/** Nesting of boolean nodes across macro bodies deeper than this is refused. */
export const MAX_COMPILE_DEPTH = 2000;

export function compileCondition<E>(ast: BoolExpr, ctx: CompileContext<E>): CompiledCondition<E> {
  const c = new Compiler(ctx);
  const evaluate = c.node(ast);
  return { evaluate, evttypes: deriveEvttypes(ast, ctx), usedMacros: c.usedMacros, usedLists: c.usedLists };
}

/** Compiles a field operand (with its transformers) to its extractor and type. */
export function compileOperand<E>(operand: FieldOperand, source: Source<E>): Operand<E> {
  if (operand.kind === 'field') {
    const field = resolveField(operand, source);
    return {
      extract: bindField(field, operand.pos),
      type: field.def.type,
      isList: field.def.isList === true,
      display: field.display,
      pos: operand.pos,
    };
  }
  const inner = compileOperand(operand.operand, source);
  return {
    extract: applyTransformer(operand.name, inner.extract, inner.type, inner.display, operand.pos),
    type: 'string',
    isList: inner.isList,
    display: `${operand.name}(${inner.display})`,
    pos: operand.pos,
  };
}

class Compiler<E> {
  readonly usedMacros = new Set<string>();
  readonly usedLists = new Set<string>();
  private readonly compiledMacros = new Map<string, Predicate<E>>();
  /** macros being expanded, outermost first, to report cycles */
  private readonly expanding: string[] = [];
  private depth = 0;

  constructor(private readonly ctx: CompileContext<E>) {}

  node(n: BoolExpr): Predicate<E> {
    if (++this.depth > MAX_COMPILE_DEPTH) {
      throw new ConditionError(`condition nests too deeply (more than ${MAX_COMPILE_DEPTH} levels, macros included)`, n.pos);
    }
    try {
      switch (n.kind) {
        case 'and':
          return conjunction(n.children.map((child) => this.node(child)));
        case 'or':
          return disjunction(n.children.map((child) => this.node(child)));
        case 'not': {
          const child = this.node(n.child);
          return (e) => !child(e);
        }
        case 'macro':
          return this.macro(n.name, n.pos);
        case 'unary':
          return existsPredicate(compileOperand(n.field, this.ctx.source));
        case 'binary':
          return this.binary(n);
      }
    } finally {
      this.depth--;
    }
  }

  private macro(name: string, pos: Pos): Predicate<E> {
    const done = this.compiledMacros.get(name);
    if (done) return done;
    if (this.expanding.includes(name)) {
      const chain = [...this.expanding.slice(this.expanding.indexOf(name)), name].join(' -> ');
      throw new ConditionError(`macro cycle: ${chain}`, pos);
    }
    const body = this.ctx.macros.get(name);
    if (!body) throw new ConditionError(`undefined macro '${name}'`, pos);
    this.usedMacros.add(name);
    this.expanding.push(name);
    let compiled: Predicate<E>;
    try {
      compiled = this.node(body);
    } catch (err) {
      // the innermost macro owns the error: its position is inside that macro's text
      if (err instanceof ConditionError && err.macro === undefined) err.macro = name;
      throw err;
    } finally {
      this.expanding.pop();
    }
    this.compiledMacros.set(name, compiled);
    return compiled;
  }

  private binary(n: BinaryCheck): Predicate<E> {
    const left = compileOperand(n.field, this.ctx.source);
    const v = n.value;
    if (v.kind === 'fieldvalue') return fieldPredicate(left, n.op, n.opPos, compileOperand(v.field, this.ctx.source));
    if (v.kind === 'list') return literalPredicate(left, n.op, n.opPos, expandList(v, this.ctx.lists, this.usedLists));
    return literalPredicate(left, n.op, n.opPos, [{ value: v.value, pos: v.pos }]);
  }
}

// `and`/`or` over two or three children are single closures; longer chains are
// split in halves, so evaluation keeps left-to-right short-circuit order with
// call depth growing only logarithmically.
function conjunction<E>(ps: Predicate<E>[]): Predicate<E> {
  switch (ps.length) {
    case 1:
      return ps[0];
    case 2: {
      const [a, b] = ps;
      return (e) => a(e) && b(e);
    }
    case 3: {
      const [a, b, c] = ps;
      return (e) => a(e) && b(e) && c(e);
    }
    default: {
      const mid = ps.length >> 1;
      const a = conjunction(ps.slice(0, mid));
      const b = conjunction(ps.slice(mid));
      return (e) => a(e) && b(e);
    }
  }
}

function disjunction<E>(ps: Predicate<E>[]): Predicate<E> {
  switch (ps.length) {
    case 1:
      return ps[0];
    case 2: {
      const [a, b] = ps;
      return (e) => a(e) || b(e);
    }
    case 3: {
      const [a, b, c] = ps;
      return (e) => a(e) || b(e) || c(e);
    }
    default: {
      const mid = ps.length >> 1;
      const a = disjunction(ps.slice(0, mid));
      const b = disjunction(ps.slice(mid));
      return (e) => a(e) || b(e);
    }
  }
}
