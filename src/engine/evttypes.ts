// The event types a condition can match, derived from its syntax tree so the
// ruleset can index rules by type. Runs after compilation has validated the
// tree (macros exist, no cycles).
import type { BinaryCheck, BinaryOp, BoolExpr, FieldOperand, TransformArg } from './ast';
import type { CompileContext } from './compileContext';
import { ConditionError } from './errors';
import { expandList } from './listItems';
import type { Source } from './source';
import type { ValueItem } from './typedLiteral';

/** A value compared with the event-type field that names no event the source knows. */
export class UnknownEventTypeError extends ConditionError {
  constructor(
    readonly eventType: string,
    pos: ValueItem['pos'],
  ) {
    super(`unknown event type '${eventType}'`, pos);
    this.name = 'UnknownEventTypeError';
  }
}

/**
 * Throws UnknownEventTypeError for the first of `items` (the literal values
 * of one comparison, lists expanded) that `source` does not know, when the
 * left side is its event-type field (also under transformers, as Falco checks
 * the values whatever the operator). bcontains/bstartswith take hex bytes,
 * not names, so they are left alone.
 */
export function checkEventTypeValues<E>(field: FieldOperand, op: BinaryOp, items: readonly ValueItem[], source: Source<E>): void {
  const known = source.knownEventTypes;
  if (!known || op === 'bcontains' || op === 'bstartswith') return;
  let f: TransformArg = field;
  while (f.kind === 'transform') {
    if (f.args.length !== 1) return;
    f = f.args[0];
  }
  if (f.kind !== 'field') return;
  if (f.name !== source.eventTypeField || f.arg !== undefined) return;
  for (const item of items) if (!known.has(item.value)) throw new UnknownEventTypeError(item.value, item.pos);
}

/** A set of event types, or every type there is. */
type TypeSet = ReadonlySet<string> | typeof ALL;
const ALL = 'all' as const;

/** For one node: the types for which it can be true, and those for which its negation can be. */
interface Pair {
  pos: TypeSet;
  neg: TypeSet;
}

const ANY: Pair = { pos: ALL, neg: ALL };

function union(a: TypeSet, b: TypeSet): TypeSet {
  if (a === ALL || b === ALL) return ALL;
  const out = new Set(a);
  for (const t of b) out.add(t);
  return out;
}

function intersection(a: TypeSet, b: TypeSet): TypeSet {
  if (a === ALL) return b;
  if (b === ALL) return a;
  const out = new Set<string>();
  for (const t of a) if (b.has(t)) out.add(t);
  return out;
}

/**
 * Rule, per node (pos / neg):
 *   evt.type = X, evt.type in (A,B)   {X} / universe\{X}, {A,B} / universe\{A,B}
 *   evt.type != X                     universe\{X} / {X}
 *   any other check                   all / all
 *   a and b                           pos(a) ∩ pos(b) / neg(a) ∪ neg(b)
 *   a or b                            pos(a) ∪ pos(b) / neg(a) ∩ neg(b)
 *   not a                             neg(a) / pos(a)
 *   macro                             its body's pair
 * The result is pos of the root; 'all' when it covers the universe, or when
 * the source has no event-type field.
 */
export function deriveEvttypes<E>(ast: BoolExpr, ctx: CompileContext<E>): ReadonlySet<string> | 'all' {
  const field = ctx.source.eventTypeField;
  if (!field) return ALL;
  const universe = ctx.source.eventTypes ? new Set(ctx.source.eventTypes) : undefined;
  const complement = (s: ReadonlySet<string>): TypeSet => {
    if (!universe) return ALL;
    const out = new Set<string>();
    for (const t of universe) if (!s.has(t)) out.add(t);
    return out;
  };
  const macroPairs = new Map<string, Pair>();

  const check = (n: BinaryCheck): Pair => {
    if (n.field.kind !== 'field' || n.field.name !== field || n.field.arg !== undefined) return ANY;
    const v = n.value;
    let types: Set<string>;
    if (v.kind === 'literal' && (n.op === '=' || n.op === '==' || n.op === '!=')) types = new Set([v.value]);
    else if (v.kind === 'list' && (n.op === 'in' || n.op === 'intersects')) types = new Set(expandList(v, ctx.lists).map((i) => i.value));
    else return ANY;
    const pair = { pos: types, neg: complement(types) };
    return n.op === '!=' ? { pos: pair.neg, neg: pair.pos } : pair;
  };

  const walk = (n: BoolExpr): Pair => {
    switch (n.kind) {
      case 'and': {
        let pos: TypeSet = ALL;
        let neg: TypeSet = new Set<string>();
        for (const c of n.children) {
          const p = walk(c);
          pos = intersection(pos, p.pos);
          neg = union(neg, p.neg);
        }
        return { pos, neg };
      }
      case 'or': {
        let pos: TypeSet = new Set<string>();
        let neg: TypeSet = ALL;
        for (const c of n.children) {
          const p = walk(c);
          pos = union(pos, p.pos);
          neg = intersection(neg, p.neg);
        }
        return { pos, neg };
      }
      case 'not': {
        const p = walk(n.child);
        return { pos: p.neg, neg: p.pos };
      }
      case 'macro': {
        let p = macroPairs.get(n.name);
        if (!p) {
          const body = ctx.macros.get(n.name);
          p = body ? walk(body) : ANY;
          macroPairs.set(n.name, p);
        }
        return p;
      }
      case 'unary':
        return ANY;
      case 'binary':
        return check(n);
    }
  };

  const pos = walk(ast).pos;
  if (pos === ALL) return ALL;
  if (universe) {
    let covers = true;
    for (const t of universe) {
      if (!pos.has(t)) {
        covers = false;
        break;
      }
    }
    if (covers) return ALL;
  }
  return pos;
}
