// Turns a condition's plan into one JavaScript function, once, with
// `new Function`. Why: a tree of shared closures gives every rule the same
// call sites (`ex(e)`, `a(e) && b(e)`), which go megamorphic across rules, so
// V8 inlines nothing. A function per condition has its own call sites and
// type feedback, so extractors and string methods inline as in hand-written
// code.
//
// Safety: the generated text holds only generated identifiers (`k0`, `k1`),
// operators, small integers we computed, and the fixed code in each check's
// `emit`. Every value that comes from rules text (strings, sets, regexps) and
// every extractor goes in through the constants array `k`, never into the
// source.
//
// Event-type folding: a Ruleset tries a rule only on events whose type is in
// the rule's evttypes set, so for that caller the checks on the event-type
// field (`evt.type in (open, openat)`) that the set already decides are
// replaced by true or false before generating, and and/or/not simplified.
// That assumes what the index assumes: the source's eventType(evt) equals
// the value of its event-type field. The plain `evaluate` folds nothing.
import type { Check, Emitter, Predicate } from './check';

/** A condition after compilation: boolean structure over checks. Macro bodies are shared nodes. */
export type Plan<E> =
  | { kind: 'and'; children: Plan<E>[] }
  | { kind: 'or'; children: Plan<E>[] }
  | { kind: 'not'; child: Plan<E> }
  | { kind: 'check'; check: Check<E>; evttype?: EvttypeTest };

/** A check on the source's event-type field: true when (type ∈ types) !== negated. */
export interface EvttypeTest {
  types: ReadonlySet<string>;
  negated: boolean;
}

/**
 * Expanded size, in checks, above which a condition is not generated (macros
 * are inlined at every use, so a macro used twice in a macro used twice...
 * grows exponentially); the caller keeps the closure evaluator then.
 */
export const MAX_GENERATED_CHECKS = 5000;

/**
 * The generated evaluator of `plan`; with `known`, for events whose type is
 * in `known` only. Undefined when the condition is too large to generate.
 */
export function generateEvaluator<E>(plan: Plan<E>, known?: ReadonlySet<string>): Predicate<E> | undefined {
  const folded = foldEvttypes(plan, known, new Map());
  if (typeof folded === 'boolean') return folded ? () => true : () => false;
  if (expandedSize(folded, new Map()) > MAX_GENERATED_CHECKS) return undefined;
  const values: unknown[] = [];
  const ids = new Map<unknown, string>();
  const g: Emitter = {
    ref(value) {
      let id = ids.get(value);
      if (id === undefined) {
        id = `k${values.length}`;
        ids.set(value, id);
        values.push(value);
      }
      return id;
    },
    int(n) {
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`internal: ${n} is not a small integer`);
      return String(n);
    },
  };
  const expr = emit(folded, g);
  const consts = values.length === 0 ? '' : `const ${values.map((_, i) => `k${i} = k[${i}]`).join(', ')};\n`;
  const body = `'use strict';\n${consts}return function evaluate(e) {\n  let v;\n  return ${expr};\n};`;
  try {
    return new Function('k', body)(values) as Predicate<E>;
  } catch (err) {
    // a condition nested deeper than V8's parser recursion allows, or code
    // generation disabled (--disallow-code-generation-from-strings)
    if (err instanceof RangeError || err instanceof EvalError) return undefined;
    throw err;
  }
}

function emit<E>(p: Plan<E>, g: Emitter): string {
  switch (p.kind) {
    case 'and':
      return `(${p.children.map((c) => emit(c, g)).join(' && ')})`;
    case 'or':
      return `(${p.children.map((c) => emit(c, g)).join(' || ')})`;
    case 'not':
      return `!${emit(p.child, g)}`;
    case 'check':
      return `(${p.check.emit ? p.check.emit(g) : `${g.ref(p.check.test)}(e)`})`;
  }
}

/**
 * `plan` for events whose type is in `known` (any type when undefined): decided event-type checks become
 * constants and drop out of and/or; nested and/or flatten and double negations
 * cancel (every check yields a boolean). Memoized per node, so shared macro
 * bodies are folded once.
 */
export function foldEvttypes<E>(p: Plan<E>, known: ReadonlySet<string> | undefined, memo: Map<Plan<E>, Plan<E> | boolean>): Plan<E> | boolean {
  const done = memo.get(p);
  if (done !== undefined) return done;
  let out: Plan<E> | boolean;
  switch (p.kind) {
    case 'check':
      out = p.evttype && known ? decide(p.evttype, known) ?? p : p;
      break;
    case 'not': {
      const c = foldEvttypes(p.child, known, memo);
      out = typeof c === 'boolean' ? !c : c.kind === 'not' ? c.child : c === p.child ? p : { kind: 'not', child: c };
      break;
    }
    case 'and':
    case 'or': {
      // `and` stops at false and drops true; `or` the other way round
      const stop = p.kind === 'or';
      const kept: Plan<E>[] = [];
      let decided = false;
      for (const child of p.children) {
        const c = foldEvttypes(child, known, memo);
        if (c === stop) {
          decided = true;
          break;
        }
        if (c === !stop) continue;
        if (typeof c !== 'boolean') {
          // a loop, not push(...children): spreading a very wide node overflows the stack
          if (c.kind === p.kind) for (const g of c.children) kept.push(g);
          else kept.push(c);
        }
      }
      out = decided ? stop : kept.length === 0 ? !stop : kept.length === 1 ? kept[0] : { kind: p.kind, children: kept };
      break;
    }
  }
  memo.set(p, out);
  return out;
}

/** For events whose type is in `known`: the test's value when it is the same for all of them. */
function decide(t: EvttypeTest, known: ReadonlySet<string>): boolean | undefined {
  let inside = 0;
  for (const type of known) if (t.types.has(type)) inside++;
  if (inside === known.size) return !t.negated;
  if (inside === 0) return t.negated;
  return undefined;
}

function expandedSize<E>(p: Plan<E>, memo: Map<Plan<E>, number>): number {
  const done = memo.get(p);
  if (done !== undefined) return done;
  let n: number;
  switch (p.kind) {
    case 'check':
      n = 1;
      break;
    case 'not':
      n = expandedSize(p.child, memo);
      break;
    default:
      n = 0;
      for (const c of p.children) n = Math.min(n + expandedSize(c, memo), MAX_GENERATED_CHECKS + 1);
  }
  memo.set(p, n);
  return n;
}
