import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAuditBody, decodeAuditBytes, ITEMWISE_BYTES, type AuditBatch } from '../../src/server/auditBody';
import { bodyItems } from '../../src/server/bodyItems';

const ev = (id: string, extra: Record<string, unknown> = {}) => ({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: id, verb: 'get', stage: 'ResponseComplete', ...extra });

function batchOf(text: string, max = 1 << 20): AuditBatch {
  const d = decodeAuditBody(text, max);
  if ('error' in d) throw new Error(`unexpected error: ${d.error}`);
  return d.batch;
}

test('accepts a single Event, an EventList and an array of Events', () => {
  assert.deepEqual(batchOf(JSON.stringify(ev('a'))).events.map((e) => e.auditID), ['a']);
  assert.deepEqual(batchOf(JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [ev('a'), ev('b')] })).events.map((e) => e.auditID), ['a', 'b']);
  assert.deepEqual(batchOf(JSON.stringify([ev('a'), ev('b'), ev('c')])).events.map((e) => e.auditID), ['a', 'b', 'c']);
  assert.equal(batchOf('{"kind":"EventList","items":[]}').events.length, 0);
});

test('malformed JSON and non-events are errors that say why', () => {
  const bad = decodeAuditBody('{"kind": "Event",', 1000);
  assert.ok('error' in bad && /^malformed JSON: /.test(bad.error), JSON.stringify(bad));
  const notEvent = decodeAuditBody('{"kind":"Pod","metadata":{}}', 1000);
  assert.ok('error' in notEvent && /not an audit event: kind is "Pod"/.test(notEvent.error), JSON.stringify(notEvent));
  const scalar = decodeAuditBody('42', 1000);
  assert.ok('error' in scalar && /expected an audit Event/.test(scalar.error));
});

test('bad elements of a batch are rejected one by one, with their index', () => {
  const b = batchOf(JSON.stringify({ kind: 'EventList', items: [ev('a'), { foo: 1 }, ev('b'), 7, { kind: 'Pod', verb: 'x' }] }));
  assert.deepEqual(b.events.map((e) => e.auditID), ['a', 'b']);
  assert.equal(b.rejected, 3);
  assert.deepEqual(b.reasons, [
    'items[1]: not an audit event: has none of auditID, verb, stage',
    'items[3]: not an audit event: not a JSON object',
    'items[4]: not an audit event: kind is "Pod", not "Event"',
  ]);
  const arr = batchOf(JSON.stringify([{}, ev('a')]));
  assert.deepEqual(arr.reasons, ['[0]: not an audit event: has none of auditID, verb, stage']);
});

test('events over max_event_size are dropped and counted, the rest kept', () => {
  const small = ev('small');
  const big = ev('big', { requestObject: { data: 'x'.repeat(500) } });
  const exact = JSON.stringify(small).length;
  const text = JSON.stringify({ kind: 'EventList', items: [small, big, small, big] });
  const b = batchOf(text, 300);
  assert.deepEqual(b.events.map((e) => e.auditID), ['small', 'small']);
  assert.equal(b.dropped, 2);
  // the limit is inclusive, in bytes of the event's own text
  const atLimit = batchOf(JSON.stringify([small, small, big]), exact);
  assert.equal(atLimit.events.length, 2);
  assert.equal(atLimit.dropped, 1);
  assert.equal(batchOf(JSON.stringify([small, small]), exact - 1).dropped, 2);
});

test('event size counts UTF-8 bytes', () => {
  const wide = ev('wide', { note: 'é'.repeat(100) });
  const bytes = Buffer.byteLength(JSON.stringify(wide));
  const text = JSON.stringify([wide, ev('b')]);
  assert.equal(batchOf(text, bytes).dropped, 0);
  assert.equal(batchOf(text, bytes - 1).dropped, 1);
});

test('a single Event over the limit is dropped, not an error', () => {
  const b = batchOf(JSON.stringify(ev('big', { requestObject: { data: 'y'.repeat(400) } })), 200);
  assert.equal(b.events.length, 0);
  assert.equal(b.dropped, 1);
});

/** decodeAuditBytes from 0 bytes up (every list decoded element by element) against decodeAuditBody on the same text. */
function sameAsWhole(text: string, max: number): void {
  const buf = Buffer.from(text, 'utf8');
  const want = decodeAuditBody(text, max);
  const got = decodeAuditBytes(buf, buf.length, max, 0);
  assert.deepEqual(got, want, `differs on ${JSON.stringify(text.slice(0, 200))}`);
}

