// Where the elements of a batch body lie in its bytes, so that a large body
// can be decoded element by element (auditBody.ts, decodeAuditBytes). Why: a
// string of 128 KiB or more is a large object to V8, placed on pages of its
// own that are mapped fresh and faulted in, and on this project's machines a
// page fault costs about 20 µs: turning a 760 KiB body into one string cost
// more than parsing it. Each element's text is small and lives in the young
// generation.
//
// The scan checks the structure between the elements and skips over values
// (JSON.parse checks each element and the envelope); anything it does not
// recognise gives undefined and the caller decodes the whole body instead:
//
//   body     = ws ( array | object ) ws
//   array    = "[" ws [ value ws { "," ws value ws } ] "]"        -> one span per value
//   object   = "{" ws [ member { "," ws member } ] "}"            -> the spans of the one
//              member named "items" (unescaped, at most once), whose value is an array
//   member   = string ws ":" ws value ws
//   value    = string | "{" ... "}" | "[" ... "]" | scalar        (skipped by bracket depth)
//
// Spans are byte offsets; UTF-8 never puts an ASCII byte inside a multi-byte
// character, so the structural bytes are found on the bytes themselves.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

export interface BodyItems {
  /** [start0, end0, start1, end1, ...]: each element's bytes */
  spans: number[];
  /** for an object body, the bytes of the `items` array itself (the envelope is the rest); -1 for an array body */
  arrayStart: number;
  arrayEnd: number;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(b: Uint8Array, i: number, n: number): number {
  while (i < n && isWs(b[i])) i++;
  return i;
}

/** `i` is at an opening quote; the index just past the closing one, or -1. */
function skipString(b: Uint8Array, i: number, n: number): number {
  for (i++; i < n; i++) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) i++;
  }
  return -1;
}

/** `i` is at a value's first byte; the index just past it, or -1 when it does not end. */
function skipValue(b: Uint8Array, i: number, n: number): number {
  const c0 = b[i];
  if (c0 === QUOTE) return skipString(b, i, n);
  if (c0 !== LBRACE && c0 !== LBRACKET) {
    const start = i;
    while (i < n) {
      const c = b[i];
      if (c === COMMA || c === RBRACE || c === RBRACKET || isWs(c)) break;
      i++;
    }
    return i > start ? i : -1;
  }
  let depth = 0;
  while (i < n) {
    const c = b[i];
    if (c === QUOTE) {
      i = skipString(b, i, n);
      if (i < 0) return -1;
      continue;
    }
    if (c === LBRACE || c === LBRACKET) depth++;
    else if (c === RBRACE || c === RBRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/** `i` is at "["; pushes each element's span and returns the index past "]", or -1. */
function arraySpans(b: Uint8Array, i: number, n: number, out: number[]): number {
  i = skipWs(b, i + 1, n);
  if (i < n && b[i] === RBRACKET) return i + 1;
  while (i < n) {
    const start = i;
    i = skipValue(b, i, n);
    if (i < 0) return -1;
    out.push(start, i);
    i = skipWs(b, i, n);
    if (i >= n) return -1;
    if (b[i] === RBRACKET) return i + 1;
    if (b[i] !== COMMA) return -1;
    i = skipWs(b, i + 1, n);
  }
  return -1;
}

/** The elements of the first `n` bytes of `b` when its structure is the grammar's; else undefined. */
export function bodyItems(b: Uint8Array, n: number): BodyItems | undefined {
  let i = skipWs(b, 0, n);
  if (i < n && b[i] === LBRACKET) {
    const spans: number[] = [];
    i = arraySpans(b, i, n, spans);
    return i >= 0 && skipWs(b, i, n) === n ? { spans, arrayStart: -1, arrayEnd: -1 } : undefined;
  }
  if (i >= n || b[i] !== LBRACE) return undefined;
  let found: BodyItems | undefined;
  i = skipWs(b, i + 1, n);
  if (i < n && b[i] === RBRACE) return undefined;
  while (i < n && b[i] === QUOTE) {
    const keyStart = i;
    i = skipString(b, i, n);
    if (i < 0) return undefined;
    let escaped = false;
    for (let k = keyStart + 1; k < i - 1; k++) if (b[k] === BACKSLASH) escaped = true;
    // an escaped key might spell "items": JSON.parse would have to say
    if (escaped) return undefined;
    const isItems = i - keyStart === 7 && b[keyStart + 1] === 0x69 && b[keyStart + 2] === 0x74 && b[keyStart + 3] === 0x65 && b[keyStart + 4] === 0x6d && b[keyStart + 5] === 0x73;
    i = skipWs(b, i, n);
    if (i >= n || b[i] !== COLON) return undefined;
    i = skipWs(b, i + 1, n);
    if (i >= n) return undefined;
    if (isItems) {
      // a second "items" (the last wins in JSON.parse) or one that is not an array: decode the whole body
      if (found || b[i] !== LBRACKET) return undefined;
      const spans: number[] = [];
      const end = arraySpans(b, i, n, spans);
      if (end < 0) return undefined;
      found = { spans, arrayStart: i, arrayEnd: end };
      i = end;
    } else {
      i = skipValue(b, i, n);
      if (i < 0) return undefined;
    }
    i = skipWs(b, i, n);
    if (i >= n) return undefined;
    if (b[i] === RBRACE) return skipWs(b, i + 1, n) === n ? found : undefined;
    if (b[i] !== COMMA) return undefined;
    i = skipWs(b, i + 1, n);
  }
  return undefined;
}
