import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatcher } from '../../src/engine/glob';

test('glob matching does not backtrack: several stars with ? or a class on a long hostile value stay fast', () => {
  const long = 'a'.repeat(4096);
  for (const pattern of ['*a*a*a*b?', '*a*a*a*a*a*[b]', '/*/*/*/*/?x', '*[[:alpha:]]*[[:alpha:]]*b']) {
    const m = globMatcher(pattern);
    const t = process.hrtime.bigint();
    assert.equal(m(long), false);
    assert.equal(m('/'.repeat(4096)), false);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    assert.ok(ms < 500, `${pattern} took ${ms} ms`);
  }
});

// [pattern, value, fnmatch(pattern, value, 0) == 0], each answer taken from glibc 2.36
// (Debian 12) fnmatch in the C locale, the call Falco's glob operator makes
const GLIBC: [string, string, boolean][] = [
  ["[[:alpha:]]", "a", true],
  ["[[:alpha:]]", "1", false],
  ["[[:digit:]x]", "7", true],
  ["[[:digit:]x]", "x", true],
  ["[[:digit:]x]", "y", false],
  ["[![:space:]]", " ", false],
  ["[![:space:]]", "x", true],
  ["[^[:upper:]]", "A", false],
  ["[^[:upper:]]", "a", true],
  ["*.[[:alnum:]]", "f.c", true],
  ["*.[[:alnum:]]", "f._", false],
  ["[[:xdigit:]][[:xdigit:]]", "fA", true],
  ["[[:xdigit:]][[:xdigit:]]", "fg", false],
  ["[[:punct:]]", "!", true],
  ["[[:punct:]]", "a", false],
  ["[[:blank:]]", "\t", true],
  ["[[:cntrl:]]", "a", false],
  ["[[:graph:]]", " ", false],
  ["[[:print:]]", " ", true],
  ["[[:lower:]]", "Q", false],
  ["[[:foo:]]", "a", false],
  ["[[:foo:]]", "[", false],
  ["a[[:foo:]]", "ab", false],
  ["*[[:foo:]]", "xa", false],
  ["[a[:foo:]]", "a", true],
  ["[[:ALPHA:]]", "a", false],
  ["[[:alpha]", "a", true],
  ["[[:alpha]", ":", true],
  ["[]]", "]", true],
  ["[]a]", "a", true],
  ["[!]a]", "b", true],
  ["[!]a]", "]", false],
  ["[a-]", "-", true],
  ["[--0]", "/", true],
  ["[z-a]", "m", false],
  ["[z-ab]", "b", true],
  ["[a\\-z]", "b", false],
  ["[\\]]", "]", true],
  ["[[=a=]]", "a", true],
  ["[[.a.]]", "a", true],
  ["[[.ab.]]", "a", false],
  ["[[", "[[", true],
  ["[ab", "[ab", true],
  ["[ab", "a", false],
  ["end\\", "end\\", false],
  ["end\\", "end", false],
  ["\\a", "a", true],
  ["*", ".x", true],
  ["*", "a/b", true],
  ["[/]", "/", true],
  ["[a-", "[a-", false],
];

test('glob answers as glibc fnmatch does: POSIX classes, negation, ranges, escapes, odd and bad brackets', () => {
  assert.ok(GLIBC.length > 40);
  for (const [pattern, value, want] of GLIBC) {
    assert.equal(globMatcher(pattern)(value), want, `${JSON.stringify(pattern)} on ${JSON.stringify(value)}`);
  }
});

