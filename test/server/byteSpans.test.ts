import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteSpans } from '../../src/server/byteSpans';
import { itemSpans } from '../../src/server/itemSpans';

/** The texts of the byte spans of `s` encoded as UTF-8. */
function texts(s: string): string[] | undefined {
  const b = Buffer.from(s, 'utf8');
  const spans = byteSpans(b);
  if (!spans) return undefined;
  const out: string[] = [];
  for (let k = 0; k < spans.length; k += 2) out.push(b.toString('utf8', spans[k], spans[k + 1]));
  return out;
}

test('byte spans of a top-level array are its elements, whitespace excluded', () => {
  const s = ' [ {"a":1} ,\n\t{"b":[1,{"c":"}"}]}, "x", 12 , true,null ] ';
  assert.deepEqual(texts(s), ['{"a":1}', '{"b":[1,{"c":"}"}]}', '"x"', '12', 'true', 'null']);
  assert.deepEqual(texts('[]'), []);
  assert.deepEqual(texts('[ ]'), []);
});

test('byte spans of an EventList are its items, wherever the key sits; a later duplicate wins', () => {
  const s = '{"kind":"EventList","metadata":{"items":[9]},"items":[{"x":"a,b]"},{"y":{}}],"apiVersion":"audit.k8s.io/v1"}';
  assert.deepEqual(texts(s), ['{"x":"a,b]"}', '{"y":{}}']);
  assert.deepEqual(texts('{"items":[1,2,3],"items":[{"z":0}]}'), ['{"z":0}']);
  assert.equal(texts('{"items":[1],"items":5}'), undefined);
  assert.equal(texts('{"kind":"Event","auditID":"x"}'), undefined);
});

test('a member name written with escapes gives up (it could spell items), in both scanners', () => {
  const s = '{"items":[{"a":1},{"b":2}],"\\u0069tems":[{"c":3},{"d":4}]}';
  assert.deepEqual((JSON.parse(s) as { items: unknown[] }).items, [{ c: 3 }, { d: 4 }]);
  assert.equal(byteSpans(Buffer.from(s)), undefined);
  assert.equal(itemSpans(s), undefined);
});

test('escapes and multi-byte characters: spans are exact UTF-8 byte ranges', () => {
  const items = [{ a: 'say "hi"' }, { b: 'ends with \\' }, { c: '\\"quoted\\"' }, { d: '"}]' }, { e: 'é漢😀' }, { f: 'é"{' }];
  const s = JSON.stringify({ items });
  const b = Buffer.from(s);
  const spans = byteSpans(b)!;
  assert.deepEqual(texts(s), items.map((i) => JSON.stringify(i)));
  for (let k = 0; k < items.length; k++) assert.equal(spans[2 * k + 1] - spans[2 * k], Buffer.byteLength(JSON.stringify(items[k])));
});

test('byte spans agree with JSON.parse and with the text scanner on generated batches', () => {
  const items: unknown[] = [];
  for (let i = 0; i < 200; i++) {
    items.push({ auditID: `id-${i}`, text: 'q"\\'.repeat(i % 5), nested: [[i], { k: `}${'é'.repeat(i % 3)}{` }], n: i * 1.5, ok: i % 2 === 0 });
  }
  for (const indent of [0, 2]) {
    const s = JSON.stringify({ kind: 'EventList', items }, null, indent);
    const parsed = (JSON.parse(s) as { items: unknown[] }).items;
    const got = texts(s)!;
    assert.equal(got.length, parsed.length);
    got.forEach((t, k) => assert.deepEqual(JSON.parse(t), parsed[k]));
    const units = itemSpans(s)!;
    got.forEach((t, k) => assert.equal(t, s.slice(units[2 * k], units[2 * k + 1])));
  }
});
