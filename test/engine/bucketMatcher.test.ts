import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketMatcher, MAX_GENERATED_BUCKET } from '../../src/engine/bucketMatcher';

function run<R>(m: ReturnType<typeof bucketMatcher<number, R>>, evt: number, first: boolean): R[] {
  const out: R[] = [];
  m(evt, first, (r) => out.push(r));
  return out;
}

test('tries every test in order; first stops at the first match', () => {
  const tried: string[] = [];
  const t = (name: string, f: (n: number) => boolean) => (n: number) => (tried.push(name), f(n));
  const m = bucketMatcher([t('even', (n) => n % 2 === 0), t('big', (n) => n > 10), t('any', () => true)], ['even', 'big', 'any']);
  assert.deepEqual(run(m, 12, false), ['even', 'big', 'any']);
  assert.deepEqual(tried.splice(0), ['even', 'big', 'any']);
  assert.deepEqual(run(m, 3, false), ['any']);
  assert.deepEqual(run(m, 12, true), ['even']);
  assert.deepEqual(tried.splice(0), ['even', 'big', 'any', 'even']);
  assert.deepEqual(run(m, 3, true), ['any']);
  assert.deepEqual(run(bucketMatcher<number, string>([], []), 1, false), []);
  assert.throws(() => bucketMatcher([() => true], []), /one test per rule/);
});

test('large buckets fall back to a loop with the same results', () => {
  const n = MAX_GENERATED_BUCKET + 5;
  const tests = Array.from({ length: n }, (_, i) => (x: number) => (x + i) % 7 === 0);
  const rules = Array.from({ length: n }, (_, i) => i);
  const big = bucketMatcher(tests, rules);
  const small = bucketMatcher(tests.slice(0, 50), rules.slice(0, 50));
  for (let x = 0; x < 14; x++) {
    const want = rules.filter((i) => (x + i) % 7 === 0);
    assert.deepEqual(run(big, x, false), want);
    assert.deepEqual(run(big, x, true), want.slice(0, 1));
    assert.deepEqual(run(small, x, false), want.filter((i) => i < 50));
  }
});

test('a test that throws is no match and goes to onError; the rules after it still run (generated and loop)', () => {
  const boom = (n: number): boolean => {
    if (n === 5) throw new Error('field bug');
    return true;
  };
  const tests = [(n: number) => n > 100, boom, () => true];
  const rules = ['big', 'broken', 'any'];
  const loopTests = [...tests, ...Array.from({ length: MAX_GENERATED_BUCKET }, () => () => false)];
  const loopRules = [...rules, ...Array.from({ length: MAX_GENERATED_BUCKET }, (_, i) => `never${i}`)];
  for (const m of [bucketMatcher(tests, rules), bucketMatcher(loopTests, loopRules)]) {
    const errors: string[] = [];
    const out: string[] = [];
    m(5, false, (r) => out.push(r), (r, err) => errors.push(`${r}: ${(err as Error).message}`));
    assert.deepEqual(out, ['any']);
    assert.deepEqual(errors, ['broken: field bug']);
    // with first, the broken rule does not count as the first match
    out.length = 0;
    m(5, true, (r) => out.push(r), () => undefined);
    assert.deepEqual(out, ['any']);
    // without onError it propagates, as before
    assert.throws(() => m(5, false, () => undefined), /field bug/);
    // a rule that does not throw on this event matches as usual
    out.length = 0;
    m(6, true, (r) => out.push(r), () => undefined);
    assert.deepEqual(out, ['broken']);
  }
});
