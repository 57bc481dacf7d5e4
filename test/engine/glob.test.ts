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
