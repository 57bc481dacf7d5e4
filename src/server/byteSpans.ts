// Where the events of a JSON body lie in its UTF-8 bytes: the same scan as
// itemSpans.ts, on bytes instead of the decoded string, so that it can run on
// another thread (spanScanner.ts) while this one decodes and parses, and so
// that a span's length is the event's size in bytes with no counting.
//
// Runs only on bodies that JSON.parse accepts (the caller checks), so it skips
// values rather than validating them. The grammar it follows:
//
//   body     = ws ( array | object ) ws
//   array    = "[" ws [ value ws { "," ws value ws } ] "]"        -> one span per value
//   object   = "{" ws [ member { "," ws member } ] "}"
//   member   = string ws ":" ws value ws                          -> the spans of the
//              value of the last member named "items", when that value is an array
//   value    = string | "{" ... "}" | "[" ... "]" | scalar        (skipped by bracket depth)
//
// A span is [first byte, last byte + 1). Bytes of multi-byte UTF-8 sequences
// are all >= 0x80, so they are never mistaken for quotes or brackets.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(b: Uint8Array, i: number, n: number): number {
  while (i < n && isWs(b[i])) i++;
  return i;
}

/** `i` is at an opening quote; returns the index just past the closing one. */
function skipString(b: Uint8Array, i: number, n: number): number {
  i++;
  while (i < n) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    // an escape takes the next byte with it, whatever it is
    i += c === BACKSLASH ? 2 : 1;
  }
  return n;
}

/** `i` is at the first byte of a value; returns the index just past it. */
function skipValue(b: Uint8Array, i: number, n: number): number {
  const c0 = b[i];
  if (c0 === QUOTE) return skipString(b, i, n);
  if (c0 !== LBRACE && c0 !== LBRACKET) {
    while (i < n) {
      const c = b[i];
      if (c === COMMA || c === RBRACE || c === RBRACKET || isWs(c)) return i;
      i++;
    }
    return n;
  }
  let depth = 0;
  while (i < n) {
    const c = b[i];
    if (c === QUOTE) {
      i = skipString(b, i, n);
      continue;
    }
    if (c === LBRACE || c === LBRACKET) depth++;
    else if (c === RBRACE || c === RBRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return n;
}

/** `i` is at "["; pushes each element's start and end and returns the index past "]". */
function arraySpans(b: Uint8Array, i: number, n: number, out: number[]): number {
  i = skipWs(b, i + 1, n);
  if (b[i] === RBRACKET) return i + 1;
  while (i < n) {
    const start = i;
    i = skipValue(b, i, n);
    out.push(start, i);
    i = skipWs(b, i, n);
    if (b[i] !== COMMA) return i + 1;
    i = skipWs(b, i + 1, n);
  }
  return i;
}

/** Whether b[i, i + 7) is `"items"`. */
function isItemsKey(b: Uint8Array, i: number): boolean {
  // "items" = 22 69 74 65 6d 73 22
  return b[i + 1] === 0x69 && b[i + 2] === 0x74 && b[i + 3] === 0x65 && b[i + 4] === 0x6d && b[i + 5] === 0x73 && b[i + 6] === QUOTE;
}

/**
 * The byte spans of the elements of the body's top-level array, or of its
 * `items` array when the body is an object, as [start0, end0, start1, end1,
 * ...]; undefined when the body is an object without an `items` array (a
 * single event, whose size is the whole body's), or one with a member name
 * written with escapes (which could be `items`).
 */
export function byteSpans(b: Uint8Array): number[] | undefined {
  const n = b.length;
  let i = skipWs(b, 0, n);
  if (b[i] === LBRACKET) {
    const out: number[] = [];
    arraySpans(b, i, n, out);
    return out;
  }
  if (b[i] !== LBRACE) return undefined;
  let found: number[] | undefined;
  i = skipWs(b, i + 1, n);
  while (i < n && b[i] === QUOTE) {
    const keyStart = i;
    i = skipString(b, i, n);
    // an escaped key might spell "items" (JSON.parse would say): give up, the caller measures another way
    for (let k = keyStart + 1; k < i - 1; k++) if (b[k] === BACKSLASH) return undefined;
    const isItems = i - keyStart === 7 && isItemsKey(b, keyStart);
    i = skipWs(b, i, n);
    if (b[i] !== COLON) return found;
    i = skipWs(b, i + 1, n);
    if (isItems && b[i] === LBRACKET) {
      // a later duplicate key wins, as it does in JSON.parse
      found = [];
      i = arraySpans(b, i, n, found);
    } else {
      if (isItems) found = undefined;
      i = skipValue(b, i, n);
    }
    i = skipWs(b, i, n);
    if (b[i] !== COMMA) break;
    i = skipWs(b, i + 1, n);
  }
  return found;
}
