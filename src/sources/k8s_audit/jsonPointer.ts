// RFC 6901 JSON pointers: "" is the whole document, otherwise "/"-separated
// reference tokens with `~1` for "/" and `~0` for "~"; tokens index arrays
// when they are decimal numbers without leading zeros. Parsed once, at bind time.

/** The reference tokens of `pointer`; throws when it is not a JSON pointer. */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (pointer[0] !== '/') throw new Error(`invalid JSON pointer '${pointer}': must be empty or start with '/'`);
  return pointer
    .slice(1)
    .split('/')
    .map((tok) => {
      if (/~(?![01])/.test(tok)) throw new Error(`invalid JSON pointer '${pointer}': '~' must be followed by 0 or 1`);
      return tok.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * A function from a document to the value `tokens` point at. Pointers of one
 * or two plain keys (`/stage`, `/user/username`), the common case in rules,
 * become direct property reads; the rest walk the tokens.
 */
export function compileJsonPointer(tokens: readonly string[]): (doc: unknown) => unknown {
  const plain = (t: string) => !ARRAY_INDEX.test(t) && !(t in Object.prototype);
  if (tokens.length === 1 && plain(tokens[0])) {
    const [a] = tokens;
    return (doc) => (doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>)[a] : undefined);
  }
  if (tokens.length === 2 && plain(tokens[0]) && plain(tokens[1])) {
    const [a, b] = tokens;
    return (doc) => {
      if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
      const v = (doc as Record<string, unknown>)[a];
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[b] : undefined;
    };
  }
  return (doc) => resolveJsonPointer(doc, tokens);
}

/** The value `tokens` points at inside `doc`, or undefined when there is none. */
export function resolveJsonPointer(doc: unknown, tokens: readonly string[]): unknown {
  let cur = doc;
  for (let i = 0; i < tokens.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const tok = tokens[i];
    if (Array.isArray(cur)) {
      if (!ARRAY_INDEX.test(tok)) return undefined;
      cur = cur[+tok];
    } else {
      if (!Object.prototype.hasOwnProperty.call(cur, tok)) return undefined;
      cur = (cur as Record<string, unknown>)[tok];
    }
  }
  return cur;
}
