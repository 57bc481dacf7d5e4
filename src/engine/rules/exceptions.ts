// Turns a rule's exceptions into condition nodes, with Falco's meaning:
//
//   rule condition := (<condition>) and not (<exception> or <exception> ...)
//
// - `fields: f` (one field): comps defaults to `in` and must be in, pmatch or
//   intersects, or a string operator with a modifier (`startswith oneof`);
//   `values: [v1, v2]` gives `f <comp> (v1, v2)`.
// - `fields: [f1, f2]`: comps defaults to `=` for each field; every value is a
//   tuple `[v1, v2]` giving `(f1 c1 v1 and f2 c2 v2)`, and the tuples are or-ed.
//
// Falco splices each value into the condition text and parses the result, so
// a value means what its spliced text means. The text of a value is:
//   - a string with a space that does not start with a quote: wrapped in
//     double quotes as it is (so its backslashes are escapes);
//   - a tuple element that is a string, with a list comp (in, intersects,
//     pmatch, or an operator with a modifier): wrapped in parentheses unless it starts with '(', so
//     "(sshd, login)" is the list of two and "my_list" expands the list;
//   - a tuple element that is a sequence: `(a, b)` of its items, each quoted
//     as above;
//   - any other string: as it is (`"a b"` is the quoted string a b).
// Each value's text is parsed alone with the condition parser, and the nodes
// get virtual positions that map to the YAML value they came from.
import type { BinaryCheck, BinaryOp, BoolExpr, FieldOperand, Literal, ListLiteral, Modifier, Pos, TransformArg, ValueExpr } from '../ast';
import { ConditionError, type RulesError } from '../errors';
import { BINARY_OPS, LIST_OPS, MODIFIABLE_OPS, MODIFIERS, parseCondition } from '../parser';
import type { ExceptionDef, TextTree } from './items';
import { errorAt, type MappedText, type Where } from './sourceText';

/** Falco quotes a value that has a space and does not already start with a quote; nothing inside is escaped. */
function quoted(text: string): string {
  return text.includes(' ') && text[0] !== '"' && text[0] !== "'" ? `"${text}"` : text;
}

/** A comp with a modifier as Falco splits it, at its first blank (`startswith oneof`); undefined for any other text. */
function modifierComp(comp: string): { op: BinaryOp; modifier: Modifier } | undefined {
  const blank = comp.indexOf(' ');
  if (blank < 0) return undefined;
  const op = comp.slice(0, blank);
  const modifier = comp.slice(blank + 1);
  return MODIFIABLE_OPS.has(op) && MODIFIERS.has(modifier) ? { op: op as BinaryOp, modifier: modifier as Modifier } : undefined;
}

/** The comp takes a list on its right: in, intersects, pmatch, or an operator with a modifier. */
function listComp(comp: string): boolean {
  return LIST_OPS.has(comp) || modifierComp(comp) !== undefined;
}

/** The check `field comp value`, the comp split into operator and modifier. */
function compCheck(comp: string, pos: Pos, opPos: Pos, field: FieldOperand, value: ValueExpr): BinaryCheck {
  const m = modifierComp(comp);
  return m ? { kind: 'binary', pos, op: m.op, modifier: m.modifier, opPos, field, value } : { kind: 'binary', pos, op: comp as BinaryOp, opPos, field, value };
}

/** A field name no source has, for parsing a value's text on its own. */
const PROBE = 'exception.value';

/**
 * `condition` with the exceptions added, or undefined when an exception is
 * malformed (each problem is pushed to `errors`).
 */
export function applyExceptions(
  condition: BoolExpr,
  exceptions: readonly ExceptionDef[],
  text: MappedText,
  label: string,
  errors: RulesError[],
): BoolExpr | undefined {
  const b = new Builder(text, label, errors);
  const parts: BoolExpr[] = [];
  for (const ex of exceptions) {
    const node = b.exception(ex);
    if (node) parts.push(node);
  }
  if (b.failed) return undefined;
  if (parts.length === 0) return condition;
  const at = condition.pos;
  const any: BoolExpr = parts.length === 1 ? parts[0] : { kind: 'or', pos: parts[0].pos, children: parts };
  return { kind: 'and', pos: at, children: [condition, { kind: 'not', pos: any.pos, child: any }] };
}

