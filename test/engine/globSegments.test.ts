import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatcher } from '../../src/engine/glob';
import { globSegments, matchGlobSegments } from '../../src/engine/globSegments';

test('star-only patterns split into literal pieces; ? and classes are left to globMatcher', () => {
  assert.deepEqual(globSegments('/tmp/*.sh'), ['/tmp/', '.sh']);
  assert.deepEqual(globSegments('*'), ['', '']);
  assert.deepEqual(globSegments('a**b'), ['a', 'b']);
  assert.deepEqual(globSegments('*a*b*'), ['', 'a', 'b', '']);
  assert.deepEqual(globSegments('plain'), ['plain']);
  assert.deepEqual(globSegments('a\\*b'), ['a*b']);
  assert.deepEqual(globSegments('a\\?*'), ['a?', '']);
  // fnmatch never matches a pattern ending in a lone backslash: globMatcher says so
  assert.equal(globSegments('end\\'), undefined);
  assert.equal(globMatcher('end\\')('end\\'), false);
  assert.deepEqual(globSegments('end\\\\'), ['end\\']);
  assert.equal(globSegments('a?b'), undefined);
  assert.equal(globSegments('[ab]*'), undefined);
});

test('matching agrees with globMatcher on random star-only patterns and strings', () => {
  let seed = 7;
  const r = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const alphabet = ['a', 'b', '/', '.', '*', '\\'];
  let matched = 0;
  let checked = 0;
  for (let i = 0; i < 3000; i++) {
    const pattern = Array.from({ length: r(7) }, () => alphabet[r(alphabet.length)]).join('');
    const seg = globSegments(pattern);
    if (pattern.replace(/\\\\/g, '').endsWith('\\')) {
      assert.equal(seg, undefined, pattern);
      continue;
    }
    assert.ok(seg, pattern);
    const glob = globMatcher(pattern);
    for (let j = 0; j < 20; j++) {
      const s = Array.from({ length: r(8) }, () => alphabet[r(alphabet.length)]).join('');
      const want = glob(s);
      matched += want ? 1 : 0;
      checked++;
      assert.equal(matchGlobSegments(seg, s), want, `pattern ${JSON.stringify(pattern)} on ${JSON.stringify(s)}`);
    }
  }
  assert.ok(matched > checked / 50, `only ${matched} of ${checked} matched`);
});

test('overlapping prefix and suffix need room for both', () => {
  const seg = globSegments('ab*ba')!;
  assert.equal(matchGlobSegments(seg, 'aba'), false);
  assert.equal(matchGlobSegments(seg, 'abba'), true);
  assert.equal(matchGlobSegments(globSegments('a*a*a')!, 'aa'), false);
  assert.equal(matchGlobSegments(globSegments('a*a*a')!, 'aaa'), true);
});
