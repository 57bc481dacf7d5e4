// Reads a rules file's YAML into nodes that keep their ranges, and offers typed
// accessors that report a positioned RulesError when a value has the wrong
// shape. Scalars are read with the failsafe schema (all text), so `80`,
// `true` and `0.31.0` arrive exactly as written and each key decides how to
// interpret its value, as Falco's YAML decoding does.
import { parseAllDocuments, isAlias, isMap, isScalar, isSeq, Scalar, YAMLMap, YAMLSeq, type Document, type Node } from 'yaml';
import type { RulesError } from '../errors';
import { RulesFile, type ScalarText, type Where } from './sourceText';

export type YNode = Scalar | YAMLMap | YAMLSeq;

/** Errors and warnings of one load, in the order found. */
export interface Diagnostics {
  errors: RulesError[];
  warnings: RulesError[];
}

/** One top-level item of a rules file: a mapping node. */
export interface RawItem {
  file: RulesFile;
  doc: Document;
  map: YAMLMap;
}

/** The items of a rules file, in order. YAML errors and a non-sequence top level are reported. */
export function readRulesYaml(file: RulesFile, diag: Diagnostics): RawItem[] {
  const docs = parseAllDocuments(file.content, { schema: 'failsafe', prettyErrors: false, uniqueKeys: true });
  const items: RawItem[] = [];
  if (!Array.isArray(docs)) return items; // an empty stream
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) diag.errors.push(file.error(`invalid YAML: ${e.message}`, e.pos[0], undefined));
      continue;
    }
    const top = doc.contents;
    if (top === null || (isScalar(top) && (top.value === '' || top.value === null))) continue;
    if (!isSeq(top)) {
      diag.errors.push(file.error('rules content must be a YAML sequence of items (rule, macro, list, ...)', rangeStart(top), undefined));
      continue;
    }
    for (const node of top.items) {
      const n = deref(doc, node);
      if (!isMap(n)) {
        diag.errors.push(
          file.error('unexpected element type: each item should be a mapping (rule, macro, list, ...)', rangeStart(node as Node), undefined),
        );
        continue;
      }
      items.push({ file, doc, map: n });
    }
  }
  return items;
}

export function rangeStart(node: Node | null | undefined): number {
  return node?.range?.[0] ?? 0;
}

function deref(doc: Document, node: unknown): YNode | undefined {
  if (isAlias(node)) return node.resolve(doc);
  if (isScalar(node) || isMap(node) || isSeq(node)) return node;
  return undefined;
}

/** Typed access to the keys of one item, reporting errors against `label`. */
export class ItemReader {
  readonly where: Where;

  constructor(
    readonly raw: RawItem,
    public label: string | undefined,
    private readonly diag: Diagnostics,
  ) {
    this.where = { file: raw.file, offset: rangeStart(raw.map) };
  }

  /** the keys, in order, with the place of each */
  keys(): { key: string; where: Where }[] {
    const out: { key: string; where: Where }[] = [];
    for (const pair of this.raw.map.items) {
      const k = pair.key;
      out.push({ key: isScalar(k) ? String(k.value) : '', where: this.at(k as Node) });
    }
    return out;
  }

  has(key: string): boolean {
    return this.raw.map.has(key);
  }

  node(key: string): YNode | undefined {
    return deref(this.raw.doc, this.raw.map.get(key, true));
  }

  /** the place of a key's value (or of the key when the value is missing) */
  whereOf(key: string): Where {
    const pair = this.raw.map.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (!pair) return this.where;
    const v = deref(this.raw.doc, pair.value);
    return this.at((v ?? pair.key) as Node);
  }

  at(node: Node | null | undefined): Where {
    return { file: this.raw.file, offset: rangeStart(node) };
  }

  error(where: Where, message: string): void {
    this.diag.errors.push(where.file.error(message, where.offset, this.label));
  }

  warn(where: Where, message: string): void {
    this.diag.warnings.push(where.file.error(message, where.offset, this.label));
  }

  /** A scalar's text; an error when it is a mapping or a sequence, or when it is empty and must not be. */
  string(key: string, opts: { required?: boolean; allowEmpty?: boolean } = {}): string | undefined {
    return this.scalar(key, opts)?.value;
  }

  /** Like string(), keeping the raw span for position mapping. */
  scalar(key: string, opts: { required?: boolean; allowEmpty?: boolean } = {}): ScalarText | undefined {
    if (!this.has(key)) {
      if (opts.required) this.error(this.where, `missing required key '${key}'`);
      return undefined;
    }
    const n = this.node(key);
    const where = this.whereOf(key);
    if (!isScalar(n)) {
      this.error(where, `'${key}' must be a string, not a ${kindOf(n)}`);
      return undefined;
    }
    const value = n.value === null || n.value === undefined ? '' : String(n.value);
    if (value.trim() === '' && !opts.allowEmpty) {
      this.error(where, `'${key}' is empty`);
      return undefined;
    }
    return scalarTextOf(this.raw.file, n);
  }

  bool(key: string): boolean | undefined {
    const text = this.string(key, { allowEmpty: true });
    if (text === undefined) return undefined;
    const b = parseBool(text);
    if (b === undefined) this.error(this.whereOf(key), `'${key}' must be true or false, not '${text}'`);
    return b;
  }

  /** A sequence of scalars, with the place of each. */
  strings(key: string): { text: string; where: Where }[] | undefined {
    if (!this.has(key)) return undefined;
    const n = this.node(key);
    return this.stringsOf(n, key, this.whereOf(key));
  }

  stringsOf(n: YNode | undefined, what: string, where: Where): { text: string; where: Where }[] | undefined {
    if (isScalar(n) && (n.value === '' || n.value === null) && n.type === Scalar.PLAIN) return [];
    if (!isSeq(n)) {
      this.error(where, `'${what}' must be a sequence, not a ${kindOf(n)}`);
      return undefined;
    }
    const out: { text: string; where: Where }[] = [];
    let ok = true;
    for (const item of n.items) {
      const v = deref(this.raw.doc, item);
      if (!isScalar(v)) {
        this.error(this.at(item as Node), `each element of '${what}' must be a string, not a ${kindOf(v)}`);
        ok = false;
        continue;
      }
      out.push({ text: String(v.value ?? ''), where: this.at(v) });
    }
    return ok ? out : undefined;
  }

  /** the items of a sequence node, dereferenced */
  seqItems(n: YAMLSeq): (YNode | undefined)[] {
    return n.items.map((i) => deref(this.raw.doc, i));
  }
}

export function scalarTextOf(file: RulesFile, n: Scalar): ScalarText {
  const range = n.range ?? [0, 0, 0];
  return {
    file,
    value: n.value === null || n.value === undefined ? '' : String(n.value),
    start: range[0],
    end: range[1],
    block: n.type === Scalar.BLOCK_FOLDED || n.type === Scalar.BLOCK_LITERAL,
  };
}

export function kindOf(n: unknown): string {
  if (isMap(n)) return 'mapping';
  if (isSeq(n)) return 'sequence';
  if (isScalar(n)) return 'string';
  return 'missing value';
}

/** YAML 1.1 booleans, as yaml-cpp (Falco's reader) accepts them. */
export function parseBool(text: string): boolean | undefined {
  if (/^(true|True|TRUE|yes|Yes|YES|on|On|ON|y|Y)$/.test(text)) return true;
  if (/^(false|False|FALSE|no|No|NO|off|Off|OFF|n|N)$/.test(text)) return false;
  return undefined;
}
