// Positions in rules files. A rules file is kept whole so every error can name
// file:line:col and show the line. Scalars (conditions, outputs) are kept with
// their raw span so an offset inside the parsed value can be mapped back to the
// file even when the value was quoted, folded (`>`) or literal (`|`).
import { LineCounter } from 'yaml';
import { RulesError, type FileLocation } from '../errors';

export class RulesFile {
  readonly lineCounter = new LineCounter();
  private lines: string[] | undefined;

  constructor(
    readonly name: string,
    readonly content: string,
  ) {
    // Filled here rather than by the YAML parser, so re-reading the file (a later load) cannot add lines twice.
    this.lineCounter.addNewLine(0);
    for (let i = content.indexOf('\n'); i >= 0; i = content.indexOf('\n', i + 1)) this.lineCounter.addNewLine(i + 1);
  }

  location(offset: number): FileLocation {
    const { line, col } = this.lineCounter.linePos(Math.max(0, Math.min(offset, this.content.length)));
    return { file: this.name, line, col };
  }

  lineText(line: number): string {
    this.lines ??= this.content.split(/\r?\n/);
    return this.lines[line - 1] ?? '';
  }

  /** A RulesError (or warning) at `offset` in this file. */
  error(message: string, offset: number, item: string | undefined): RulesError {
    const loc = this.location(offset);
    return new RulesError(message, loc, item, this.lineText(loc.line));
  }
}

/** A place in a rules file. */
export interface Where {
  file: RulesFile;
  offset: number;
}

export function errorAt(where: Where, message: string, item: string | undefined): RulesError {
  return where.file.error(message, where.offset, item);
}

/** A scalar's parsed value with its raw span [start, end) in the file. */
export interface ScalarText {
  file: RulesFile;
  value: string;
  start: number;
  end: number;
  /** a `>` or `|` scalar: its content starts on the line after the header */
  block: boolean;
}

const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';

/**
 * The file offset of `index` in the scalar's value. Non-whitespace characters
 * of the value appear in the raw text in the same order (quotes, escapes and
 * line folding only add or change whitespace and punctuation around them), so
 * each is matched to its next occurrence in the raw text. An index on
 * whitespace maps to the next non-whitespace character, or just past the last.
 */
export function scalarOffset(s: ScalarText, index: number): number {
  const raw = s.file.content;
  let r = s.start;
  if (s.block) {
    const nl = raw.indexOf('\n', r);
    r = nl < 0 || nl >= s.end ? s.end : nl + 1;
  }
  let after = r;
  while (index < s.value.length && isSpace(s.value[index])) index++;
  for (let i = 0; i < s.value.length && i <= index; i++) {
    const ch = s.value[i];
    if (isSpace(ch)) continue;
    let j = r;
    while (j < s.end && raw[j] !== ch) j++;
    if (j >= s.end) return after;
    if (i === index) return j;
    r = j + 1;
    after = r;
  }
  return after;
}

interface Piece {
  /** where the piece starts in the joined text */
  start: number;
  length: number;
  scalar: ScalarText;
  /** index in the scalar's value the piece starts at (after trimming) */
  from: number;
}

/**
 * Text joined from one or more scalars (a condition with `append`ed parts, an
 * output), which maps any offset back to its file. Nodes built by the loader
 * itself (exceptions) get "virtual" offsets past the end of the text, each
 * registered with the place in the file it stands for.
 */
export class MappedText {
  text = '';
  private pieces: Piece[] = [];
  private points: Where[] = [];

  static of(scalar: ScalarText, trim = false): MappedText {
    const m = new MappedText();
    m.append('', scalar, trim);
    return m;
  }

  /** Adds `sep` then the scalar's value (trimmed when asked) to the text. */
  append(sep: string, scalar: ScalarText, trim = false): void {
    let from = 0;
    let to = scalar.value.length;
    if (trim) {
      while (from < to && isSpace(scalar.value[from])) from++;
      while (to > from && isSpace(scalar.value[to - 1])) to--;
    }
    this.text += sep;
    this.pieces.push({ start: this.text.length, length: to - from, scalar, from });
    this.text += scalar.value.slice(from, to);
  }

  /** A copy that can be appended to without changing this one. */
  clone(): MappedText {
    const m = new MappedText();
    m.text = this.text;
    m.pieces = this.pieces.slice();
    m.points = this.points.slice();
    return m;
  }

  /** Registers a place for a loader-built node and returns its virtual offset. */
  virtualOffset(where: Where): number {
    this.points.push(where);
    return this.text.length + this.points.length;
  }

  /** The file place of an offset into the text (or a virtual offset). */
  locate(offset: number): Where {
    if (offset > this.text.length && this.points.length > 0) {
      const p = this.points[Math.min(offset - this.text.length, this.points.length) - 1];
      return p;
    }
    let piece = this.pieces[0];
    for (const p of this.pieces) {
      if (p.start <= offset) piece = p;
    }
    const index = Math.max(0, Math.min(offset - piece.start, piece.length)) + piece.from;
    return { file: piece.scalar.file, offset: scalarOffset(piece.scalar, index) };
  }

  error(offset: number, message: string, item: string | undefined): RulesError {
    return errorAt(this.locate(offset), message, item);
  }

  /** As plain data for another thread, files by their index in the load. */
  toPlain(fileIndex: (f: RulesFile) => number): PlainMappedText {
    return {
      text: this.text,
      pieces: this.pieces.map((p) => ({ start: p.start, length: p.length, from: p.from, scalar: { ...p.scalar, file: fileIndex(p.scalar.file) } })),
      points: this.points.map((w) => ({ file: fileIndex(w.file), offset: w.offset })),
    };
  }

  static fromPlain(p: PlainMappedText, files: readonly RulesFile[]): MappedText {
    const m = new MappedText();
    m.text = p.text;
    m.pieces = p.pieces.map((x) => ({ start: x.start, length: x.length, from: x.from, scalar: { ...x.scalar, file: files[x.scalar.file] } }));
    m.points = p.points.map((w) => ({ file: files[w.file], offset: w.offset }));
    return m;
  }
}

/** A MappedText as structured-clone data: files are indexes into the load's files. */
export interface PlainMappedText {
  text: string;
  pieces: { start: number; length: number; from: number; scalar: Omit<ScalarText, 'file'> & { file: number } }[];
  points: { file: number; offset: number }[];
}
