// Shell-style glob patterns (`glob` operator) with the meaning of glibc's
// fnmatch(3) called with no flags in the C locale, which is what Falco's
// sinsp_utils::glob_match does: `*` any run of characters (slashes and leading
// dots included), `?` one character, `[...]` bracket expressions and `\`
// escaping the next character. Inside brackets: `!`/`^` negate, a `]` first is
// literal, `a-z` ranges (by character code), `\` escapes, `[:alpha:]` and the
// other C-locale classes, `[=c=]` and `[.c.]` for a single character c.
// fnmatch never reports a bad pattern: what it cannot use makes it answer "no
// match", so a pattern here never throws; it may match nothing:
// - an unknown class name (`[[:foo:]]`): glibc returns FNM_NOMATCH as soon as it
//   reads the name, so the whole pattern matches nothing;
// - a trailing lone `\` ("Trailing \ loses" in glibc): matches nothing;
// - `[.ab.]` (a collating element longer than one character in the C locale),
//   a range with no end (`[a-`), an unterminated `[.`: nothing.
// An unterminated `[` is a literal `[` (`[ab` matches "[ab").
//
// `iglob` is fnmatch with FNM_CASEFOLD, which glibc (2.36, C locale) applies
// unevenly, and this follows it: literal characters (escaped or not), bracket
// members and range ends written plainly are compared lower-cased (tolower:
// A-Z only) with the lower-cased value character; classes (`[[:upper:]]`),
// `[=c=]` and `[.c.]` (as a member or a range end) use the characters as
// written, so `[[:upper:]]` still matches only A-Z and `[[.A.]]` not "a".

/** The 12 classes fnmatch knows in the C locale, on character codes (ASCII only, as in the C locale). */
const CLASSES: Record<string, (c: number) => boolean> = {
  alnum: (c) => isDigit(c) || isAlpha(c),
  alpha: (c) => isAlpha(c),
  blank: (c) => c === 32 || c === 9,
  cntrl: (c) => c < 32 || c === 127,
  digit: (c) => isDigit(c),
  graph: (c) => c > 32 && c < 127,
  lower: (c) => c >= 97 && c <= 122,
  print: (c) => c >= 32 && c < 127,
  punct: (c) => c > 32 && c < 127 && !isDigit(c) && !isAlpha(c),
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  upper: (c) => c >= 65 && c <= 90,
  xdigit: (c) => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70),
};

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** tolower in the C locale. */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** glibc gives up on a class name this long (CHAR_CLASS_MAX_LENGTH). */
const CLASS_NAME_MAX = 256;

const BACKSLASH = 92;
const OPEN = 91; // [
const CLOSE = 93; // ]
const COLON = 58;
const EQUALS = 61;
const DOT = 46;
const DASH = 45;

/** What a bracket does with one character: the index after its `]` when it matches, or one of these. */
const FAIL = -1;
const UNTERMINATED = -2;

/**
 * Runs the bracket expression opening at `open` against character code `raw`,
 * element by element as fnmatch reads it: the first element that matches
 * ends the reading (the rest is only skipped over), and an error met before
 * that (unknown class, `[.ab.]`, a range without end) is a failure. With
 * `fold`, plain members and range ends are compared lower-cased (see top).
 */
