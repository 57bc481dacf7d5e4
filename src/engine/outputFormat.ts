// Rule output formats: text with `%field`, `%field[arg]`, `%(field)` and
// `%Nfield` (pad or cut the value to N characters) substituted per event.
// A missing value prints `<NA>`; a list prints as `(a,b)`; control characters
// in a value print as escapes (controlEscape.ts). There is no `%%` escape, as
// in Falco: every `%` must start a field.
import type { Pos } from './ast';
import { escapeControls } from './controlEscape';
import { ConditionError } from './errors';
import { bindField, fieldIndex, resolveField, UnknownFieldError, type ResolvedField } from './fieldResolve';
import { compileOperand } from './compile';
import { parseOperandAt, PositionMap, TRANSFORMERS } from './parser';
import type { Extractor, Scalar, Source, Value } from './source';

export interface CompiledOutput<E> {
  /** the format with fields substituted, `<NA>` when missing */
  render(evt: E): string;
  /** for JSON output_fields; keys as written, e.g. `proc.aname[2]` */
  fields(evt: E): Record<string, string | number | boolean | null>;
}

interface Token<E> {
  key: string;
  extract: Extractor<E>;
  /** 0: as is; otherwise padded with blanks or cut to this length */
  width: number;
}

const NAME_RE = /[a-zA-Z_][a-zA-Z0-9_]*(?:\.[a-zA-Z0-9_]+)*/y;

/** The largest `%Nfield` width. */
const MAX_WIDTH = 4096;

export function compileOutput<E>(format: string, source: Source<E>): CompiledOutput<E> {
  const positions = new PositionMap(format);
  const parts: (string | Token<E>)[] = [];
  const tokens: Token<E>[] = [];
  // text between fields is sliced from the format, not built a character at a time (one flat string each)
  let textStart = 0;
  let i = 0;
  while (i < format.length) {
    if (format.charCodeAt(i) !== 37 /* % */) {
      i++;
      continue;
    }
    const text = format.slice(textStart, i);
    const at = i;
    i++;
    let width = 0;
    const widthAt = i;
    while (i < format.length && format[i] >= '0' && format[i] <= '9') i++;
    if (i > widthAt) {
      const digits = format.slice(widthAt, i);
      // a huge width would build a huge string (or throw) on every alert
      if (Number(digits) > MAX_WIDTH) throw new ConditionError(`width ${digits} is too large: at most ${MAX_WIDTH}`, positions.at(widthAt));
      width = Number(digits);
    }
    const paren = format[i] === '(';
    if (paren) i++;
    const transformed = transformerAt(format, i, source, positions);
    if (transformed) {
      i = transformed.end;
      if (paren) {
        if (format[i] !== ')') throw new ConditionError(`expected ')' to close '%(' at column ${positions.at(at).col}`, positions.at(i));
        i++;
      }
      if (text) parts.push(text);
      textStart = i;
      const token: Token<E> = { key: transformed.display, extract: transformed.extract, width };
      parts.push(token);
      tokens.push(token);
      continue;
    }
    const ref = fieldAt(format, i, source, positions);
    if (!ref) {
      const found = i < format.length ? `'${format[i]}'` : 'end of output';
      throw new ConditionError(`expected a field name after '%', found ${found}`, positions.at(i < format.length ? i : at));
    }
    i = ref.end;
    if (paren) {
      if (format[i] !== ')') throw new ConditionError(`expected ')' to close '%(' at column ${positions.at(at).col}`, positions.at(i));
      i++;
    }
    if (text) parts.push(text);
    textStart = i;
    const token: Token<E> = { key: ref.field.display, extract: bindField(ref.field, ref.pos), width };
    parts.push(token);
    tokens.push(token);
  }
  if (textStart < format.length) parts.push(format.slice(textStart));
  return renderer(parts, tokens);
}

/**
 * The compiled output; a function of its own so that its closures hold the
 * parts alone, not the format's position map and the parse state around them.
 */
function renderer<E>(parts: readonly (string | Token<E>)[], tokens: readonly Token<E>[]): CompiledOutput<E> {
  return {
    render(evt) {
      let out = '';
      for (let k = 0; k < parts.length; k++) {
        const p = parts[k];
        if (typeof p === 'string') {
          out += p;
          continue;
        }
        const s = escapeControls(valueText(p.extract(evt)));
        out += p.width === 0 ? s : s.length >= p.width ? s.slice(0, p.width) : s.padEnd(p.width, ' ');
      }
      return out;
    },
    fields(evt) {
      const out: Record<string, string | number | boolean | null> = {};
      for (const t of tokens) out[t.key] = jsonValue(t.extract(evt));
      return out;
    },
  };
}

/**
 * The field starting at `i`. A name no field has may still start with one
 * (`%proc.name.` or `%fd.name.bak`): the longest known prefix is taken and the
 * rest stays text, as Falco does. Unknown fields are an UnknownFieldError.
 */
function fieldAt<E>(format: string, i: number, source: Source<E>, positions: PositionMap): { field: ResolvedField<E>; end: number; pos: Pos } | undefined {
  NAME_RE.lastIndex = i;
  const m = NAME_RE.exec(format);
  if (!m) return undefined;
  const pos = positions.at(i);
  const name = m[0];
  let end = i + name.length;
  let arg: string | undefined;
  if (format[end] === '[') {
    const close = format.indexOf(']', end + 1);
    if (close < 0) throw new ConditionError(`unterminated argument of '${name}': no ']'`, positions.at(end));
    arg = format.slice(end + 1, close);
    end = close + 1;
  }
  try {
    return { field: resolveField({ kind: 'field', pos, name, arg }, source), end, pos };
  } catch (err) {
    if (!(err instanceof UnknownFieldError) || arg !== undefined) throw err;
  }
  const index = fieldIndex(source);
  for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
    const prefix = name.slice(0, dot);
    if (index.has(prefix)) return { field: resolveField({ kind: 'field', pos, name: prefix }, source), end: i + dot, pos };
  }
  throw new UnknownFieldError(name, pos);
}

function scalarText(v: Scalar): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  return String(v);
}

/** How Falco prints a value: lists as `(a,b)`, missing (or an empty list) as `<NA>`. */
export function valueText(v: Value): string {
  if (v === undefined) return '<NA>';
  if (Array.isArray(v)) {
    if (v.length === 0) return '<NA>';
    let s = '(';
    for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + scalarText(v[i]);
    return s + ')';
  }
  return scalarText(v as Scalar);
}

function jsonValue(v: Value): string | number | boolean | null {
  if (v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Array.isArray(v) && v.length === 0) return null;
  return valueText(v);
}

/** `%tolower(proc.name)`: a transformer around a field, as in conditions; undefined when no transformer starts at `i`. */
function transformerAt<E>(format: string, i: number, source: Source<E>, positions: PositionMap): { extract: Extractor<E>; display: string; end: number } | undefined {
  NAME_RE.lastIndex = i;
  const m = NAME_RE.exec(format);
  if (!m || !TRANSFORMERS.has(m[0]) || format[i + m[0].length] !== '(') return undefined;
  try {
    const { operand, end } = parseOperandAt(format, i);
    const compiled = compileOperand(operand, source);
    return { extract: compiled.extract, display: compiled.display, end };
  } catch (err) {
    // positions inside the operand are positions in the whole format already
    if (err instanceof UnknownFieldError) throw new UnknownFieldError(err.field, positions.at(err.pos.offset));
    if (err instanceof ConditionError) throw new ConditionError(err.message, positions.at(err.pos.offset));
    throw err;
  }
}
