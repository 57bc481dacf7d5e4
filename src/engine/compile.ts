// Compiles a parsed condition, once, into a plan: and/or/not over checks
// whose fields are bound and literals converted (operators.ts). Macros are
// expanded in place (each compiled once per condition and shared), list names
// in list operands are expanded. The plan becomes the evaluator in one of two
// ways: generated code (codegen.ts), or, when a condition is too large for
// that, a tree of closures. Nothing here walks the tree per event.
import type { BinaryCheck, BoolExpr, FieldOperand, Pos, TransformArg } from './ast';
import { generateEvaluator, type EvttypeTest, type Plan } from './codegen';
import { ConditionError } from './errors';
import { checkEventTypeValues, deriveEvttypes } from './evttypes';
import { bindField, resolveField } from './fieldResolve';
import { isLegacyForm, legacyCheck, type LegacyUse } from './legacyListForms';
import { expandList } from './listItems';
import type { Check, Predicate } from './check';
import type { CompileContext, SharedMacro } from './compileContext';
import { existsCheck, fieldCheck, literalCheck, modifierCheck, type Operand } from './operators';
import type { Scalar, Source, Value } from './source';
import { multiTransformer, scalarText } from './multiTransformers';
import { applyTransformer } from './transformers';

export { UnknownFieldError } from './fieldResolve';
export type { CompileContext } from './compileContext';

export interface CompiledCondition<E> {
  evaluate: Predicate<E>;
  /**
   * The evaluator for a caller that asks only about events whose type is in
   * `evttypes` (a Ruleset): the event-type checks that set decides are folded
   * away (see codegen.ts). Generated on the first call; `evaluate` itself
   * when evttypes is 'all' or the condition is too large to generate.
   */
  indexedEvaluate(): Predicate<E>;
  /** event types the condition can match, or 'all' */
  evttypes: ReadonlySet<string> | 'all';
  /** macros used, transitively */
  usedMacros: Set<string>;
  usedLists: Set<string>;
  /** seed-era forms on list fields (legacyListForms.ts), for the loader's warning */
  legacyUses: LegacyUse[];
}

/** Nesting of boolean nodes across macro bodies deeper than this is refused. */
export const MAX_COMPILE_DEPTH = 2000;

/**
 * Checks a condition may stand for once every macro is expanded at every use.
 * The plan shares a macro's body, so memory stays small, but evaluation still
 * walks each use: `m1: (m0 and m0)`, `m2: (m1 and m1)`... doubles the work per
 * level, and forty levels would never finish an event. Falco's own rules stay
 * under a few hundred; an exception with hundreds of thousands of values must
 * still load.
 */
export const MAX_EXPANDED_CHECKS = 1_000_000;

export function compileCondition<E>(ast: BoolExpr, ctx: CompileContext<E>): CompiledCondition<E> {
  const { plan, usedMacros, usedLists, legacyUses } = planCondition(ast, ctx);
  const evaluate = generateEvaluator(plan) ?? closureEvaluator(plan);
  const evttypes = deriveEvttypes(ast, ctx);
  const indexedEvaluate = evttypes === 'all' ? () => evaluate : lazyIndexed(plan, evttypes, evaluate);
  return { evaluate, indexedEvaluate, evttypes, usedMacros, usedLists, legacyUses };
}

/**
 * Generates the indexed evaluator on its first call, then lets the plan go. A
 * function of its own so that its closure holds the plan alone: one written
 * inline in compileCondition would share that scope (the AST, the compile
 * context) for as long as the rule lives (about 4 KB a rule).
 */
function lazyIndexed<E>(plan: Plan<E>, evttypes: ReadonlySet<string>, evaluate: Predicate<E>): () => Predicate<E> {
  let pending: Plan<E> | undefined = plan;
  let indexed: Predicate<E> = evaluate;
  return () => {
    if (pending) {
      indexed = generateEvaluator(pending, evttypes) ?? evaluate;
      pending = undefined;
    }
    return indexed;
  };
}