function bracketStep(p: string, open: number, raw: number, fold: boolean): number {
  const n = p.length;
  const at = (k: number) => (k < n ? p.charCodeAt(k) : -1);
  const f = fold ? lower : (c: number) => c;
  const fn = f(raw);
  let i = open + 1;
  const not = at(i) === 33 || at(i) === 94;
  if (not) i++;
  let c = at(i++);
  for (;;) {
    let lo: number;
    let symbol = false;
    if (c === BACKSLASH) {
      if (i >= n) return FAIL;
      lo = f(at(i++));
    } else if (c === OPEN && at(i) === COLON) {
      let j = i;
      let name = '';
      let cls: ((c: number) => boolean) | undefined;
      let fallback = false;
      for (;;) {
        if (name.length === CLASS_NAME_MAX) return FAIL;
        const ch = at(++j);
        if (ch === COLON && at(j + 1) === CLOSE) break;
        // only a..y can make a class name (glibc's own test); anything else reads `[` as a plain member
        if (ch < 97 || ch >= 122) {
          fallback = true;
          break;
        }
        name += String.fromCharCode(ch);
      }
      if (fallback) {
        lo = OPEN;
      } else {
        cls = Object.prototype.hasOwnProperty.call(CLASSES, name) ? CLASSES[name] : undefined;
        if (!cls) return FAIL;
        i = j + 2;
        if (cls(raw)) return skipRest(p, i, not);
        c = at(i++);
        if (c === CLOSE) break;
        continue;
      }
    } else if (c === OPEN && at(i) === EQUALS && i + 1 < n && at(i + 2) === EQUALS && at(i + 3) === CLOSE) {
      const eq = at(i + 1);
      i += 4;
      if (raw === eq) return skipRest(p, i, not);
      c = at(i++);
      if (c === CLOSE) break;
      continue;
    } else if (c === -1) {
      return UNTERMINATED;
    } else if (c === OPEN && at(i) === DOT) {
      const sym = collatingSymbol(p, i);
      if (sym === undefined) return FAIL;
      i = sym.next;
      lo = sym.code;
      // after a collating symbol, '-' starts a range even right before ']'
      symbol = true;
    } else {
      lo = f(c);
    }
    // a member, possibly the start of a range
    const isRange = at(i) === DASH && i + 1 < n && (symbol || at(i + 1) !== CLOSE);
    if (!isRange && lo === (symbol ? raw : fn)) return skipRest(p, i, not);
    c = at(i++);
    const r = rangeTail(p, i, c, lo, fn, f);
    if (r.result !== undefined) return r.result < 0 ? r.result : skipRest(p, r.result, not);
    i = r.i;
    c = r.c;
    if (c === CLOSE) break;
  }
  return not ? i : FAIL;
}

/** After a member `lo` and the next character `c` (read, `i` past it): a `-end` range, if there is one; `f` folds a plain end. */
function rangeTail(p: string, i: number, c: number, lo: number, fn: number, f: (c: number) => number): { i: number; c: number; result?: number } {
  const n = p.length;
  const at = (k: number) => (k < n ? p.charCodeAt(k) : -1);
  if (c !== DASH || at(i) === CLOSE) return { i, c };
  let hi = at(i++);
  if (hi === OPEN && at(i) === DOT) {
    const sym = collatingSymbol(p, i);
    if (sym === undefined) return { i, c, result: FAIL };
    hi = sym.code;
    i = sym.next;
  } else {
    if (hi === BACKSLASH) hi = at(i++);
    if (hi === -1) return { i, c, result: FAIL };
    hi = f(hi);
  }
  if (lo <= fn && fn <= hi) return { i, c, result: i };
  return { i: i + 1, c: at(i) };
}

/** `[.c.]` with `dot` at the `.`: its character and the index after `.]`; undefined when unterminated or not one character. */
function collatingSymbol(p: string, dot: number): { code: number; next: number } | undefined {
  const end = p.indexOf('.]', dot + 1);
  if (end < 0 || end - dot - 1 !== 1) return undefined;
  return { code: p.charCodeAt(dot + 1), next: end + 2 };
}

/**
 * From `i` (inside a bracket that already matched) to past its `]`: the index,
 * FAIL when malformed, UNTERMINATED when the pattern ends first (glibc 2.36
 * then reads the `[` as a literal, as when nothing matched).
 */
function skipRest(p: string, i: number, not: boolean): number {
  const n = p.length;
  const at = (k: number) => (k < n ? p.charCodeAt(k) : -1);
  for (;;) {
    if (i >= n) return UNTERMINATED;
    const c = at(i++);
    if (c === CLOSE) return not ? FAIL : i;
    if (c === BACKSLASH) {
      if (i >= n) return UNTERMINATED;
      i++;
    } else if (c === OPEN && at(i) === COLON) {
      let j = i;
      let len = 0;
      let ok = false;
      for (;;) {
        const ch = at(++j);
        if (++len === CLASS_NAME_MAX) return FAIL;
        if (ch === COLON && at(j + 1) === CLOSE) {
          ok = true;
          break;
        }
        if (ch < 97 || ch >= 122) break;
      }
      if (ok) i = j + 2;
    } else if (c === OPEN && at(i) === EQUALS) {
      if (i + 1 >= n) return UNTERMINATED;
      if (at(i + 2) !== EQUALS || at(i + 3) !== CLOSE) return FAIL;
      i += 4;
    } else if (c === OPEN && at(i) === DOT) {
      const end = p.indexOf('.]', i + 2);
      if (end < 0) return UNTERMINATED;
      i = end + 2;
    }
  }
}

