// Reading audit trace files (`vigil -e FILE`). The shape is found from the
// content, not the name: JSON Lines (one Event, or one EventList, per line),
// or one JSON document spanning the file (an Event, an EventList, an array).
//
// The file is read in chunks and split into lines. If the first non-blank line
// is JSON on its own the file is JSON Lines; if not, the whole file is tried as
// one document; if that fails too, it is JSON Lines whose first line is broken.
// A broken line or a non-event is reported as `FILE:LINE: why` and skipped.
// No document (line or file) over MAX_TRACE_DOCUMENT_BYTES is held in memory.
import fs from 'node:fs';
import { type K8sAuditEvent, toAuditEvent } from './event';
import { auditEventProblem, auditEventsOf } from './payload';

const CHUNK = 1 << 20;

/**
 * Largest JSON document read, one line or the whole file, in bytes. JSON.parse
 * holds the text and every value at once (several times the text's size),
 * and V8 strings end a little under 512 MiB.
 */
export const MAX_TRACE_DOCUMENT_BYTES = 128 * 1024 * 1024;

/** A line longer than the document limit: skipped whole, never held in memory. */
const TOO_LONG = Symbol('too long');

/**
 * Calls `fn(line, lineNumber)` for each line of the file (without its end of
 * line), or TOO_LONG for a line over `limit` bytes. Linear in the file's size:
 * only each new chunk is searched for line ends, and a line is decoded once,
 * when it is complete (a newline byte never sits inside a UTF-8 sequence).
 */
