import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatcher, globToRegExp } from '../../src/engine/glob';

test('glob matching does not backtrack: several stars with ? or a class on a long hostile value stay fast', () => {
  const long = 'a'.repeat(4096);
  for (const pattern of ['*a*a*a*b?', '*a*a*a*a*a*[b]', '/*/*/*/*/?x']) {
    const m = globMatcher(pattern);
    const t = process.hrtime.bigint();
    assert.equal(m(long), false);
    assert.equal(m('/'.repeat(4096)), false);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    assert.ok(ms < 500, `${pattern} took ${ms} ms`);
  }
});

test('glob matcher means what the RegExp form means, on patterns with ?, classes, escapes and stars', () => {
  const patterns = ['*', '?', 'a*b', '*a?b*', '[ab]*', '[!a]?*', '[^a-c]x', '\\*a*', 'a\\?', '*[]]*', '[a-]*', 'x[', '**a**', '/tmp/*/?.sh', '*.[ch]', ''];
  const alphabet = ['a', 'b', 'c', 'x', '*', '?', ']', '-', '/', '.', 'h', '['];
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  for (const p of patterns) {
    const re = globToRegExp(p);
    const m = globMatcher(p);
    for (let k = 0; k < 400; k++) {
      let s = '';
      const len = rnd(7);
      for (let i = 0; i < len; i++) s += alphabet[rnd(alphabet.length)];
      assert.equal(m(s), re.test(s), `pattern ${JSON.stringify(p)} on ${JSON.stringify(s)}`);
    }
  }
  assert.equal(globMatcher('/tmp/*/?.sh')('/tmp/x/y/z.sh'), true);
  assert.equal(globMatcher('*.[ch]')('main.o'), false);
});
