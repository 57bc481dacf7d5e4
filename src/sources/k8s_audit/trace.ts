// Reading audit trace files (`vigil -e FILE`). The shape is found from the
// content, not the name: JSON Lines (one Event, or one EventList, per line),
// or one JSON document spanning the file (an Event, an EventList, an array).
//
// The file is read in chunks and split into lines. If the first non-blank line
// is JSON on its own the file is JSON Lines; if not, the whole file is tried as
// one document; if that fails too, it is JSON Lines whose first line is broken.
// A broken line or a non-event is reported as `FILE:LINE: why` and skipped.
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { type K8sAuditEvent, toAuditEvent } from './event';
import { auditEventProblem, auditEventsOf } from './payload';

const CHUNK = 1 << 20;

/** Calls `fn(line, lineNumber)` for each line of the file (without its end of line). */
function forEachLine(path: string, fn: (line: string, lineNo: number) => boolean | void): void {
  const fd = fs.openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let lineNo = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      const text = n > 0 ? rest + decoder.write(buf.subarray(0, n)) : rest + decoder.end();
      let start = 0;
      for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
        lineNo++;
        if (fn(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl), lineNo) === false) return;
        start = nl + 1;
      }
      rest = text.slice(start);
      if (n <= 0) {
        if (rest.length > 0) fn(rest.endsWith('\r') ? rest.slice(0, -1) : rest, lineNo + 1);
        return;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
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
    if (isBlank(line)) return true;
    firstLine = no;
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

  forEachLine(path, (line, no) => {
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