function forEachLine(path: string, fn: (line: string | typeof TOO_LONG, lineNo: number) => boolean | void, limit = MAX_TRACE_DOCUMENT_BYTES): void {
  const fd = fs.openSync(path, 'r');
  try {
    let parts: Buffer[] = [];
    let partBytes = 0;
    let tooLong = false;
    let lineNo = 0;
    const emit = (last: Buffer): boolean | void => {
      lineNo++;
      if (tooLong || partBytes + last.length > limit) {
        parts = [];
        partBytes = 0;
        tooLong = false;
        return fn(TOO_LONG, lineNo);
      }
      const whole = parts.length === 0 ? last : Buffer.concat([...parts, last]);
      parts = [];
      partBytes = 0;
      const end = whole.length > 0 && whole[whole.length - 1] === 13 ? whole.length - 1 : whole.length;
      return fn(whole.toString('utf8', 0, end), lineNo);
    };
    // one buffer, reused while no partial line points into it
    const size = fs.fstatSync(fd).size;
    let buf = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK, size + 1)));
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) {
        if (partBytes > 0 || tooLong) emit(Buffer.alloc(0));
        return;
      }
      const data = buf.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        if (emit(data.subarray(start, nl)) === false) return;
        start = nl + 1;
      }
      if (start < n) {
        if (tooLong || partBytes + (n - start) > limit) {
          tooLong = true;
          parts = [];
          partBytes = 0;
        } else if (n - start < CHUNK / 4) {
          parts.push(Buffer.from(data.subarray(start)));
          partBytes += n - start;
        } else {
          // a long tail stays where it is; the next chunk goes to a new buffer
          parts.push(data.subarray(start));
          partBytes += n - start;
          buf = Buffer.allocUnsafe(CHUNK);
        }
      } else if (buf.length < CHUNK && n === buf.length) {
        buf = Buffer.allocUnsafe(CHUNK);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

function tooLongWhy(limit = MAX_TRACE_DOCUMENT_BYTES): string {
  return `line longer than the ${limit}-byte limit for one JSON document; skipped`;
}

function isBlank(line: string): boolean {
  return /^[\s\uFEFF]*$/.test(line);
}

/** The line (1-based) of character `offset` in `text`. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function parseErrorWhy(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return `malformed JSON: ${msg}`;
}

export function readAuditTrace(
  path: string,
  onEvent: (e: K8sAuditEvent) => void,
  onReject: (msg: string) => void,
): { events: number; rejected: number } {
  let events = 0;
  let rejected = 0;
  const reject = (line: number, why: string) => {
    rejected++;
    onReject(`${path}:${line}: ${why}`);
  };
  // one document (a line, or the whole file) that parsed; `line` is where it starts
  const take = (doc: unknown, line: number) => {
    const payload = auditEventsOf(doc);
    if ('error' in payload) return reject(line, payload.error);
    const many = payload.events.length > 1 || doc !== payload.events[0];
    for (let i = 0; i < payload.events.length; i++) {
      const ev = payload.events[i];
      const problem = auditEventProblem(ev);
      if (problem) reject(line, many ? `item ${i}: not an audit event: ${problem}` : `not an audit event: ${problem}`);
      else {
        events++;
        onEvent(toAuditEvent(ev as Record<string, unknown>));
      }
    }
  };

  let firstLine = 0;
  let firstOk = false;
  forEachLine(path, (line, no) => {
    if (line !== TOO_LONG && isBlank(line)) return true;
    firstLine = no;
    if (line === TOO_LONG) return false;
    try {
      JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
      firstOk = true;
    } catch {
      firstOk = false;
    }
    return false;
  });
  if (firstLine === 0) return { events, rejected };

  if (!firstOk) {
    const size = fs.statSync(path).size;
    if (size > MAX_TRACE_DOCUMENT_BYTES) {
      // too big to be read as one document: JSON Lines if some later line is JSON alone
      if (!laterLineParses(path)) {
        reject(firstLine, `a single JSON document of ${size} bytes is over the ${MAX_TRACE_DOCUMENT_BYTES}-byte limit; not read`);
        return { events, rejected };
      }
    } else {
      const whole = fs.readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
      let doc: unknown;
      let parsed = false;
      try {
        doc = JSON.parse(whole);
        parsed = true;
      } catch (err) {
        // A multi-line document that is broken somewhere: say where, if JSON.parse told us.
        const pos = /position (\d+)/.exec(err instanceof Error ? err.message : '');
        const multiLineDoc = !isJsonLines(whole);
        if (multiLineDoc) {
          reject(pos ? lineOf(whole, +pos[1]) : firstLine, parseErrorWhy(err));
          return { events, rejected };
        }
      }
      if (parsed) {
        take(doc, firstLine);
        return { events, rejected };
      }
    }
  }

  forEachLine(path, (line, no) => {
    if (line === TOO_LONG) {
      reject(no, tooLongWhy());
      return;
    }
    if (isBlank(line)) return;
    let doc: unknown;
    try {
      doc = JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
    } catch (err) {
      reject(no, parseErrorWhy(err));
      return;
    }
    take(doc, no);
  });
  return { events, rejected };
}

/** Whether a line after the first non-blank one parses as JSON by itself, reading line by line. */
function laterLineParses(path: string): boolean {
  let seenFirst = false;
  let found = false;
  forEachLine(path, (line) => {
    if (line === TOO_LONG || isBlank(line)) {
      seenFirst ||= line === TOO_LONG;
      return true;
    }
    if (!seenFirst) {
      seenFirst = true;
      return true;
    }
    const t = line.trim();
    if (t[0] !== '{' && t[0] !== '[') return true;
    try {
      JSON.parse(t);
      found = true;
      return false;
    } catch {
      return true;
    }
  });
  return found;
}

/** Whether some line after the first non-blank one parses as JSON by itself (then the file is JSON Lines). */
function isJsonLines(text: string): boolean {
  const lines = text.split('\n');
  let seenFirst = false;
  for (const l of lines) {
    if (isBlank(l)) continue;
    if (!seenFirst) {
      seenFirst = true;
      continue;
    }
    const t = l.trim();
    if (t[0] !== '{' && t[0] !== '[') continue;
    try {
      JSON.parse(t);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}