test('every C-locale class tests exactly its ASCII characters', () => {
  const members: Record<string, (c: number) => boolean> = {
    alnum: (c) => /[0-9A-Za-z]/.test(String.fromCharCode(c)),
    alpha: (c) => /[A-Za-z]/.test(String.fromCharCode(c)),
    blank: (c) => c === 32 || c === 9,
    cntrl: (c) => c < 32 || c === 127,
    digit: (c) => c >= 48 && c <= 57,
    graph: (c) => c > 32 && c < 127,
    lower: (c) => c >= 97 && c <= 122,
    print: (c) => c >= 32 && c < 127,
    punct: (c) => c > 32 && c < 127 && !/[0-9A-Za-z]/.test(String.fromCharCode(c)),
    space: (c) => c === 32 || (c >= 9 && c <= 13),
    upper: (c) => c >= 65 && c <= 90,
    xdigit: (c) => /[0-9A-Fa-f]/.test(String.fromCharCode(c)),
  };
  for (const [name, isMember] of Object.entries(members)) {
    const m = globMatcher(`[[:${name}:]]`);
    const not = globMatcher(`[![:${name}:]]`);
    for (let c = 0; c < 256; c++) {
      const ch = String.fromCharCode(c);
      assert.equal(m(ch), isMember(c), `${name} on ${c}`);
      assert.equal(not(ch), !isMember(c), `!${name} on ${c}`);
    }
  }
});

test('the behaviours kept from before: ] first is literal, ! and ^ negate, ranges, escapes, * crosses /', () => {
  const cases: [string, string, boolean][] = [
    ['/tmp/*/?.sh', '/tmp/x/y/z.sh', true],
    ['*.[ch]', 'main.o', false],
    ['*.[ch]', 'main.h', true],
    ['*[]]*', 'a]b', true],
    ['[!a]?*', 'ba', true],
    ['[!a]?*', 'ab', false],
    ['[^a-c]x', 'dx', true],
    ['[^a-c]x', 'bx', false],
    ['\\*a*', '*ab', true],
    ['\\*a*', 'xab', false],
    ['a\\?', 'a?', true],
    ['a\\?', 'ab', false],
    ['x[', 'x[', true],
    ['**a**', 'xay', true],
    ['', '', true],
    ['', 'a', false],
  ];
  for (const [p, s, want] of cases) assert.equal(globMatcher(p)(s), want, `${p} on ${s}`);
});

test('a range inside the value is matched on its own (for path components)', () => {
  const m = globMatcher('b*[[:digit:]]');
  assert.equal(m('/ab12/x', 2, 5), true);
  assert.equal(m('/ab1x/x', 2, 5), false);
});

test('a bracket no byte can match matches nothing, as fnmatch on UTF-8 bytes: wide characters included', () => {
  // Falco matches the value's bytes: "€" is three bytes and a bracket takes one
  assert.equal(globMatcher('[€]')('€'), false);
  assert.equal(globMatcher('a[z-a]b')('a€b'), false);
  assert.equal(globMatcher('*[[:foo:]]*')('x€y'), false);
});