test('element by element, a body decodes exactly as whole: events, rejections, drops by UTF-8 size, errors', () => {
  const list = (items: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', ...extra, items });
  const bodies: string[] = [
    list([ev('a'), ev('b', { note: 'é'.repeat(40) })]),
    list([]),
    `  ${list([ev('a')])}\n`,
    JSON.stringify([ev('a'), ev('b')]),
    '[ ]',
    list([ev('a'), { foo: 1 }, 7, null, 'x', [1, 2], { kind: 'Pod', verb: 'x' }, ev('b')]),
    list([ev('q"uote', { s: 'a\\"b]}{[', t: '\\\\' }), ev('c')]),
    list([ev('u', { s: '\u2028\ud83d\ude00 \\u005d' })]),
    // the envelope decides: not a list, or a list without items
    JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: 'x', verb: 'get', items: [ev('a')] }),
    JSON.stringify({ kind: 'EventList', items: 'nope' }),
    JSON.stringify({ items: [ev('a')] }),
    JSON.stringify({ kind: 'Foo', items: [ev('a')] }),
    // a later duplicate wins in JSON.parse; an escaped key may spell items
    '{"kind":"EventList","items":[{"auditID":"first"}],"items":[{"auditID":"second"}]}',
    '{"kind":"EventList","\\u0069tems":[{"auditID":"esc"}]}',
    // malformed anywhere: the same JSON.parse message
    '{"kind":"EventList","items":[{"auditID":"a"} {"auditID":"b"}]}',
    '{"kind":"EventList","items":[{"auditID":"a"},]}',
    '{"kind":"EventList","items":[{"auditID":"a"}]',
    '{"kind":"EventList","items":[{"auditID":"a"}]} x',
    '{"kind":"EventList" "items":[]}',
    '{"kind":EventList,"items":[{"auditID":"a"}]}',
    '[{"auditID":"a"},{"auditID":tru}]',
    '[{"auditID":"a\x01"}]',
    '\uFEFF[{"auditID":"a"}]',
    '{"kind":"EventList","items":[{"auditID":"a","n":01}]}',
    '',
    '   ',
    '{}',
    '[{"auditID":"a","big":"' + 'y'.repeat(3000) + '"}, {"auditID":"broken}]',
  ];
  for (const b of bodies) for (const max of [1 << 20, 120, 60]) sameAsWhole(b, max);
});

test('element by element: random lists of events, some over the limit, some not events', () => {
  let seed = 1;
  const r = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let round = 0; round < 300; round++) {
    const items: unknown[] = [];
    const n = Math.floor(r() * 12);
    for (let i = 0; i < n; i++) {
      const x = r();
      if (x < 0.1) items.push({ foo: i });
      else if (x < 0.15) items.push(i);
      else items.push(ev(`e${i}`, { pad: (r() < 0.5 ? 'é' : 'a').repeat(Math.floor(r() * 200)), nested: { a: [1, { b: '}]' }], s: 'x\\"y' } }));
    }
    const text = r() < 0.5 ? JSON.stringify({ kind: 'EventList', items }) : JSON.stringify(items, null, r() < 0.5 ? 2 : undefined);
    sameAsWhole(text, 100 + Math.floor(r() * 400));
  }
});

test('decodeAuditBytes decodes small bodies whole and large lists element by element, alike', () => {
  const items = Array.from({ length: 300 }, (_, i) => ev(`e${i}`, { pad: 'p'.repeat(400) }));
  const text = JSON.stringify({ kind: 'EventList', items });
  const buf = Buffer.from(text);
  assert.ok(buf.length > ITEMWISE_BYTES);
  assert.deepEqual(decodeAuditBytes(buf, buf.length, 1 << 20), decodeAuditBody(text, 1 << 20));
  // only the first `length` bytes count
  const longer = Buffer.concat([buf, Buffer.from('garbage')]);
  assert.deepEqual(decodeAuditBytes(longer, buf.length, 1 << 20), decodeAuditBody(text, 1 << 20));
});

test('bodyItems finds each element of well-formed lists, and gives up on what it does not recognise', () => {
  const spansOf = (text: string) => {
    const b = Buffer.from(text);
    const found = bodyItems(b, b.length);
    return found && Array.from({ length: found.spans.length / 2 }, (_, k) => b.toString('utf8', found.spans[2 * k], found.spans[2 * k + 1]));
  };
  assert.deepEqual(spansOf(' [ {"a":"]"} , 7 ,"x\\"]" ,[1,[2]] ] '), ['{"a":"]"}', '7', '"x\\"]"', '[1,[2]]']);
  assert.deepEqual(spansOf('{"kind":"EventList","metadata":{"items":[9]},"items":[{"é":1},{}]}'), ['{"é":1}', '{}']);
  assert.deepEqual(spansOf('{"items":[]}'), []);
  for (const bad of ['{"items":[1],"items":[2]}', '{"\\u0069tems":[1]}', '{"items":[1 2]}', '{"items":[1]', '[1] x', '{"items":{}}', '{"kind":"Event"}', '"x"', '[1,]']) {
    assert.equal(spansOf(bad), undefined, bad);
  }
});
