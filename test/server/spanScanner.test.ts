import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { itemSpans } from '../../src/server/itemSpans';
import { type ScanResult, SpanScanner } from '../../src/server/spanScanner';

function body(events: number, pad: number): string {
  const items = Array.from({ length: events }, (_, i) => ({ kind: 'Event', auditID: `a${i}`, data: 'é'.repeat(i % 7) + 'x'.repeat(pad) }));
  return JSON.stringify({ kind: 'EventList', items });
}

const scanned = (scanner: SpanScanner, b: string): Promise<ScanResult> => new Promise((r) => scanner.scan(b, r));

test('a small body is scanned at once on this thread', () => {
  const scanner = new SpanScanner(1024);
  const b = body(3, 10);
  let got: ScanResult | 'none' = 'none';
  scanner.scan(b, (r) => (got = r));
  assert.deepEqual(got, itemSpans(b));
  assert.equal(scanner.inFlight, 0);
  scanner.close();
});

test('a big body is scanned on the worker, with the same spans', async () => {
  const scanner = new SpanScanner(1024);
  try {
    const b = body(50, 100);
    const want = itemSpans(b)!;
    const p = scanned(scanner, b);
    assert.equal(scanner.inFlight, 1);
    const got = await p;
    assert.deepEqual(Array.from(got!), want);
    assert.equal(scanner.inFlight, 0);
    // several at once, answered each to its own caller
    const bodies = [body(20, 60), body(30, 70), body(40, 80)];
    const all = await Promise.all(bodies.map((x) => scanned(scanner, x)));
    all.forEach((r, k) => assert.deepEqual(Array.from(r!), itemSpans(bodies[k])));
    assert.equal(scanner.workerFailed, false);
  } finally {
    scanner.close();
  }
});

test('a body that is one event is answered undefined by the worker too', async () => {
  const scanner = new SpanScanner(16);
  try {
    assert.equal(await scanned(scanner, JSON.stringify({ kind: 'Event', auditID: 'x'.repeat(100) })), undefined);
  } finally {
    scanner.close();
  }
});

test('when the worker fails, waiting scans answer null and later ones run on this thread', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-scan-'));
  const file = path.join(dir, 'failing.js');
  fs.writeFileSync(file, "require('node:worker_threads').parentPort.on('message', () => { throw new Error('scanner broke'); });\n");
  const scanner = new SpanScanner(1024, file);
  try {
    const b = body(50, 100);
    assert.equal(await scanned(scanner, b), null);
    assert.equal(scanner.workerFailed, true);
    assert.equal(scanner.inFlight, 0);
    let got: ScanResult | 'none' = 'none';
    scanner.scan(b, (r) => (got = r));
    assert.deepEqual(got, itemSpans(b));
  } finally {
    scanner.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