// [pattern, value, fnmatch(pattern, value, FNM_CASEFOLD) == 0], each answer taken from glibc 2.36
// (Debian 12) in the C locale, the call Falco's iglob operator makes. glibc folds literals, plain
// bracket members and plain range ends, but not classes, [=c=] or [.c.] (members or range ends)
const GLIBC_CASEFOLD: [string, string, boolean][] = [
  ["*.SH", "x.sh", true],
  ["*.sh", "X.SH", true],
  ["*.sh", "x.sH", true],
  ["ABC", "abc", true],
  ["abc", "ABD", false],
  ["/TMP/*", "/tmp/x", true],
  ["a?c", "AxC", true],
  ["\\A", "a", true],
  ["\\a", "A", true],
  ["\\*", "*", true],
  ["*\\Q", "xq", true],
  ["[abc]", "B", true],
  ["[ABC]", "b", true],
  ["[!a]", "A", false],
  ["[^B]", "b", false],
  ["[!B]", "c", true],
  ["[\\A]", "a", true],
  ["[]A]", "a", true],
  ["[]A]", "]", true],
  ["[a-c]", "B", true],
  ["[A-C]", "b", true],
  ["[a-C]", "b", true],
  ["[A-c]", "B", true],
  ["[Z-a]", "Z", false],
  ["[Z-a]", "a", false],
  ["[Z-a]", "_", false],
  ["[[-a]", "A", true],
  ["[[-a]", "[", true],
  ["[_-a]", "A", true],
  ["[A-\\C]", "c", true],
  ["[--A]", "a", true],
  ["[--A]", "A", true],
  ["[--A]", "@", true],
  ["[a-]", "A", true],
  ["[[:upper:]]", "a", false],
  ["[[:upper:]]", "A", true],
  ["[[:lower:]]", "A", false],
  ["[[:lower:]]", "a", true],
  ["[![:upper:]]", "a", true],
  ["[![:upper:]]", "A", false],
  ["[^[:lower:]]", "A", true],
  ["[[:alpha:]]", "Q", true],
  ["[[:xdigit:]]", "F", true],
  ["[[=A=]]", "A", true],
  ["[[=A=]]", "a", false],
  ["[[=a=]]", "A", false],
  ["[[.A.]]", "a", false],
  ["[[.a.]]", "A", false],
  ["[[.a.]]", "a", true],
  ["[[.a.]-z]", "Q", true],
  ["[[.A.]-c]", "B", true],
  ["[[.A.]-c]", "b", true],
  ["[[.A.]-c]", "D", false],
  ["[[.A.]-c]", "_", true],
  ["[A-[.c.]]", "B", true],
  ["[a-[.C.]]", "b", false],
  ["[a-[.C.]]", "B", false],
  ["[[.Z.]-a]", "Z", false],
  ["[[.Z.]-a]", "A", true],
  ["[[=A=]-z]", "Z", true],
  ["[[=A=]-z]", "-", true],
  ["[[=A=]-z]", "m", false],
  ["[[:foo:]]", "a", false],
  ["end\\", "END\\", false],
  ["[AB", "[ab", true],
  ["[AB", "a", false],
  ["*[[:UPPER:]]", "xA", false],
  ["\u00c9", "\u00e9", false],
  ["[\u00c9]", "\u00e9", false],
  ["*", "", true],
  ["", "a", false],
];

test('iglob answers as glibc fnmatch with FNM_CASEFOLD does: folded literals, members and ranges; classes, [=c=] and [.c.] unfolded', () => {
  assert.ok(GLIBC_CASEFOLD.length > 60);
  for (const [pattern, value, want] of GLIBC_CASEFOLD) {
    assert.equal(globMatcher(pattern, true)(value), want, `${JSON.stringify(pattern)} on ${JSON.stringify(value)}`);
  }
});

test('glob stays case-sensitive where iglob folds', () => {
  for (const [p, s] of [['*.SH', 'x.sh'], ['[A-C]', 'b'], ['\\A', 'a'], ['[[-a]', 'A']]) {
    assert.equal(globMatcher(p)(s), false, `glob ${p} on ${s}`);
    assert.equal(globMatcher(p, true)(s), true, `iglob ${p} on ${s}`);
  }
});

test('iglob folds only A-Z, on every code 0-255 against a letter and a range', () => {
  const letter = globMatcher('q', true);
  const range = globMatcher('[B-d]', true);
  for (let c = 0; c < 256; c++) {
    const ch = String.fromCharCode(c);
    assert.equal(letter(ch), c === 81 || c === 113, `q on ${c}`);
    // folded range b-d: the letters b, c, d of either case
    assert.equal(range(ch), (c >= 98 && c <= 100) || (c >= 66 && c <= 68), `[B-d] on ${c}`);
  }
});

test('iglob on a part of the value, and on a long hostile value, stays exact and fast', () => {
  const m = globMatcher('B*[[:digit:]]', true);
  assert.equal(m('/ab12/x', 2, 5), true);
  assert.equal(m('/aB1x/x', 2, 5), false);
  const long = 'A'.repeat(4096);
  const hostile = globMatcher('*a*a*a*b?', true);
  const t = process.hrtime.bigint();
  assert.equal(hostile(long), false);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  assert.ok(ms < 500, `took ${ms} ms`);
});
