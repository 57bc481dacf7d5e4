// A glob pattern made only of literal text and `*` (the common case in rules:
// `/tmp/*.sh`, `*.pem`) matched with string methods instead of globMatcher. Its
// meaning is exactly globMatcher's (fnmatch's): `*` is any run of characters,
// slashes included, and `\` makes the next character literal.

/** The literal pieces between the stars: `a*b*c` is ['a', 'b', 'c']; a pattern without stars is one piece. */
export type GlobSegments = readonly string[];

/** The pieces of a star-only pattern, or undefined when it uses `?`, `[` or ends in a lone `\` (which fnmatch never matches). */
export function globSegments(pattern: string): GlobSegments | undefined {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '?' || c === '[') return undefined;
    if (c === '*') {
      while (pattern[i + 1] === '*') i++;
      out.push(cur);
      cur = '';
    } else if (c === '\\') {
      if (i + 1 === pattern.length) return undefined;
      cur += pattern[++i];
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

/** Whether `s` matches the pieces: the first is a prefix, the last a suffix, the middle ones follow in order between. */
export function matchGlobSegments(seg: GlobSegments, s: string): boolean {
  const n = seg.length;
  if (n === 1) return s === seg[0];
  const first = seg[0];
  const last = seg[n - 1];
  if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
  // leftmost placement of each middle piece leaves the most room for the rest
  let at = first.length;
  const end = s.length - last.length;
  for (let i = 1; i < n - 1; i++) {
    const p = seg[i];
    const found = s.indexOf(p, at);
    if (found < 0 || found + p.length > end) return false;
    at = found + p.length;
  }
  return true;
}