class Builder {
  failed = false;

  constructor(
    private readonly text: MappedText,
    private readonly label: string,
    private readonly errors: RulesError[],
  ) {}

  exception(ex: ExceptionDef): BoolExpr | undefined {
    if (!ex.fields) return this.fail(ex.where, `exception '${ex.name}' has no 'fields'`);
    const values = ex.values ?? [];
    return 'text' in ex.fields ? this.singleField(ex, ex.fields, values) : this.fieldTuple(ex, ex.fields.items, values);
  }

  private singleField(ex: ExceptionDef, field: { where: Where; text: string }, values: readonly TextTree[]): BoolExpr | undefined {
    let comp = 'in';
    let compWhere = field.where;
    if (ex.comps) {
      if (!('text' in ex.comps)) return this.fail(ex.comps.where, `exception '${ex.name}': fields and comps must both be strings or both be lists`);
      comp = ex.comps.text.trim();
      compWhere = ex.comps.where;
      if (!listComp(comp)) {
        return this.fail(compWhere, `exception '${ex.name}': when fields is a single field, comps must be one of in, pmatch, intersects, or a string operator with a modifier such as 'startswith oneof' (got '${comp}')`);
      }
    }
    const operand = this.field(ex, field);
    if (!operand) return undefined;
    const items: Literal[] = [];
    for (const v of values) {
      if (!('text' in v)) {
        this.fail(v.where, `exception '${ex.name}': with a single field, each value must be a string, not a list`);
        continue;
      }
      const list = this.parseValue(ex, v.where, v.text, comp, `(${quoted(v.text)})`);
      if (list?.kind === 'list') items.push(...list.items);
    }
    if (items.length === 0) return undefined;
    const pos = this.pos(field.where);
    const list: ListLiteral = { kind: 'list', pos: items[0].pos, items };
    return compCheck(comp, pos, this.pos(compWhere), operand, list);
  }

  private fieldTuple(ex: ExceptionDef, fields: readonly TextTree[], values: readonly TextTree[]): BoolExpr | undefined {
    const names: { where: Where; text: string }[] = [];
    for (const f of fields) {
      if (!('text' in f)) return this.fail(f.where, `exception '${ex.name}': each field must be a string`);
      names.push(f);
    }
    const comps: { where: Where; text: string }[] = [];
    if (!ex.comps) {
      for (const f of names) comps.push({ where: f.where, text: '=' });
    } else {
      if ('text' in ex.comps) return this.fail(ex.comps.where, `exception '${ex.name}': fields and comps must both be strings or both be lists`);
      if (ex.comps.items.length !== names.length) {
        return this.fail(ex.comps.where, `exception '${ex.name}': fields and comps lists must have equal length (${names.length} fields, ${ex.comps.items.length} comps)`);
      }
      for (const c of ex.comps.items) {
        if (!('text' in c)) return this.fail(c.where, `exception '${ex.name}': each comp must be a string`);
        const op = c.text.trim();
        if (!BINARY_OPS.has(op) && !modifierComp(op)) return this.fail(c.where, `exception '${ex.name}': '${op}' is not a supported comparison operator`);
        comps.push({ where: c.where, text: op });
      }
    }
    const operands: FieldOperand[] = [];
    for (const f of names) {
      const operand = this.field(ex, f);
      if (!operand) return undefined;
      operands.push(operand);
    }
    const tuples: BoolExpr[] = [];
    for (const v of values) {
      if ('text' in v || v.items.length !== names.length) {
        this.fail(v.where, `exception '${ex.name}': each value must be a list of ${names.length} items, one per field`);
        continue;
      }
      const checks: BinaryCheck[] = [];
      for (let k = 0; k < names.length; k++) {
        const value = this.value(ex, v.items[k], comps[k].text);
        if (!value) continue;
        checks.push(compCheck(comps[k].text, this.pos(v.items[k].where), this.pos(comps[k].where), operands[k], value));
      }
      if (checks.length === names.length) tuples.push(checks.length === 1 ? checks[0] : { kind: 'and', pos: checks[0].pos, children: checks });
    }
    if (tuples.length === 0) return undefined;
    return tuples.length === 1 ? tuples[0] : { kind: 'or', pos: tuples[0].pos, children: tuples };
  }

