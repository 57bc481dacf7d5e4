// Property-based tests of the scap capture reader: arbitrary bytes, captures
// framed right around garbage, and valid captures cut short or with bytes
// flipped. Whatever the file holds, reading ends (no hang, no allocation a
// block's declared length asks for before its bytes arrive), the only error
// is a ScapError with a byte offset inside the file, and every event before
// the damaged block is evaluated as in the undamaged capture.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { DecodeError } from '../../../../src/sources/syscall/decode';
import { EVENT_LIST } from '../../../../src/sources/syscall/eventTable';
import { BlockReader, MAX_BLOCK_BYTES } from '../../../../src/sources/syscall/scap/blockReader';
import { LIBS_EVENTS } from '../../../../src/sources/syscall/scap/libsEventTable';
import { replayCapture } from '../../../../src/sources/syscall/scap/replay';
import { ScapError } from '../../../../src/sources/syscall/scap/scapError';
import { fuzzParams } from '../../../fuzzRuns';
import {
  block, eventBlock, fdFile, fdIpv4, fdList, ifList, libsEvent, machineInfo, type Param, procEntry, procList, sectionHeader, u32, userList,
} from './scapBytes';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-scap-fuzz-'));
const file = path.join(tmp, 'c.scap');
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const TS = 1_700_000_000_000_000_000n;

interface Outcome {
  /** evaluated events and failed ones, in order; each begins with its block's index (ts - TS) */
  lines: string[];
  error: ScapError | undefined;
  /** what evaluation failures carried: anything but a DecodeError is a crash of the tracker */
  failures: unknown[];
}

async function replay(bytes: Buffer, gzip = false): Promise<Outcome> {
  fs.writeFileSync(file, gzip ? zlib.gzipSync(bytes) : bytes);
  const lines: string[] = [];
  const failures: unknown[] = [];
  const stats = await replayCapture(file, {
    allEvents: true,
    onEvent: (e) => {
      const t = e.thread;
      lines.push(`${e.view.ts - TS} ${e.view.tid} ${e.view.name} fd=${e.fd?.name} comm=${t?.comm} exe=${t?.exepath} uid=${t?.uid}`);
    },
    onFailure: (err, v) => {
      failures.push(err);
      lines.push(`${v ? v.ts - TS : '?'} failed`);
    },
  });
  return { lines, error: stats.error, failures };
}

function checkOutcome(o: Outcome, size: number): void {
  if (o.error !== undefined) {
    assert.ok(o.error instanceof ScapError);
    assert.ok(Number.isInteger(o.error.offset) && o.error.offset >= 0 && o.error.offset <= size, `offset ${o.error.offset} outside the ${size} bytes: ${o.error.message}`);
    assert.match(o.error.message, /\(at byte \d+\)$/);
  }
  for (const f of o.failures) assert.ok(f instanceof DecodeError, `evaluation failed with ${(f as Error)?.stack ?? String(f)}`);
}

// --- capture builders: each block is made knowing its index, events carry it as their time

const codes = LIBS_EVENTS.flatMap((e) => (e ? [e.code] : []));
/** codes of the types Vigil decodes, in every layout libs lists: most events of a real capture */
const vigilNames = new Set(EVENT_LIST.map((e) => e.name));
const decodedCodes = LIBS_EVENTS.flatMap((e) => (e && vigilNames.has(e.name) ? [e.code] : []));
const tids = fc.constantFrom(100, 101, 200, 300);
const names = fc.constantFrom('/etc/passwd', '/tmp/x', 'bash', '', '/root/', 'a'.repeat(300));
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b));