/** The condition's plan, before it becomes an evaluator. */
export function planCondition<E>(
  ast: BoolExpr,
  ctx: CompileContext<E>,
): { plan: Plan<E>; usedMacros: Set<string>; usedLists: Set<string>; legacyUses: LegacyUse[] } {
  const c = new Compiler(ctx);
  const plan = c.node(ast);
  return { plan, usedMacros: c.usedMacros, usedLists: c.usedLists, legacyUses: c.legacyUses };
}

/** The plan as a tree of closures (shared macro bodies stay shared). */
export function closureEvaluator<E>(plan: Plan<E>, memo = new Map<Plan<E>, Predicate<E>>()): Predicate<E> {
  const done = memo.get(plan);
  if (done) return done;
  let out: Predicate<E>;
  switch (plan.kind) {
    case 'check':
      out = plan.check.test;
      break;
    case 'not': {
      const child = closureEvaluator(plan.child, memo);
      out = (e) => !child(e);
      break;
    }
    case 'and':
      out = conjunction(plan.children.map((c) => closureEvaluator(c, memo)));
      break;
    case 'or':
      out = disjunction(plan.children.map((c) => closureEvaluator(c, memo)));
      break;
  }
  memo.set(plan, out);
  return out;
}

/** Compiles a field operand (with its transformers) to its extractor and type. */
export function compileOperand<E>(operand: FieldOperand, source: Source<E>): Operand<E> {
  if (operand.kind === 'field') {
    const field = resolveField(operand, source);
    return {
      extract: bindField(field, operand.pos),
      type: field.def.type,
      isList: field.def.isList === true,
      any: field.def.anyWithoutArg === true && field.arg === undefined,
      display: field.display,
      pos: operand.pos,
    };
  }
  const args = operand.args.map((a) => compileTransformArg(a, source));
  const display = `${operand.name}(${args.map((a) => a.display).join(',')})${operand.arg === undefined ? '' : `[${operand.arg}]`}`;
  if (!SINGLE_TRANSFORMERS.has(operand.name)) return multiTransformer(operand.name, args, operand.arg, operand.pos, display);
  if (args.length !== 1) throw new ConditionError(`${operand.name}(): takes one argument, got ${args.length}`, operand.pos);
  if (operand.arg !== undefined) throw new ConditionError(`${operand.name}(): takes no [argument], got '[${operand.arg}]'`, operand.pos);
  const inner = args[0];
  if (operand.name === 'len') {
    return { extract: lengthOf(inner, operand.pos), type: 'int', isList: false, any: false, display, pos: operand.pos };
  }
  return {
    extract: applyTransformer(operand.name, inner.extract, inner.type, inner.display, operand.pos),
    type: 'string',
    isList: inner.isList,
    any: inner.any,
    display,
    pos: operand.pos,
  };
}

const SINGLE_TRANSFORMERS: ReadonlySet<string> = new Set(['tolower', 'toupper', 'b64', 'basename', 'len']);

/** A transformer argument: a literal is a constant string (as libs reads numbers there too); a list yields its items' values as text, flattened. */
function compileTransformArg<E>(arg: TransformArg, source: Source<E>): Operand<E> {
  if (arg.kind === 'literal') {
    const v = arg.value;
    return { extract: () => v, type: 'string', isList: false, display: v, pos: arg.pos };
  }
  if (arg.kind !== 'tlist') return compileOperand(arg, source);
  const items = arg.items.map((i) => compileTransformArg(i, source));
  for (const it of items) {
    if (it.any) throw new ConditionError(`'${it.display}' stands for several values and cannot be a list item (write it with an index, e.g. '${it.display}[1]')`, it.pos);
  }
  const xs = items.map((i) => i.extract);
  return {
    extract: (e) => {
      const out: string[] = [];
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i](e);
        if (v === undefined) return undefined;
        if (Array.isArray(v)) for (const x of v as readonly Scalar[]) out.push(scalarText(x));
        else out.push(scalarText(v as Scalar));
      }
      return out;
    },
    type: 'string',
    isList: true,
    display: `(${items.map((i) => i.display).join(',')})`,
    pos: arg.pos,
  };
}

/**
 * len(): as libs, the number of values of a list field (0 when it has none),
 * the bytes of a text (its UTF-8 length) or of a buffer.
 */
