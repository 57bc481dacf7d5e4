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
      const end = classEnd(pattern, i);
      if (end < 0) {
        // an unclosed '[' matches itself, as in fnmatch
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      let negate = false;
      if (body[0] === '!' || body[0] === '^') {
        negate = true;
        body = body.slice(1);
      }
      re += (negate ? '[^' : '[') + classBody(body) + ']';
      i = end;
    } else {
      re += escapeRegExp(c);
    }
  }
  return new RegExp(re + '$');
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
