// A big rules file read a run of top-level items at a time. The YAML
// library's document for a whole file costs about 35 times the file's size
// (a 31 MiB generated policy of 100,000 rules peaked at 1.1 GB in the parser
// alone); parsed a slice at a time, only one slice's document is alive.
//
// Only a file that is plainly a top-level block sequence is sliced: every line
// at column 0 is blank, a comment or starts an item (`- `). Each slice must
// then parse as a sequence with no error and no alias (an anchor may sit in
// another slice). Anything else, or any doubt, and the caller reads the file
// whole, as it reads every small file, so errors and results are exactly those
// of the whole-file parse.
import { parseAllDocuments, isAlias, isMap, isSeq, visit, type Document } from 'yaml';
import type { RulesError } from '../errors';
import type { RulesFile } from './sourceText';
import type { Diagnostics, RawItem } from './yamlReader';

/** Files smaller than this are read whole. */
export const CHUNKED_MIN_CHARS = 1 << 20;
/** About this many characters of items per slice. */
const CHUNK_CHARS = 256 << 10;

/**
 * Where each slice of whole top-level items starts (the first at 0), or
 * undefined when the text is not plainly a top-level block sequence.
 */
export function itemSlices(text: string, chunkChars = CHUNK_CHARS): number[] | undefined {
  const starts = [0];
  let items = 0;
  for (let i = 0; i < text.length; ) {
    const eol = text.indexOf('\n', i);
    const next = eol < 0 ? text.length : eol + 1;
    const c = text.charCodeAt(i);
    if (c === 45 /* - */) {
      const after = i + 1 < text.length ? text.charCodeAt(i + 1) : 10;
      // `- `, `-` alone on its line; `---` (a document marker) and `-x` are not items
      if (after !== 32 && after !== 10 && after !== 13 && after !== 9) return undefined;
      if (items > 0 && i - starts[starts.length - 1] >= chunkChars) starts.push(i);
      items++;
    } else if (c !== 10 && c !== 13 && c !== 32 && c !== 35 /* # */) {
      // a key, a directive, a flow collection, a tab at column 0...: read whole
      return undefined;
    }
    i = next;
  }
  return items > 0 ? starts : undefined;
}

/**
 * Every item of `file` decoded by `decode`, with the errors and warnings each
 * one gave, slice by slice; undefined when the file must be read whole.
 */
export function decodeInSlices<T>(file: RulesFile, decode: (raw: RawItem, diag: Diagnostics) => T): { value: T; diag: Diagnostics }[] | undefined {
  const text = file.content;
  if (text.length < CHUNKED_MIN_CHARS) return undefined;
  const starts = itemSlices(text);
  if (!starts) return undefined;
  const out: { value: T; diag: Diagnostics }[] = [];
  for (let k = 0; k < starts.length; k++) {
    const base = starts[k];
    const docs = parseAllDocuments(text.slice(base, k + 1 < starts.length ? starts[k + 1] : text.length), {
      schema: 'failsafe',
      prettyErrors: false,
      uniqueKeys: true,
    });
    if (!Array.isArray(docs) || docs.length !== 1) return undefined;
    const doc = docs[0];
    if (doc.errors.length > 0 || !isSeq(doc.contents) || !shiftRanges(doc, base)) return undefined;
    for (const node of doc.contents.items) {
      if (!isMap(node)) return undefined;
      const diag: Diagnostics = { errors: [] as RulesError[], warnings: [] as RulesError[] };
      out.push({ value: decode({ file, doc, map: node }, diag), diag });
    }
  }
  return out;
}

/** Moves every node's range by `base` (into the file's offsets); false when the slice has an alias. */
function shiftRanges(doc: Document, base: number): boolean {
  let ok = true;
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      ok = false;
      return visit.BREAK;
    }
    const r = (node as { range?: [number, number, number] | null }).range;
    if (r) {
      r[0] += base;
      r[1] += base;
      r[2] += base;
    }
    return undefined;
  });
  return ok;
}
