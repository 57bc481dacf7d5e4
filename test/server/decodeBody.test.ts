import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type AuditBatch, decodeAuditBody, type DecodedBody } from '../../src/server/auditBody';
import { decodeBody } from '../../src/server/decodeBody';
import { SpanScanner } from '../../src/server/spanScanner';

const ev = (id: string, pad = 0) => ({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: id, stage: 'ResponseComplete', verb: 'get', note: 'ü'.repeat(pad) });

const decoded = (bytes: Buffer, max: number, scanner: SpanScanner): Promise<DecodedBody> => new Promise((r) => decodeBody(bytes, max, scanner, r));

function ids(d: DecodedBody): { ids: unknown[]; dropped: number; rejected: number } {
  assert.ok('batch' in d, JSON.stringify(d));
  const b: AuditBatch = d.batch;
  return { ids: b.events.map((e) => e.auditID), dropped: b.dropped, rejected: b.rejected };
}

test('events over the limit are dropped by their UTF-8 size, the same on the worker, here and from the text', async () => {
  // ü is 2 bytes: an event with pad 300 is over 600 bytes only when counted in bytes
  const items = [ev('a'), ev('big', 300), ev('b', 200), { kind: 'Pod' }, ev('huge', 5000)];
  for (let i = 0; i < 40; i++) items.push(ev(`f${i}`, i * 10));
  const text = JSON.stringify({ kind: 'EventList', items });
  const bytes = Buffer.from(text);
  const max = 600;
  const want = ids(decodeAuditBody(text, max));
  assert.ok(want.ids.includes('b') && !want.ids.includes('big') && !want.ids.includes('huge'));
  assert.equal(want.rejected, 1);
  for (const minWorkerBytes of [1, 1 << 30]) {
    const scanner = new SpanScanner(minWorkerBytes);
    try {
      assert.deepEqual(ids(await decoded(bytes, max, scanner)), want);
    } finally {
      scanner.close();
    }
  }
});

test('a body within the limit is not scanned; malformed JSON and a lone oversize event are answered', async () => {
  const scanner = new SpanScanner(1);
  try {
    const small = Buffer.from(JSON.stringify([ev('x'), ev('y')]));
    let sync: DecodedBody | undefined;
    decodeBody(small, 1 << 20, scanner, (d) => (sync = d));
    assert.deepEqual(ids(sync!), { ids: ['x', 'y'], dropped: 0, rejected: 0 });
    assert.equal(scanner.inFlight, 0);
    const bad = await decoded(Buffer.from('{"items":[' + '1,'.repeat(100)), 10, scanner);
    assert.match('error' in bad ? bad.error : '', /^malformed JSON/);
    assert.deepEqual(ids(await decoded(Buffer.from(JSON.stringify(ev('one', 100))), 50, scanner)), { ids: [], dropped: 1, rejected: 0 });
  } finally {
    scanner.close();
  }
});