function paramOf(type: string): fc.Arbitrary<Param> {
  if (/CHARBUF$|FSPATH|FSRELPATH/.test(type)) return fc.oneof(names, fc.string({ maxLength: 12 }));
  if (/BYTEBUF|SOCKADDR|SOCKTUPLE|DYN|FDLIST|ARRAY/.test(type)) {
    return fc.oneof(bytes(40), fc.constantFrom(Buffer.from([2, 0x1f, 0x90, 127, 0, 0, 1]), Buffer.from([1, ...Buffer.from('/run/s\0')]), Buffer.from('a\0b\0')));
  }
  return fc.oneof(fc.integer({ min: -3, max: 70000 }), fc.constantFrom(0, -1, -100, 3, 4));
}

type BlockAt = (index: number) => Buffer;

const eventAt: fc.Arbitrary<BlockAt> = fc
  .record({ code: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...decodedCodes) }, { weight: 3, arbitrary: fc.constantFrom(...codes) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) }), tid: tids, v2: fc.boolean(), kind: fc.nat(2), cut: fc.nat(3) })
  .chain(({ code, tid, v2, kind, cut }) => {
    const types = LIBS_EVENTS[code]?.types ?? [];
    // mostly every parameter; older drivers wrote fewer
    const n = cut === 0 ? Math.max(0, types.length - 2) : types.length;
    return fc.tuple(...types.slice(0, n).map(paramOf)).map((params): BlockAt => (i) => {
      const k = v2 ? (['EV_V2', 'EVF_V2', 'EV_V2_LARGE'] as const)[kind] : (['EV', 'EVF', 'EV'] as const)[kind];
      return eventBlock(libsEvent(code, tid, TS + BigInt(i), params, v2), k);
    });
  });

const proc = fc.record({ tid: tids, comm: fc.constantFrom('bash', 'cat', 'nginx'), exe: names, args: fc.array(fc.constantFrom('-i', 'x', ''), { maxLength: 3 }), cwd: names, uid: fc.constantFrom(0, 1000) });

const stateAt: fc.Arbitrary<BlockAt> = fc.oneof(
  fc.record({ v: fc.integer({ min: 1, max: 9 }), ps: fc.array(proc, { minLength: 1, maxLength: 3 }), old: fc.boolean() }).map(({ v, ps, old }) => () =>
    procList(v, ps.map((p) => procEntry(v, { ...p, pid: p.tid, ptid: 1, gid: p.uid, exepath: p.exe }, old ? 'pre-0.10' : 'current')))),
  fc.record({ v2: fc.boolean(), tid: tids, fds: fc.array(fc.record({ fd: fc.nat(9), name: names, sock: fc.boolean() }), { minLength: 1, maxLength: 3 }) }).map(({ v2, tid, fds }) => () =>
    fdList(v2, tid, fds.map((f) => (f.sock ? fdIpv4(v2, f.fd, [10, 0, 0, 1], 40000, [10, 0, 0, 2], 443) : fdFile(v2, f.fd, f.name))))),
  fc.boolean().map((v2) => () => userList(v2, [{ uid: 1000, gid: 1000, name: 'alice' }], [{ gid: 1000, name: 'staff' }])),
  fc.boolean().map((v2) => () => ifList(v2, 'eth0', [10, 0, 0, 1])),
  fc.constant(() => machineInfo('capture-host')),
  bytes(30).map((b) => () => block(0x7777, b)),
);

interface Capture {
  bytes: Buffer;
  /** where each block starts, and the end of the capture last */
  starts: number[];
}

const capture: fc.Arbitrary<Capture> = fc
  .record({ minor: fc.nat(2), blocks: fc.array(fc.oneof({ weight: 3, arbitrary: eventAt }, { weight: 1, arbitrary: stateAt }), { maxLength: 14 }) })
  .map(({ minor, blocks }) => {
    const parts = [sectionHeader(1, minor), ...blocks.map((b, i) => b(i + 1))];
    const starts = [0];
    for (const p of parts) starts.push(starts[starts.length - 1] + p.length);
    return { bytes: Buffer.concat(parts), starts };
  });

/** the first block ending after `at`: its index (1 = the first after the section header) */
function blockAt(c: Capture, at: number): number {
  let i = 0;
  while (c.starts[i + 1] <= at) i++;
  return i;
}

