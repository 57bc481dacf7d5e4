import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventView, forEachEvent, DecodeError, HEADER_LEN } from '../../../src/sources/syscall/decode';

// build one event as the probe lays it out
function event(type: number, tid: number, params: Buffer[]): Buffer {
  const len = HEADER_LEN + 2 * params.length + params.reduce((s, p) => s + p.length, 0);
  const b = Buffer.alloc(len);
  b.writeBigUInt64LE(1700000000123456789n, 0);
  b.writeBigUInt64LE(BigInt(tid), 8);
  b.writeUInt32LE(len, 16);
  b.writeUInt16LE(type, 20);
  b.writeUInt32LE(params.length, 22);
  let off = HEADER_LEN;
  for (const p of params) off = b.writeUInt16LE(p.length, off);
  for (const p of params) off += p.copy(b, off);
  return b;
}
const i64 = (v: number) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v)); return b; };
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
const cstr = (s: string) => Buffer.from(s + '\0');

function batch(...evs: Buffer[]): { view: EventView; len: number } {
  const all = Buffer.concat(evs);
  const ab = new ArrayBuffer(all.length);
  new Uint8Array(ab).set(all);
  return { view: new EventView(ab), len: all.length };
}

test('openat exit: header, ints, path, by index and by name', () => {
  const ev = event(307, 4242, [i64(3), i64(-100), cstr('/etc/hosts'), u32(1), u32(0), u32(0x801), i64(1234)]);
  const { view, len } = batch(ev);
  const seen: string[] = [];
  const n = forEachEvent(view, len, (v) => {
    assert.equal(v.name, 'openat');
    assert.equal(v.info?.dir, '<');
    assert.equal(v.tid, 4242);
    assert.equal(v.ts, 1700000000123456789n);
    assert.equal(v.int(v.index('fd')), 3);
    assert.equal(v.int(v.index('dirfd')), -100);
    assert.equal(v.str(v.index('name')), '/etc/hosts');
    assert.equal(v.int(v.index('ino')), 1234);
    assert.equal(v.index('nosuch'), -1);
    seen.push(v.format());
  });
  assert.equal(n, 1);
  assert.match(seen[0], /4242 < openat fd=3 dirfd=-100 name="\/etc\/hosts" flags=0x1/);
});

test('connect exit: IPv4 and IPv6 tuples and sockaddr; several events in a batch', () => {
  const t4 = Buffer.from([2, 127, 0, 0, 1, 0x39, 0x30, 127, 0, 0, 2, 0x50, 0]);
  const a4 = Buffer.from([2, 127, 0, 0, 2, 0x50, 0]);
  const v6 = Buffer.alloc(37);
  v6[0] = 10;
  v6[16] = 1; // ::1
  v6.writeUInt16LE(5000, 17);
  v6[34] = 1;
  v6.writeUInt16LE(443, 35);
  const { view, len } = batch(event(23, 1, [i64(0), t4, i64(5), a4]), event(23, 2, [i64(-111), v6, i64(6), Buffer.alloc(0)]));
  const out: unknown[] = [];
  forEachEvent(view, len, (v) => out.push([v.tuple(1), v.sockaddr(3), v.int(0)]));
  assert.deepEqual(out[0], [{ family: 2, sip: '127.0.0.1', sport: 12345, dip: '127.0.0.2', dport: 80 }, { family: 2, ip: '127.0.0.2', port: 80 }, 0]);
  assert.deepEqual(out[1], [{ family: 10, sip: '::1', sport: 5000, dip: '::1', dport: 443 }, undefined, -111]);
});

test('an IPv6 tuple whose ends are both IPv4-mapped (or unset) reads as IPv4, as libs reads it', () => {
  const v6 = (a: number[], b: number[]) => {
    const t = Buffer.alloc(37);
    t[0] = 10;
    Buffer.from(a).copy(t, 1);
    t.writeUInt16LE(40000, 17);
    Buffer.from(b).copy(t, 19);
    t.writeUInt16LE(8080, 35);
    return t;
  };
  const mapped = (ip: number[]) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...ip];
  const zero = new Array(16).fill(0);
  const loop6 = [...new Array(15).fill(0), 1];
  const { view, len } = batch(
    event(23, 1, [i64(0), v6(mapped([10, 0, 0, 9]), mapped([127, 0, 0, 1])), i64(5), Buffer.alloc(0)]),
    event(23, 1, [i64(0), v6(zero, mapped([127, 0, 0, 1])), i64(5), Buffer.alloc(0)]),
    event(23, 1, [i64(0), v6(mapped([10, 0, 0, 9]), loop6), i64(5), Buffer.alloc(0)]),
  );
  const out: unknown[] = [];
  forEachEvent(view, len, (v) => out.push(v.tuple(1)));
  assert.deepEqual(out, [
    { family: 2, sip: '10.0.0.9', sport: 40000, dip: '127.0.0.1', dport: 8080 },
    { family: 2, sip: '0.0.0.0', sport: 40000, dip: '127.0.0.1', dport: 8080 },
    { family: 10, sip: '::ffff:a00:9', sport: 40000, dip: '::1', dport: 8080 },
  ]);
});

test('execve args split on NUL; empty params read as undefined', () => {
  const params = Array.from({ length: 31 }, () => Buffer.alloc(0));
  params[0] = i64(0);
  params[1] = cstr('ls');
  params[2] = Buffer.from('-l\0/tmp\0');
  const { view, len } = batch(event(293, 7, params));
  forEachEvent(view, len, (v) => {
    assert.equal(v.str(1), 'ls');
    assert.deepEqual(v.strList(2), ['-l', '/tmp']);
    assert.equal(v.str(6), undefined);
    assert.equal(v.int(7), undefined);
  });
});

test('malformed batches throw DecodeError with the offset', () => {
  const good = event(5, 1, [i64(0), i64(3)]);
  const short = batch(good, Buffer.alloc(10));
  assert.throws(() => forEachEvent(short.view, short.len, () => {}), (e: DecodeError) => e instanceof DecodeError && e.offset === good.length && /truncated header/.test(e.message));
  const bad = Buffer.from(good);
  bad.writeUInt32LE(9999, 16);
  const b2 = batch(bad);
  assert.throws(() => forEachEvent(b2.view, b2.len, () => {}), /bad event length 9999/);
  const over = Buffer.from(good);
  over.writeUInt16LE(500, HEADER_LEN);
  const b3 = batch(over);
  assert.throws(() => forEachEvent(b3.view, b3.len, () => {}), /parameters overrun the event/);
});
