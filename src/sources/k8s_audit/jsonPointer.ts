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
