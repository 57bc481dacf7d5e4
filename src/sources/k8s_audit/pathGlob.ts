// Shell-style patterns for host paths (`/proc*`, `/var/run/*.sock`, `/dev/[st]d?`),
// compiled once to an anchored RegExp. `*` matches any run of characters,
// slashes included, as fnmatch does without FNM_PATHNAME.

export function compilePathGlob(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new Error(`unterminated '[' in path pattern '${pattern}'`);
      let body = pattern.slice(i + 1, end);
      if (body[0] === '!') body = '^' + body.slice(1);
      re += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else re += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(re + '$');
}
