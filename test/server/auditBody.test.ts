import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAuditBody, type AuditBatch } from '../../src/server/auditBody';

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