/** lines of events from blocks before block `b` (their ts says which block) */
function before(lines: string[], b: number): string[] {
  return lines.filter((l) => Number(l.split(' ')[0]) < b);
}

// --- properties

test('fuzz: a valid capture (gzip or not) reads whole without error; cut anywhere, the events of the whole blocks before the cut, then a ScapError at the cut block', async () => {
  await fc.assert(
    fc.asyncProperty(capture, fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), async (c, where, gzip) => {
      const ref = await replay(c.bytes, gzip);
      assert.equal(ref.error, undefined, ref.error?.message);
      checkOutcome(ref, c.bytes.length);
      const cut = Math.floor(where * c.bytes.length);
      const o = await replay(c.bytes.subarray(0, cut));
      checkOutcome(o, cut);
      const b = blockAt(c, cut);
      assert.deepEqual(o.lines, before(ref.lines, b));
      if (b === c.starts.length - 1) assert.deepEqual(o.lines, ref.lines);
      if (cut === c.starts[b] && b > 0) assert.equal(o.error, undefined, 'a cut between blocks leaves a shorter valid capture');
      else {
        assert.ok(o.error, `cut at ${cut} in block ${b} not reported`);
        assert.equal(o.error.offset, c.starts[b]);
        assert.match(o.error.message, /truncated capture|empty capture|not a scap capture/);
      }
    }),
    fuzzParams(60),
  );
});

test('fuzz: a valid capture with bytes flipped: the events before the damaged block as without damage; only ScapErrors, at or after it', async () => {
  await fc.assert(
    fc.asyncProperty(capture, fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), async (c, flips) => {
      const ref = await replay(c.bytes);
      const bad = Buffer.from(c.bytes);
      let first = bad.length;
      for (const [where, mask] of flips) {
        const at = Math.floor(where * bad.length);
        bad[at] ^= mask;
        first = Math.min(first, at);
      }
      const o = await replay(bad);
      checkOutcome(o, bad.length);
      const b = blockAt(c, first);
      const kept = before(ref.lines, b);
      assert.deepEqual(o.lines.slice(0, kept.length), kept);
      if (o.error !== undefined) assert.ok(o.error.offset >= c.starts[b], `error at ${o.error.offset}, before the damaged block at ${c.starts[b]}: ${o.error.message}`);
    }),
    fuzzParams(60),
  );
});

/** blocks of every type the reader knows, framed right, their bodies garbage */
const knownTypes = [0x0a0d0d0a, 0x201, 0x8002abcd, 0x202, 0x8000abcd, 0x207, 0x209, 0x210, 0x211, 0x212, 0x213, 0x214, 0x215, 0x203, 0x8001abcd, 0x218, 0x204, 0x8010abcd, 0x216, 0x221, 0x208, 0x217, 0x222, 0x205, 0x219, 0x206, 0x220, 0x7777];
const framedGarbage = fc.array(fc.tuple(fc.constantFrom(...knownTypes), bytes(120)), { maxLength: 8 }).map((bs) => Buffer.concat([sectionHeader(), ...bs.map(([t, b]) => block(t, b))]));
const anyBytes = fc.oneof(
  bytes(400),
  bytes(400).map((b) => Buffer.concat([sectionHeader(), b])),
  framedGarbage,
  // a block header declaring any length, then a little of its body
  fc.tuple(fc.constantFrom(...knownTypes), fc.nat({ max: 0xffffffff }), bytes(64)).map(([t, len, b]) => Buffer.concat([sectionHeader(), u32(t), u32(len), b])),
);

test('fuzz: arbitrary bytes and garbage in right frames: reading ends, with a ScapError at a byte of the file or none', async () => {
  await fc.assert(
    fc.asyncProperty(anyBytes, fc.boolean(), async (b, gzip) => {
      const o = await replay(b, gzip);
      checkOutcome(o, b.length);
    }),
    fuzzParams(150),
  );
});

