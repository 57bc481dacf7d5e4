import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJsonPointer, resolveJsonPointer } from '../../../src/sources/k8s_audit/jsonPointer';

const doc = { a: { 'b/c': 1, 'd~e': 2, '': 3 }, list: ['x', { y: 'z' }], n: null };

test('resolves keys, escapes and array indexes (RFC 6901)', () => {
  assert.deepEqual(resolveJsonPointer(doc, parseJsonPointer('')), doc);
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/a/b~1c')), 1);
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/a/d~0e')), 2);
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/a/')), 3);
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/list/0')), 'x');
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/list/1/y')), 'z');
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/n')), null);
});

test('missing paths resolve to undefined', () => {
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/nope')), undefined);
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/list/2')), undefined);
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/list/01')), undefined);
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/list/-')), undefined);
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/a/b~1c/deeper')), undefined);
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/toString')), undefined);
});

test('rejects malformed pointers', () => {
  assert.throws(() => parseJsonPointer('stage'), /must be empty or start with '\/'/);
  assert.throws(() => parseJsonPointer('/a~2'), /'~' must be followed by 0 or 1/);
});

test('compiled pointers agree with the token walk, including the fast one- and two-key forms', async () => {
  const { compileJsonPointer } = await import('../../../src/sources/k8s_audit/jsonPointer');
  const docs: unknown[] = [doc, { stage: 'x', user: { username: 'u' } }, ['a'], null, 'text', { user: null }, { user: ['u'] }];
  for (const p of ['', '/a', '/a/b~1c', '/list/1/y', '/stage', '/user/username', '/0', '/toString', '/user/toString', '/n/x']) {
    const tokens = parseJsonPointer(p);
    const compiled = compileJsonPointer(tokens);
    for (const d of docs) assert.deepEqual(compiled(d), resolveJsonPointer(d, tokens), `${p} on ${JSON.stringify(d)}`);
  }
});