function lengthOf<E>(inner: Operand<E>, pos: Pos): (evt: E) => Value {
  const ex = inner.extract;
  if (inner.isList || inner.any) {
    return (e) => {
      const v = ex(e);
      return v === undefined ? 0 : Array.isArray(v) ? v.length : 1;
    };
  }
  if (inner.type !== 'string' && inner.type !== 'bytes') throw new ConditionError(`transformer 'len' does not apply to ${inner.type} field '${inner.display}'`, pos);
  return (e) => {
    const v = ex(e);
    if (v === undefined) return undefined;
    return typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : (v as Uint8Array).length;
  };
}

class Compiler<E> {
  readonly usedMacros = new Set<string>();
  readonly usedLists = new Set<string>();
  readonly legacyUses: LegacyUse[] = [];
  private readonly compiledMacros = new Map<string, Plan<E>>();
  /** expanded size in checks of each plan node built, shared bodies counted at every use */
  private readonly sizes = new Map<Plan<E>, number>();
  /** macros being expanded, outermost first, to report cycles */
  private readonly expanding: string[] = [];
  private depth = 0;
  /** the deepest `depth` reached (a macro compiled alone reports its own nesting) */
  private deepest = 0;

  /** `expanding`, `depth`: where a macro compiled alone for sharing sits in the condition that needs it */
  constructor(private readonly ctx: CompileContext<E>, expanding: readonly string[] = [], depth = 0) {
    this.expanding.push(...expanding);
    this.depth = this.deepest = depth;
  }

  node(n: BoolExpr): Plan<E> {
    if (++this.depth > this.deepest) this.deepest = this.depth;
    if (this.depth > MAX_COMPILE_DEPTH) {
      throw new ConditionError(`condition nests too deeply (more than ${MAX_COMPILE_DEPTH} levels, macros included)`, n.pos);
    }
    try {
      switch (n.kind) {
        case 'and':
        case 'or':
          return this.sized({ kind: n.kind, children: n.children.map((child) => this.node(child)) }, n.pos);
        case 'not':
          return this.sized({ kind: 'not', child: this.node(n.child) }, n.pos);
        case 'macro':
          return this.macro(n.name, n.pos);
        case 'unary':
          return this.sized({ kind: 'check', check: existsCheck(compileOperand(n.field, this.ctx.source)) }, n.pos);
        case 'binary':
          return this.sized(this.binary(n), n.pos);
      }
    } finally {
      this.depth--;
    }
  }

  /** Records `plan`'s expanded size; refuses it, at `pos`, past MAX_EXPANDED_CHECKS. */
  private sized(plan: Plan<E>, pos: Pos): Plan<E> {
    let n = 0;
    switch (plan.kind) {
      case 'check':
        n = 1;
        break;
      case 'not':
        n = this.sizes.get(plan.child)!;
        break;
      default:
        for (const c of plan.children) n += this.sizes.get(c)!;
    }
    if (n > MAX_EXPANDED_CHECKS) {
      throw new ConditionError(`condition expands to more than ${MAX_EXPANDED_CHECKS} checks once its macros are expanded at every use (${n} here)`, pos);
    }
    this.sizes.set(plan, n);
    return plan;
  }

  private macro(name: string, pos: Pos): Plan<E> {
    const done = this.compiledMacros.get(name);
    if (done) return done;
    const shared = this.ctx.sharedMacros;
    if (shared && !this.expanding.includes(name)) {
      let m = shared.get(name);
      if (!m) {
        m = this.compileShared(name, pos);
        shared.set(name, m);
      }
      // Too deep here though not alone: compiled in place below, so the error is where it would be.
      if (this.depth + m.depth <= MAX_COMPILE_DEPTH) {
        this.deepest = Math.max(this.deepest, this.depth + m.depth);
        for (const u of m.usedMacros) this.usedMacros.add(u);
        for (const l of m.usedLists) this.usedLists.add(l);
        for (const use of m.legacyUses) this.legacyUses.push(use);
        this.sizes.set(m.plan, m.size);
        this.compiledMacros.set(name, m.plan);
        return m.plan;
      }
    }
    return this.compileMacro(name, pos);
  }