/** everything a BlockReader hands on, as text, and how it ended */
function readChunks(chunks: Buffer[]): { seen: string[]; error: string | undefined; held: number } {
  const seen: string[] = [];
  const r = new BlockReader({
    onSection: (ma, mi) => seen.push(`section ${ma}.${mi}`),
    onMachine: (m) => seen.push(`machine ${m.hostname}`),
    onThread: (t) => seen.push(`thread ${t.tid} ${t.comm} ${t.exepath} ${t.args.join(',')}`),
    onFd: (tid, f) => seen.push(`fd ${tid} ${f.fd} ${f.name}`),
    onUser: (u) => seen.push(`user ${u.uid} ${u.name}`),
    onGroup: (g) => seen.push(`group ${g.gid} ${g.name}`),
    onInterface: (i) => seen.push(`if ${i.name}`),
    onEvent: (buf, at, avail, v2, offset) => seen.push(`event ${offset} ${v2} ${buf.toString('hex', at, at + avail)}`),
  });
  const base = process.memoryUsage().arrayBuffers;
  let held = 0;
  try {
    for (const c of chunks) r.feed(c);
    held = process.memoryUsage().arrayBuffers - base;
    r.end();
    return { seen, error: undefined, held };
  } catch (e) {
    if (!(e instanceof ScapError)) throw e;
    return { seen, error: e.message, held };
  }
}

test('fuzz: however the stream is cut into chunks, the block reader hands on the same records and ends the same way, holding no more than it was fed', () => {
  const input = fc.oneof(capture.map((c) => c.bytes), anyBytes);
  fc.assert(
    fc.property(input, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), (b, cuts) => {
      const whole = readChunks([b]);
      const points = [...new Set(cuts.map((x) => Math.floor(x * b.length)))].sort((x, y) => x - y);
      const chunks: Buffer[] = [];
      let from = 0;
      for (const p of [...points, b.length]) {
        chunks.push(b.subarray(from, p));
        from = p;
      }
      const split = readChunks(chunks);
      assert.deepEqual(split.seen, whole.seen);
      assert.equal(split.error, whole.error);
      // the inputs are at most a few KiB: what a declared block length asks for is never allocated ahead
      assert.ok(split.held < 8 << 20, `${split.held} bytes of array buffers held after feeding ${b.length}`);
    }),
    fuzzParams(300),
  );
});

test('a declared block length past the limit is refused from its 8-byte header, at the block, before any of it is read', () => {
  const shb = sectionHeader();
  for (const len of [0xffffffff, 0x80000000, MAX_BLOCK_BYTES + 4]) {
    const r = new BlockReader({ onEvent: () => {} });
    r.feed(shb);
    assert.throws(() => r.feed(Buffer.concat([u32(0x216), u32(len)])), (e: unknown) => e instanceof ScapError && e.offset === shb.length && /more than/.test(e.message));
  }
});

test('a big block arriving in small chunks is joined once, not again at every chunk', () => {
  const size = 2 << 20;
  const big = block(0x7777, Buffer.alloc(size - 12));
  const stream = Buffer.concat([sectionHeader(), big]);
  const concat = Buffer.concat;
  let copied = 0;
  Buffer.concat = (list: readonly Uint8Array[], total?: number) => {
    const out = concat(list, total);
    copied += out.length;
    return out;
  };
  try {
    const r = new BlockReader({ onEvent: () => {} });
    for (let at = 0; at < stream.length; at += 4096) r.feed(stream.subarray(at, at + 4096));
    r.end();
    assert.equal(r.counts.unknownBlocks, 1);
  } finally {
    Buffer.concat = concat;
  }
  // joining at every chunk would copy about size^2 / 8 KiB (512 MiB here)
  assert.ok(copied <= 2 * stream.length, `${copied} bytes copied to join a block of ${size}`);
});