/** One compiled element: STAR, ANY, a character code, or a bracket's test of a character code. */
type GlobToken = number | ((c: number) => boolean);
const STAR = -1;
const ANY = -2;

/**
 * A bracket as a test of one character plus where the pattern goes on. The
 * answers for codes 0-255 are worked out here once; other codes (beyond the
 * C locale's bytes) run the bracket at match time.
 */
function compileBracket(p: string, open: number, fold: boolean): { test: GlobToken; next: number } | 'never' {
  const table = new Int32Array(256);
  for (let c = 0; c < 256; c++) table[c] = bracketStep(p, open, c, fold);
  if (table[OPEN] === UNTERMINATED) return { test: OPEN, next: open + 1 };
  // fnmatch skips the rest of a matched bracket with simpler rules than it reads it, so in odd
  // patterns (`[xa-[:alpha:]]`) the end found depends on the character; the first one found is kept
  let next = -1;
  for (let c = 0; c < 256 && next < 0; c++) if (table[c] >= 0) next = table[c];
  // nothing in 0-255 matches: Falco runs fnmatch on a value's bytes, so no value can match there
  // (and searching the 65k wider codes for an end cost seconds on crafted patterns)
  if (next < 0) return 'never';
  const yes = new Uint8Array(256);
  for (let c = 0; c < 256; c++) yes[c] = table[c] === next ? 1 : 0;
  return { test: (c) => (c < 256 ? yes[c] === 1 : bracketStep(p, open, c, fold) === next), next };
}

/** A literal under FNM_CASEFOLD: a letter meets either case (A-Z only, as the C locale folds), anything else itself. */
function foldedLiteral(c: number): GlobToken {
  const l = lower(c);
  if (l < 97 || l > 122) return c;
  const u = l - 32;
  return (x) => x === l || x === u;
}

/** The pattern's tokens, or undefined when nothing can match it; with `fold`, a letter meets either case. */
function tokenize(pattern: string, fold: boolean): GlobToken[] | undefined {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < pattern.length; ) {
    const c = pattern.charCodeAt(i);
    if (c === 42) {
      while (pattern.charCodeAt(i + 1) === 42) i++;
      tokens.push(STAR);
      i++;
    } else if (c === 63) {
      tokens.push(ANY);
      i++;
    } else if (c === BACKSLASH) {
      if (i + 1 >= pattern.length) return undefined;
      const e = pattern.charCodeAt(i + 1);
      tokens.push(fold ? foldedLiteral(e) : e);
      i += 2;
    } else if (c === OPEN) {
      const b = compileBracket(pattern, i, fold);
      if (b === 'never') return undefined;
      tokens.push(b.test);
      i = b.next;
    } else {
      tokens.push(fold ? foldedLiteral(c) : c);
      i++;
    }
  }
  return tokens;
}

/** Tests `s` between `from` and `to` (the whole string by default). */
export type GlobMatch = (s: string, from?: number, to?: number) => boolean;

/**
 * The pattern as a matcher that runs in time proportional to pattern length
 * times value length (no exponential backtracking on crafted values). It
 * never throws: a pattern fnmatch cannot use matches nothing. `caseFold` is
 * FNM_CASEFOLD (the `iglob` operator).
 */
export function globMatcher(pattern: string, caseFold = false): GlobMatch {
  const tokens = tokenize(pattern, caseFold);
  if (!tokens) return () => false;
  return matcher(tokens);
}

/** Folding, when asked for, is in the tokens (foldedLiteral, the bracket tables): one matcher serves glob and iglob. */
function matcher(tokens: GlobToken[]): GlobMatch {
  const n = tokens.length;
  return (s, from = 0, to = s.length) => {
    // on a mismatch, only the last star takes one more character: no deeper backtracking is needed
    let p = 0;
    let i = from;
    let star = -1;
    let mark = 0;
    while (i < to) {
      const t = p < n ? tokens[p] : undefined;
      if (t === STAR) {
        star = p++;
        mark = i;
        continue;
      }
      const c = s.charCodeAt(i);
      if (t !== undefined && (t === ANY || (typeof t === 'number' ? t === c : t(c)))) {
        p++;
        i++;
      } else if (star >= 0) {
        p = star + 1;
        i = ++mark;
      } else {
        return false;
      }
    }
    while (p < n && tokens[p] === STAR) p++;
    return p === n;
  };
}