  /** The macro compiled alone (inside the chain of macros being expanded), for sharing. */
  private compileShared(name: string, pos: Pos): SharedMacro<E> {
    const alone = new Compiler<E>(this.ctx, this.expanding, this.depth);
    const plan = alone.compileMacro(name, pos);
    return { plan, size: alone.sizes.get(plan)!, depth: alone.deepest - this.depth, usedMacros: alone.usedMacros, usedLists: alone.usedLists, legacyUses: alone.legacyUses };
  }

  private compileMacro(name: string, pos: Pos): Plan<E> {
    if (this.expanding.includes(name)) {
      const chain = [...this.expanding.slice(this.expanding.indexOf(name)), name].join(' -> ');
      throw new ConditionError(`macro cycle: ${chain}`, pos);
    }
    const body = this.ctx.macros.get(name);
    if (!body) throw new ConditionError(`undefined macro '${name}'`, pos);
    this.usedMacros.add(name);
    this.expanding.push(name);
    let compiled: Plan<E>;
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

  private binary(n: BinaryCheck): Plan<E> {
    const left = compileOperand(n.field, this.ctx.source);
    const v = n.value;
    if (n.field.kind === 'field' && v.kind === 'literal') {
      const field = resolveField(n.field, this.ctx.source);
      if (isLegacyForm(field.def, n.op)) {
        const { check, use } = legacyCheck(field.def, field.arg, left, n.op, n.opPos, { value: v.value, pos: v.pos });
        const macro = this.expanding[this.expanding.length - 1];
        this.legacyUses.push(macro === undefined ? use : { ...use, macro });
        return { kind: 'check', check };
      }
    }
    if (left.any) return { kind: 'check', check: this.anyCheck(left, n) };
    if (v.kind === 'fieldvalue') return { kind: 'check', check: fieldCheck(left, n.op, n.opPos, compileOperand(v.field, this.ctx.source)) };
    const items = v.kind === 'list' ? expandList(v, this.ctx.lists, this.usedLists) : [{ value: v.value, pos: v.pos }];
    checkEventTypeValues(n.field, n.op, items, this.ctx.source);
    const check = n.modifier ? modifierCheck(left, n.op, n.modifier, n.opPos, items) : literalCheck(left, n.op, n.opPos, items);
    // the forms evttypes.ts derives event types from, on a plain string field
    let evttype: EvttypeTest | undefined;
    const f = n.field;
    if (f.kind === 'field' && f.name === this.ctx.source.eventTypeField && f.arg === undefined && left.type === 'string' && !left.isList) {
      const single = v.kind === 'literal' && (n.op === '=' || n.op === '==' || n.op === '!=');
      const list = v.kind === 'list' && (n.op === 'in' || n.op === 'intersects');
      if (single || list) evttype = { types: new Set(items.map((i) => i.value)), negated: n.op === '!=' };
    }
    return evttype ? { kind: 'check', check, evttype } : { kind: 'check', check };
  }

  /**
   * A check on a field that yields several values and holds when any does
   * (`proc.aname in (sshd, sudo)`): the scalar check is compiled once against
   * a slot that the loop fills with each value in turn.
   */
  private anyCheck(left: Operand<E>, n: BinaryCheck): Check<E> {
    const v = n.value;
    if (v.kind === 'fieldvalue') throw new ConditionError(`val() cannot compare with '${left.display}', which stands for several values`, v.pos);
    let current: Value;
    const scalar: Operand<E> = { ...left, any: false, extract: () => current };
    const items = v.kind === 'list' ? expandList(v, this.ctx.lists, this.usedLists) : [{ value: v.value, pos: v.pos }];
    const one = (n.modifier ? modifierCheck(scalar, n.op, n.modifier, n.opPos, items) : literalCheck(scalar, n.op, n.opPos, items)).test;
    const all = left.extract;
    return {
      test: (e) => {
        const values = all(e);
        if (!Array.isArray(values)) return false;
        for (let i = 0; i < values.length; i++) {
          current = values[i];
          if (one(e)) return true;
        }
        return false;
      },
    };
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
