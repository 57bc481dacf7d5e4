// The reader takes the stream in whatever chunks it arrives in: a block cut
// anywhere (in its header, its body, its trailer) reads as the whole file does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockReader } from '../../../../src/sources/syscall/scap/blockReader';
import { ScapError } from '../../../../src/sources/syscall/scap/scapError';
import { block, eventBlock, libsEvent, machineInfo, procEntry, procList, sectionHeader } from './scapBytes';

/** what the reader saw: each event's bytes and stream offset, and the state blocks, in order */
function read(chunks: Buffer[]): string[] {
  const seen: string[] = [];
  const r = new BlockReader({
    onMachine: (m) => seen.push(`machine ${m.hostname}`),
    onThread: (t) => seen.push(`thread ${t.tid} ${t.comm}`),
    onEvent: (buf, at, avail, v2, offset) => {
      const len = buf.readUInt32LE(at + 16);
      seen.push(`event @${offset} v2=${v2} avail=${avail} ${buf.subarray(at, at + len).toString('hex')}`);
    },
  });
  for (const c of chunks) r.feed(c);
  r.end();
  return seen;
}

const file = Buffer.concat([
  sectionHeader(),
  machineInfo('box'),
  procList(9, [procEntry(9, { tid: 7, pid: 7, ptid: 1, comm: 'sh', exe: '/bin/sh', args: [], cwd: '/', uid: 0, gid: 0 })]),
  eventBlock(libsEvent(307, 7, 1n, [3, -100, '/etc/hosts', 0, 0, 0, 0n])),
  eventBlock(libsEvent(306, 7, 2n, [-100, '/etc/passwd', 0, 0]), 'EVF_V2'),
  eventBlock(libsEvent(307, 7, 3n, [4, -100, '/etc/shadow', 0, 0, 0, 0n])),
]);

test('a capture cut into chunks of every size from 1 byte reads as the whole', () => {
  const whole = read([file]);
  assert.equal(whole.filter((l) => l.startsWith('event')).length, 3);
  assert.ok(whole.includes('machine box') && whole.includes('thread 7 sh'), whole.join('\n'));
  for (let size = 1; size <= file.length; size++) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < file.length; at += size) chunks.push(file.subarray(at, at + size));
    assert.deepEqual(read(chunks), whole, `chunks of ${size} bytes`);
  }
});

test('a capture cut short inside a block is an error at that block, whatever the chunks', () => {
  const last = file.length - eventBlock(libsEvent(307, 7, 3n, [4, -100, '/etc/shadow', 0, 0, 0, 0n])).length;
  const cut = file.subarray(0, file.length - 5);
  for (const size of [1, 7, 64, cut.length]) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < cut.length; at += size) chunks.push(cut.subarray(at, at + size));
    assert.throws(() => read(chunks), (e: unknown) => e instanceof ScapError && e.offset === last && /truncated capture/.test(e.message), `chunks of ${size}`);
  }
});

test('a bad block length is found when its header arrives split', () => {
  const bad = Buffer.concat([sectionHeader(), block(0x0a0d0d0a, Buffer.alloc(0))]);
  bad.writeUInt32LE(5, bad.length - 8);
  const chunks = [bad.subarray(0, bad.length - 10), bad.subarray(bad.length - 10, bad.length - 6), bad.subarray(bad.length - 6)];
  assert.throws(() => read(chunks), /corrupt block/);
});
