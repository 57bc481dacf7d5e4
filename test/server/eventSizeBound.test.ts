import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerBound, noneOver } from '../../src/server/eventSizeBound';
import { itemSpans } from '../../src/server/itemSpans';

/** A deterministic pseudo-random stream (xorshift), so failures repeat. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

const PIECES = ['a', 'Z', ' ', '"', '\\', '\n', 'é', '漢', '😀', '\u0001', '<', '}', '{"x":1}'];

function randomString(r: () => number, max: number): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)];
  return s;
}

function randomValue(r: () => number, depth: number): unknown {
  const t = Math.floor(r() * (depth > 0 ? 8 : 5));
  switch (t) {
    case 0:
      return randomString(r, 30);
    case 1:
      return Math.floor(r() * 1e6) / (r() < 0.5 ? 1 : 7);
    case 2:
      return r() < 0.5;
    case 3:
      return null;
    case 4:
      return -0.5e-7;
    case 5:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 5);
      for (let i = 0; i < n; i++) o[randomString(r, 8) || `k${i}`] = randomValue(r, depth - 1);
      return o;
    }
  }
}

/** Writes JSON the way other encoders may: with spaces, or \u escapes for everything not ASCII. */
function encode(doc: unknown, style: number): string {
  const text = JSON.stringify(doc, null, style === 1 ? 2 : undefined);
  if (style !== 2) return text;
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

test('the lower bound never exceeds the bytes of any JSON text of the value', () => {
  const r = rng(7);
  for (let i = 0; i < 3000; i++) {
    const v = randomValue(r, 3);
    for (const style of [0, 1, 2]) {
      const bytes = Buffer.byteLength(encode(v, style), 'utf8');
      assert.ok(lowerBound(v) <= bytes, `${JSON.stringify(v)} style ${style}: bound ${lowerBound(v)} > ${bytes}`);
    }
  }
  // a compact event's bound counts its own members exactly
  assert.equal(lowerBound({ a: 'xy', b: 1, c: true }), Buffer.byteLength('{"a":"xy","b":1,"c":true}'));
  assert.equal(lowerBound({}), 2);
  assert.equal(lowerBound({ é: 'é' }), 9); // 11 bytes in UTF-8: units count one byte each
});

test('whenever noneOver says none is over, no element is over (random batches and limits)', () => {
  const r = rng(99);
  let proved = 0;
  let scanned = 0;
  for (let i = 0; i < 400; i++) {
    const items = Array.from({ length: 1 + Math.floor(r() * 30) }, () => randomValue(r, 3));
    const text = encode({ kind: 'EventList', items }, Math.floor(r() * 3));
    const parsed = (JSON.parse(text) as { items: unknown[] }).items;
    const spans = itemSpans(text)!;
    const sizes = parsed.map((_, k) => Buffer.byteLength(text.slice(spans[2 * k], spans[2 * k + 1]), 'utf8'));
    const bodyBytes = Buffer.byteLength(text, 'utf8');
    const biggest = Math.max(...sizes);
    for (const limit of [biggest - 1, biggest, Math.floor(bodyBytes * 0.6), Math.floor(bodyBytes * 0.9), bodyBytes - 1]) {
      if (limit < 1) continue;
      if (noneOver(parsed, bodyBytes, limit)) {
        proved++;
        assert.ok(biggest <= limit, `batch ${i}: an element of ${biggest} bytes is over ${limit}`);
      } else scanned++;
    }
  }
  // both outcomes happen, so the check above is not vacuous
  assert.ok(proved > 100 && scanned > 100, `proved ${proved}, scanned ${scanned}`);
});

test('a batch of ordinary events a little over the limit needs no scan; one far over does', () => {
  const ev = (i: number) => ({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: `6f1c2a4e-${i}`, stage: 'ResponseComplete', verb: 'get', requestURI: `/api/v1/namespaces/default/pods/web-${i}`, user: { username: 'alice' } });
  const items = Array.from({ length: 400 }, (_, i) => ev(i));
  const bodyBytes = Buffer.byteLength(JSON.stringify({ kind: 'EventList', items }));
  assert.equal(noneOver(items, bodyBytes, Math.floor(bodyBytes * 0.8)), true);
  assert.equal(noneOver(items, bodyBytes, 400), false);
  assert.equal(noneOver(items, bodyBytes, bodyBytes), true);
});

test('enumerable properties added to Object.prototype turn the proof off', () => {
  const items = [{ a: 'x'.repeat(50) }, { b: 'y'.repeat(50) }];
  assert.equal(noneOver(items, 130, 100), true);
  Object.defineProperty(Object.prototype, 'polluted', { value: 'z'.repeat(1000), enumerable: true, configurable: true });
  try {
    assert.equal(noneOver(items, 130, 100), false);
  } finally {
    delete (Object.prototype as Record<string, unknown>).polluted;
  }
});

test('the bound looks into nested objects: a batch of events whose text is mostly in objects, 1.8x the limit, needs no scan', () => {
  const ev = (i: number) => ({
    kind: 'Event',
    objectRef: { resource: 'pods', namespace: 'default', name: `web-${i}` },
    user: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts', 'system:authenticated'] },
    requestObject: { kind: 'Pod', spec: { containers: [{ name: 'c0', image: 'nginx:1.25.4', ports: [{ containerPort: 8080 }], securityContext: { privileged: false } }] } },
  });
  const items = Array.from({ length: 400 }, (_, i) => ev(i));
  const bodyBytes = Buffer.byteLength(JSON.stringify({ kind: 'EventList', items }));
  // compact JSON: the bound is exact but for the number 8080, which counts 1 byte
  assert.equal(lowerBound(items[7]), Buffer.byteLength(JSON.stringify(items[7])) - 3);
  assert.equal(noneOver(items, bodyBytes, Math.floor(bodyBytes / 1.8)), true);
});

test('a deeply nested value is bounded without exhausting the stack, and the bound still holds', () => {
  const depth = 100_000;
  const text = '['.repeat(depth) + '"x"' + ']'.repeat(depth);
  const v = JSON.parse(text) as unknown;
  const b = lowerBound(v);
  assert.ok(b >= 2 && b <= text.length, `bound ${b} for ${text.length} bytes`);
  assert.equal(noneOver([v, v], 2 * text.length + 3, text.length - 1), false);
});