  private value(ex: ExceptionDef, v: TextTree, comp: string): ValueExpr | undefined {
    if ('items' in v) {
      if (!listComp(comp)) return this.fail(v.where, `exception '${ex.name}': a list value needs comps in, intersects, pmatch or an operator with a modifier (got '${comp}')`);
      const texts: string[] = [];
      for (const i of v.items) {
        if (!('text' in i)) return this.fail(i.where, `exception '${ex.name}': list values hold strings only`);
        texts.push(quoted(i.text));
      }
      const shown = `[${v.items.map((i) => ('text' in i ? i.text : '')).join(', ')}]`;
      return this.parseValue(ex, v.where, shown, comp, `(${texts.join(', ')})`);
    }
    const text = listComp(comp) ? (v.text.startsWith('(') ? v.text : `(${v.text})`) : quoted(v.text);
    return this.parseValue(ex, v.where, v.text, comp, text);
  }

  /**
   * The value `spliced` (the text Falco puts after the operator) stands for,
   * parsed as the right side of `comp`; every node is placed at the YAML value.
   */
  private parseValue(ex: ExceptionDef, where: Where, written: string, comp: string, spliced: string): ValueExpr | undefined {
    const why = (detail: string): undefined =>
      this.fail(where, `exception '${ex.name}': value '${written}' with comp '${comp}' reads as '${spliced}', which is not a valid value (${detail})`);
    let parsed: BoolExpr;
    try {
      parsed = parseCondition(`${PROBE} ${comp} ${spliced}`);
    } catch (err) {
      if (!(err instanceof ConditionError)) throw err;
      return why(err.message);
    }
    if (parsed.kind !== 'binary' || parsed.field.kind !== 'field' || parsed.field.name !== PROBE) return why('it does not make one comparison');
    return relocateValue(parsed.value, this.pos(where));
  }

  /** The field as the condition parser reads it, with every position moved to the YAML value. */
  private field(ex: ExceptionDef, f: { where: Where; text: string }): FieldOperand | undefined {
    let parsed: BoolExpr;
    try {
      parsed = parseCondition(`${f.text} exists`);
    } catch (err) {
      if (!(err instanceof ConditionError)) throw err;
      return this.fail(f.where, `exception '${ex.name}': '${f.text}' is not a field (${err.message})`);
    }
    if (parsed.kind !== 'unary') return this.fail(f.where, `exception '${ex.name}': '${f.text}' is not a field`);
    return relocate(parsed.field, this.pos(f.where));
  }

  private pos(where: Where): Pos {
    const offset = this.text.virtualOffset(where);
    return { offset, line: 1, col: offset + 1 };
  }

  private fail(where: Where, message: string): undefined {
    this.failed = true;
    this.errors.push(errorAt(where, message, this.label));
    return undefined;
  }
}

function relocateValue(v: ValueExpr, pos: Pos): ValueExpr {
  switch (v.kind) {
    case 'literal':
      return { ...v, pos };
    case 'list':
      return { kind: 'list', pos, items: v.items.map((i) => ({ ...i, pos })) };
    case 'fieldvalue':
      return { kind: 'fieldvalue', pos, field: relocate(v.field, pos) };
  }
}

function relocate(op: FieldOperand, pos: Pos): FieldOperand {
  if (op.kind === 'field') return { ...op, pos };
  return { ...op, pos, args: op.args.map((a) => relocateArg(a, pos)) };
}

function relocateArg(a: TransformArg, pos: Pos): TransformArg {
  if (a.kind === 'literal') return { ...a, pos };
  if (a.kind === 'tlist') return { kind: 'tlist', pos, items: a.items.map((i) => relocateArg(i, pos) as FieldOperand | Literal) };
  return relocate(a, pos);
}
