// Seed-era rules on list fields: Falco 0.13 to 0.30 read a k8s audit list
// field with single-value operators (`ka.req.role.rules.verbs contains
// create`), which modern Falco refuses. A field whose definition says how its
// era read it (FieldDef.legacy) keeps that meaning here, and the use is
// reported so the loader can warn once per rule with the modern form. A field
// without one keeps refusing these operators (operators.ts).
import type { BinaryOp, Pos } from './ast';
import type { Check } from './check';
import type { Operand } from './operators';
import { literalCheck } from './operators';
import type { Extractor, FieldDef, Scalar, Value } from './source';
import type { ValueItem } from './typedLiteral';

/** One seed-era form found while compiling a condition. */
export interface LegacyUse {
  /** `ka.req.role.rules.verbs contains create`, as it reads */
  written: string;
  /** what a current rules file writes instead */
  modern: string;
  era: '0.13' | '0.30';
  pos: Pos;
  /** the macro whose text holds `pos`, when not the condition itself */
  macro?: string;
}

const NA = '<NA>';

// the operators each era's json filter check implemented (exists, in, intersects keep today's meaning)
const OPS_013: ReadonlySet<BinaryOp> = new Set(['=', '==', '!=', 'contains', 'startswith']);
const OPS_030: ReadonlySet<BinaryOp> = new Set(['=', '==', '!=', 'contains', 'startswith', '<', '<=', '>', '>=']);

/** Whether `op` on list field `def` is a seed-era form this module compiles. */
export function isLegacyForm<E>(def: FieldDef<E>, op: BinaryOp): boolean {
  if (!def.isList || !def.legacy) return false;
  return (def.legacy.era === '0.13' ? OPS_013 : OPS_030).has(op);
}

/** The check for a seed-era form (isLegacyForm holds) and how to report it. */
export function legacyCheck<E>(
  def: FieldDef<E>,
  arg: string | undefined,
  left: Operand<E>,
  op: BinaryOp,
  opPos: Pos,
  item: ValueItem,
): { check: Check<E>; use: Omit<LegacyUse, 'macro'> } {
  const legacy = def.legacy!;
  const written = `${left.display} ${op} ${showItem(item.value)}`;
  const use = { written, modern: modernForm(left.display, op, item.value, legacy.era), era: legacy.era, pos: left.pos };
  if (legacy.era === '0.13') {
    const text = legacy.text(arg);
    const rendered: Extractor<E> = (e) => text(e) ?? NA;
    const operand: Operand<E> = { extract: rendered, type: 'string', isList: false, display: left.display, pos: left.pos };
    return { check: literalCheck(operand, op, opPos, [item]), use };
  }
  return { check: { test: valuesPredicate(left.extract, op, item.value) }, use };
}

// Falco 0.30's json_event_value: a text that is a whole int64 compares as a number, else as text.
type JsonValue = { n: bigint } | { s: string };

function jsonValue(text: string): JsonValue {
  return /^\s*[+-]?\d+$/.test(text) ? { n: BigInt(text.trim()) } : { s: text };
}

function sameValue(a: JsonValue, b: JsonValue): boolean {
  return 'n' in a ? 'n' in b && a.n === b.n : 's' in b && a.s === b.s;
}

function textOf(v: Scalar): string {
  return typeof v === 'string' ? v : String(v);
}

/** Falco 0.30's comparison of a field's values (a missing field is one "<NA>") with one literal. */
function valuesPredicate<E>(ex: Extractor<E>, op: BinaryOp, literal: string): (e: E) => boolean {
  const lit = jsonValue(literal);
  const values = (e: E): readonly string[] => {
    const v: Value = ex(e);
    if (v === undefined) return [NA];
    return Array.isArray(v) ? (v as readonly Scalar[]).map(textOf) : [textOf(v as Scalar)];
  };
  // the set of values equals the literal's one-element set
  const setIs = (vs: readonly string[]): boolean => vs.length > 0 && vs.every((x) => sameValue(jsonValue(x), lit));
  const one = (test: (x: string) => boolean) => (e: E): boolean => {
    const vs = values(e);
    return vs.length === 1 && test(vs[0]);
  };
  const order = (cmp: (d: number) => boolean) =>
    one((x) => {
      const a = jsonValue(x);
      if ('n' in a !== 'n' in lit) return false;
      const d = 'n' in a ? Number(a.n - (lit as { n: bigint }).n) : a.s < (lit as { s: string }).s ? -1 : a.s > (lit as { s: string }).s ? 1 : 0;
      return cmp(Math.sign(d));
    });
  switch (op) {
    case '=':
    case '==':
      return (e) => setIs(values(e));
    case '!=':
      return (e) => !setIs(values(e));
    case 'contains':
      return one((x) => x.includes(literal));
    case 'startswith':
      return one((x) => x.startsWith(literal));
    case '<':
      return order((d) => d < 0);
    case '<=':
      return order((d) => d <= 0);
    case '>':
      return order((d) => d > 0);
    case '>=':
      return order((d) => d >= 0);
    default:
      throw new Error(`internal: no seed-era operator '${op}'`);
  }
}

/** A literal as a condition writes it: bare when it can be, else quoted without escapes where possible. */
function showItem(v: string): string {
  if (/^[\w./:-]+$/.test(v)) return v;
  if (!v.includes("'") && !v.includes('\\')) return v.includes('"') ? `'${v}'` : `"${v}"`;
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A literal that is a JSON string (`"*"`, as 0.13 rules matched the JSON text) stands for its content. */
function element(v: string): string {
  if (/^"(?:[^"\\]|\\.)*"$/.test(v)) {
    try {
      return JSON.parse(v) as string;
    } catch {
      return v;
    }
  }
  return v;
}

function modernForm(field: string, op: BinaryOp, value: string, era: '0.13' | '0.30'): string {
  const one = showItem(element(value));
  switch (op) {
    case 'contains':
      return `${field} intersects (${one})`;
    case '=':
    case '==':
      return era === '0.30' ? `${field} in (${one})` : `${field} intersects (...) or ${field} in (...) over its elements`;
    case '!=':
      return era === '0.30' ? `not ${field} in (${one})` : `not ${field} intersects (...) over its elements`;
    default:
      return `${field} in (...) or ${field} intersects (...) over its elements`;
  }
}
