// Shell-style glob patterns (`glob` operator) compiled once to an anchored
// RegExp: `*` any run of characters (slashes included), `?` one character,
// `[abc]`, `[a-z]`, `[!x]`/`[^x]` classes, and `\` escaping the next character.

/** Compiles `pattern`; throws an Error saying what is wrong with it. */
export function globToRegExp(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      while (pattern[i + 1] === '*') i++;
      re += '[\\s\\S]*';
    } else if (c === '?') {
      re += '[\\s\\S]';
    } else if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRegExp(pattern[++i]);
    } else if (c === '[') {
      const cls = classAt(pattern, i);
      if (!cls) {
        // an unclosed '[' matches itself, as in fnmatch
        re += '\\[';
        continue;
      }
      re += cls.source;
      i = cls.end;
    } else {
      re += escapeRegExp(c);
    }
  }
  return new RegExp(re + '$');
}

/** One pattern element: a star, or a test of one character. */
type GlobToken = 'star' | ((c: string) => boolean);

/**
 * The pattern as a matcher with globToRegExp's meaning that runs in time
 * proportional to pattern length times value length: a RegExp with several
 * `[\s\S]*` backtracks polynomially, so a long crafted value (a path) could
 * stall the event loop. A bad character class throws here, as in globToRegExp.
 */
export function globMatcher(pattern: string): (s: string) => boolean {
  const tokens: GlobToken[] = [];
  const literal = (ch: string) => (c: string) => c === ch;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      while (pattern[i + 1] === '*') i++;
      tokens.push('star');
    } else if (c === '?') {
      tokens.push(() => true);
    } else if (c === '\\' && i + 1 < pattern.length) {
      tokens.push(literal(pattern[++i]));
    } else if (c === '[') {
      const cls = classAt(pattern, i);
      if (!cls) {
        tokens.push(literal('['));
        continue;
      }
      const re = new RegExp(`^${cls.source}$`);
      tokens.push((ch) => re.test(ch));
      i = cls.end;
    } else {
      tokens.push(literal(c));
    }
  }
  const n = tokens.length;
  return (s) => {
    // on a mismatch, only the last star takes one more character: no deeper backtracking is needed
    let p = 0;
    let i = 0;
    let star = -1;
    let mark = 0;
    while (i < s.length) {
      const t = p < n ? tokens[p] : undefined;
      if (t === 'star') {
        star = p++;
        mark = i;
      } else if (t !== undefined && t(s[i])) {
        p++;
        i++;
      } else if (star >= 0) {
        p = star + 1;
        i = ++mark;
      } else {
        return false;
      }
    }
    while (p < n && tokens[p] === 'star') p++;
    return p === n;
  };
}

/** The class opening at `open` as a RegExp class source, and the index of its `]`; undefined when unclosed. */
function classAt(pattern: string, open: number): { source: string; end: number } | undefined {
  const end = classEnd(pattern, open);
  if (end < 0) return undefined;
  let body = pattern.slice(open + 1, end);
  const negate = body[0] === '!' || body[0] === '^';
  if (negate) body = body.slice(1);
  return { source: (negate ? '[^' : '[') + classBody(body) + ']', end };
}

/** Index of the `]` closing the class that opens at `open`, or -1. A `]` first in the class is literal. */
function classEnd(pattern: string, open: number): number {
  let j = open + 1;
  if (pattern[j] === '!' || pattern[j] === '^') j++;
  if (pattern[j] === ']') j++;
  for (; j < pattern.length; j++) {
    if (pattern[j] === '\\') j++;
    else if (pattern[j] === ']') return j;
  }
  return -1;
}

function classBody(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\' && i + 1 < body.length) out += classChar(body[++i]);
    else if (c === '-' && i > 0 && i < body.length - 1) out += '-';
    else out += classChar(c);
  }
  return out;
}

function classChar(c: string): string {
  return /[\]\\^\-\[]/.test(c) ? '\\' + c : c;
}

function escapeRegExp(c: string): string {
  return /[.*+?^${}()|[\]\\\/]/.test(c) ? '\\' + c : c;
}
