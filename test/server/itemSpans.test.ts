import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteLengthOver, itemSpans } from '../../src/server/itemSpans';

/** The texts of the spans, for comparing against what JSON.parse saw. */
function texts(s: string): string[] | undefined {
  const spans = itemSpans(s);
  if (!spans) return undefined;
  const out: string[] = [];
  for (let k = 0; k < spans.length; k += 2) out.push(s.slice(spans[k], spans[k + 1]));
  return out;
}

test('spans of a top-level array are its elements, whitespace excluded', () => {
  const s = ' [ {"a":1} ,\n\t{"b":[1,{"c":"}"}]}, "x", 12 , true,null ] ';
  assert.deepEqual(texts(s), ['{"a":1}', '{"b":[1,{"c":"}"}]}', '"x"', '12', 'true', 'null']);
  assert.deepEqual(texts('[]'), []);
  assert.deepEqual(texts('[ ]'), []);
});

test('spans of an EventList are its items, wherever the key sits', () => {
  const s = '{"kind":"EventList","metadata":{"items":[9]},"items":[{"x":"a,b]"},{"y":{}}],"apiVersion":"audit.k8s.io/v1"}';
  assert.deepEqual(texts(s), ['{"x":"a,b]"}', '{"y":{}}']);
});

test('escaped quotes and backslashes do not end a string early', () => {
  const items = [{ a: 'say "hi"' }, { b: 'ends with \\' }, { c: '\\"quoted\\"' }, { d: '"}]' }];
  const s = JSON.stringify({ items });
  assert.deepEqual(texts(s), items.map((i) => JSON.stringify(i)));
});

test('a later duplicate items key wins, as in JSON.parse', () => {
  assert.deepEqual(texts('{"items":[1,2,3],"items":[{"z":0}]}'), ['{"z":0}']);
  assert.equal(texts('{"items":[1],"items":5}'), undefined);
});

test('a member name written with escapes gives up (it could spell items)', () => {
  const s = '{"items":[{"a":1},{"b":2}],"\\u0069tems":[{"c":3},{"d":4}]}';
  assert.deepEqual((JSON.parse(s) as { items: unknown[] }).items, [{ c: 3 }, { d: 4 }]);
  assert.equal(itemSpans(s), undefined);
  assert.deepEqual(texts('{"kind":"EventList","items":[{"a":"\\"x"}]}'), ['{"a":"\\"x"}']);
});

test('an object without an items array has no spans', () => {
  assert.equal(itemSpans('{"kind":"Event","auditID":"x"}'), undefined);
  assert.equal(itemSpans('{"items":{"a":1}}'), undefined);
  assert.equal(itemSpans('"just a string"'), undefined);
});

test('spans agree with JSON.parse on generated batches', () => {
  const items: unknown[] = [];
  for (let i = 0; i < 200; i++) {
    items.push({ auditID: `id-${i}`, text: 'q"\\'.repeat(i % 5), nested: [[i], { k: `}${'é'.repeat(i % 3)}{` }], n: i * 1.5, ok: i % 2 === 0 });
  }
  const s = JSON.stringify({ kind: 'EventList', items }, null, i2(items.length));
  const parsed = JSON.parse(s).items as unknown[];
  const got = texts(s)!;
  assert.equal(got.length, parsed.length);
  got.forEach((t, k) => assert.deepEqual(JSON.parse(t), parsed[k]));
});

function i2(n: number): number {
  return n > 100 ? 2 : 0;
}

test('byteLengthOver counts UTF-8 bytes, not UTF-16 units', () => {
  const ascii = 'a'.repeat(10);
  assert.equal(byteLengthOver(ascii, 0, 10, 10), false);
  assert.equal(byteLengthOver(ascii, 0, 10, 9), true);
  const e = 'é'.repeat(10); // 2 bytes each
  assert.equal(byteLengthOver(e, 0, 10, 20), false);
  assert.equal(byteLengthOver(e, 0, 10, 19), true);
  const cjk = '漢'.repeat(4); // 3 bytes each
  assert.equal(byteLengthOver(cjk, 0, 4, 11), true);
  assert.equal(byteLengthOver(cjk, 0, 4, 12), false);
  const emoji = '😀'.repeat(2); // 2 units, 4 bytes each
  assert.equal(byteLengthOver(emoji, 0, 4, 7), true);
  assert.equal(byteLengthOver(emoji, 0, 4, 8), false);
  assert.equal(byteLengthOver('xx漢xx', 2, 3, 2), true);
});
