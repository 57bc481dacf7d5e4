// Capture files built byte by byte: every block kind and version libs reads,
// the event layouts of the types Vigil decodes, damaged files.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { replayCapture, type ReplayStats } from '../../../../src/sources/syscall/scap/replay';
import type { SyscallEvent } from '../../../../src/sources/syscall/state/syscallEvent';
import {
  block, eventBlock, fdFile, fdIpv4, fdIpv4Server, fdIpv6, fdList, ifList, libsEvent, machineInfo, procEntry, procList, sectionHeader, userList,
} from './scapBytes';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-scap-'));
let n = 0;

interface Seen {
  line: string;
  uid: number | undefined;
  user: string | undefined;
}

async function replay(bytes: Buffer, allEvents = false): Promise<{ stats: ReplayStats; seen: Seen[] }> {
  const file = path.join(dir, `t${n++}.scap`);
  fs.writeFileSync(file, bytes);
  const seen: Seen[] = [];
  const stats = await replayCapture(file, {
    allEvents,
    onEvent: (e: SyscallEvent) => {
      const t = e.thread;
      seen.push({
        line: `${e.view.info?.dir}${e.view.name} fd=${e.fd?.name ?? '<NA>'} proc=${t?.comm} ppid=${t?.ppid} exe=${t?.exepath} cwd=${t?.cwd}`,
        uid: t?.uid,
        user: t ? e.users.user(t.uid)?.name : undefined,
      });
    },
  });
  return { stats, seen };
}

const TS = 1_700_000_000_000_000_000n;
const bash = { tid: 100, pid: 100, ptid: 1, comm: 'bash', exe: 'bash', exepath: '/usr/bin/bash', args: ['-i'], cwd: '/root/', uid: 1000, gid: 1000 };

for (const v of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
  test(`process list v${v} and fd list seed the tables the events then use`, async () => {
    const v2fd = v >= 9;
    const file = Buffer.concat([
      sectionHeader(),
      procList(v, [procEntry(v, bash), procEntry(v, { ...bash, tid: 101, comm: 'worker' })]),
      fdList(v2fd, 100, [fdFile(v2fd, 3, '/etc/passwd'), fdIpv4(v2fd, 4, [10, 0, 0, 1], 40000, [10, 0, 0, 2], 443)]),
      eventBlock(libsEvent(5, 100, TS, [0, 3])),
      eventBlock(libsEvent(5, 101, TS + 1n, [0, 4])),
    ]);
    const { stats, seen } = await replay(file, true);
    assert.equal(stats.error, undefined);
    assert.equal(stats.threadsSeeded, 2);
    assert.equal(stats.fdsSeeded, 2);
    assert.deepEqual([...stats.blocks.stateBlocks.keys()].sort(), [`fd list v${v2fd ? 2 : 1}`, `process list v${v}`]);
    const exe = v >= 7 ? '/usr/bin/bash' : '';
    assert.deepEqual(seen.map((s) => s.line), [
      `<close fd=/etc/passwd proc=bash ppid=1 exe=${exe} cwd=/root/`,
      // a thread shares its process's fd table
      `<close fd=10.0.0.1:40000->10.0.0.2:443 proc=worker ppid=1 exe=${exe} cwd=/root/`,
    ]);
  });
}

test('connections to a listening port of the host are turned server-side once the fd lists are in, as libs does', async () => {
  const file = Buffer.concat([
    sectionHeader(),
    procList(9, [procEntry(9, bash), procEntry(9, { ...bash, tid: 200, pid: 200, comm: 'nginx' })]),
    // as /proc gives them: local end first, whichever side connected
    fdList(true, 200, [fdIpv4Server(true, 3, [0, 0, 0, 0], 8080), fdIpv4(true, 5, [10, 0, 0, 2], 8080, [10, 0, 0, 9], 51000)]),
    fdList(true, 100, [
      fdIpv4(true, 4, [10, 0, 0, 1], 40000, [10, 0, 0, 2], 443),
      // an IPv4 peer of a dual-stack socket, both ends IPv4-mapped: an IPv4 connection to libs
      fdIpv6(true, 6, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 0, 0, 1], 40001, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 0, 0, 3], 80),
    ]),
    eventBlock(libsEvent(5, 200, TS, [0, 5])),
    eventBlock(libsEvent(5, 100, TS + 1n, [0, 4])),
    eventBlock(libsEvent(5, 200, TS + 2n, [0, 3])),
    eventBlock(libsEvent(5, 100, TS + 3n, [0, 6])),
  ]);
  const { stats, seen } = await replay(file, true);
  assert.equal(stats.error, undefined);
  assert.deepEqual(seen.map((s) => s.line.split(' ').slice(0, 2).join(' ')), [
    '<close fd=10.0.0.9:51000->10.0.0.2:8080',
    '<close fd=10.0.0.1:40000->10.0.0.2:443',
    // a listener is named by its address
    '<close fd=0.0.0.0:8080',
    '<close fd=10.0.0.1:40001->10.0.0.3:80',
  ]);
});

test('process list v9 entries with the tail of libs before 0.10 (loginuid right after root)', async () => {
  const file = Buffer.concat([
    sectionHeader(),
    procList(9, [procEntry(9, { ...bash, loginuid: 1000 }, 'pre-0.10'), procEntry(9, { ...bash, tid: 102, pid: 102, comm: 'vim', loginuid: 0, tty: 34816 })]),
    eventBlock(libsEvent(5, 100, TS, [0, 9])),
    eventBlock(libsEvent(5, 102, TS, [0, 9])),
  ]);
  const { stats, seen } = await replay(file, true);
  assert.equal(stats.error, undefined);
  assert.equal(seen.length, 2);
  assert.match(seen[1].line, /proc=vim/);
});

test('user, interface and machine info blocks, v1 and v2', async () => {
  for (const v2 of [false, true]) {
    const file = Buffer.concat([
      sectionHeader(),
      machineInfo('capture-host'),
      ifList(v2, 'eth0', [10, 0, 0, 1]),
      userList(v2, [{ uid: 1000, gid: 1000, name: 'alice' }], [{ gid: 1000, name: 'staff' }]),
      procList(9, [procEntry(9, bash)]),
      eventBlock(libsEvent(5, 100, TS, [0, 3])),
    ]);
    const { stats, seen } = await replay(file, true);
    assert.equal(stats.error, undefined);
    assert.equal(stats.hostname, 'capture-host');
    assert.equal(stats.users, 1);
    assert.equal(stats.groups, 1);
    assert.equal(stats.blocks.stateBlocks.get(`interface list v${v2 ? 2 : 1}`), 1);
    // the capture's users, not this machine's
    assert.equal(seen[0].user, 'alice');
  }
});

test('older event layouts become the current ones: v1 headers, older codes, parameters from the enter', async () => {
  const file = Buffer.concat([
    sectionHeader(),
    procList(9, [procEntry(9, bash)]),
    // openat before libs moved its parameters to the exit: enter (102) with the path, exit (103) with the fd
    eventBlock(libsEvent(102, 100, TS, [-100, 'notes.txt', 1, 0], false), 'EV'),
    eventBlock(libsEvent(103, 100, TS + 1n, [5], false), 'EV'),
    // close: the fd on the enter, the exit with res only
    eventBlock(libsEvent(4, 100, TS + 2n, [5], false), 'EV'),
    eventBlock(libsEvent(5, 100, TS + 3n, [0], false), 'EV'),
    // old dup: enter fd, exit res
    eventBlock(libsEvent(124, 100, TS + 4n, [1], false), 'EVF'),
    eventBlock(libsEvent(125, 100, TS + 5n, [7], false), 'EVF'),
    eventBlock(libsEvent(5, 100, TS + 6n, [0, 7]), 'EVF_V2'),
    // clone_11 (child side) then execve_16 in the child
    eventBlock(libsEvent(15, 200, TS + 7n, [0, 'bash', Buffer.from('-i\0'), 200, 200, 100, '/root/', 1024, 0, 1000, 1000], false), 'EV'),
    eventBlock(libsEvent(231, 200, TS + 8n, [0, '/usr/bin/cat', Buffer.from('/etc/hosts\0'), 200, 200, 100, '/tmp/', 1024, 0, 0, 0, 0, 0, 'cat', Buffer.alloc(0), Buffer.from('A=1\0')]), 'EV_V2'),
    // the old procexit without parameters
    eventBlock(libsEvent(16, 200, TS + 9n, []), 'EV_V2'),
  ]);
  const { stats, seen } = await replay(file, true);
  assert.equal(stats.error, undefined);
  assert.deepEqual(seen.map((s) => s.line), [
    '<openat fd=/root/notes.txt proc=bash ppid=1 exe=/usr/bin/bash cwd=/root/',
    '<close fd=/root/notes.txt proc=bash ppid=1 exe=/usr/bin/bash cwd=/root/',
    '<dup fd=<NA> proc=bash ppid=1 exe=/usr/bin/bash cwd=/root/',
    '<close fd=<NA> proc=bash ppid=1 exe=/usr/bin/bash cwd=/root/',
    '<clone fd=<NA> proc=bash ppid=100 exe=/usr/bin/bash cwd=/root/',
    '<execve fd=<NA> proc=cat ppid=100 exe=/usr/bin/cat cwd=/root/',
    '>procexit fd=<NA> proc=cat ppid=100 exe=/usr/bin/cat cwd=/root/',
  ]);
  assert.equal(stats.convert.converted, 6);
  assert.equal(stats.convert.passed, 1);
  assert.deepEqual([...stats.blocks.eventBlockTypes.keys()].sort(), ['EVF_BLOCK_TYPE', 'EVF_BLOCK_TYPE_V2', 'EV_BLOCK_TYPE', 'EV_BLOCK_TYPE_V2']);
});

test('the dup of a known fd carries its name', async () => {
  const file = Buffer.concat([
    sectionHeader(),
    procList(9, [procEntry(9, bash)]),
    fdList(true, 100, [fdFile(true, 3, '/var/log/app.log')]),
    eventBlock(libsEvent(124, 100, TS, [3])),
    eventBlock(libsEvent(125, 100, TS + 1n, [9])),
    eventBlock(libsEvent(5, 100, TS + 2n, [0, 9])),
  ]);
  const { seen } = await replay(file, true);
  assert.deepEqual(seen.map((s) => s.line.split(' ').slice(0, 2).join(' ')), ['<dup fd=/var/log/app.log', '<close fd=/var/log/app.log']);
});

test('unknown codes and undecoded types are skipped and counted; EF_DROP_SIMPLE_CONS types evaluated only with -A', async () => {
  const file = Buffer.concat([
    sectionHeader(),
    procList(9, [procEntry(9, bash)]),
    eventBlock(libsEvent(7, 100, TS, [3, Buffer.from('data'), 3, 4])),
    eventBlock(libsEvent(7, 100, TS, [3, Buffer.from('data'), 3, 4])),
    eventBlock(libsEvent(9999, 100, TS, [])),
    eventBlock(libsEvent(5, 100, TS, [0, 3])),
    eventBlock(libsEvent(307, 100, TS, [3, -100, '/etc/shadow', 1, 0, 0, 0])),
    block(0x7777, Buffer.from('a block type libs does not define')),
  ]);
  const plain = await replay(file);
  assert.equal(plain.stats.error, undefined);
  assert.equal(plain.stats.convert.unknownCode, 1);
  assert.deepEqual([...plain.stats.convert.unhandled], [['read', 2]]);
  assert.equal(plain.stats.blocks.unknownBlocks, 1);
  assert.equal(plain.stats.events, 2);
  assert.equal(plain.stats.notEvaluated, 1);
  assert.deepEqual(plain.seen.map((s) => s.line.split(' ')[0]), ['<openat']);
  const all = await replay(file, true);
  assert.equal(all.stats.notEvaluated, 0);
  assert.deepEqual(all.seen.map((s) => s.line.split(' ')[0]), ['<close', '<openat']);
});

const three = (): Buffer[] => [
  sectionHeader(),
  procList(9, [procEntry(9, bash)]),
  eventBlock(libsEvent(307, 100, TS, [3, -100, '/a', 1, 0, 0, 0])),
  eventBlock(libsEvent(307, 100, TS + 1n, [4, -100, '/b', 1, 0, 0, 0])),
  eventBlock(libsEvent(307, 100, TS + 2n, [5, -100, '/c', 1, 0, 0, 0])),
];

test('gzip or not, decided by content: the same events', async () => {
  const raw = Buffer.concat(three());
  const a = await replay(raw);
  const b = await replay(zlib.gzipSync(raw));
  assert.equal(a.stats.gzip, false);
  assert.equal(b.stats.gzip, true);
  assert.deepEqual(b.seen, a.seen);
  assert.equal(a.seen.length, 3);
});

test('a truncated capture: the events before the cut are evaluated, then the error with its byte offset', async () => {
  const blocks = three();
  const cutAt = blocks[0].length + blocks[1].length + blocks[2].length + blocks[3].length;
  const raw = Buffer.concat(blocks).subarray(0, cutAt + 20);
  for (const bytes of [raw, zlib.gzipSync(raw)]) {
    const { stats, seen } = await replay(bytes);
    assert.deepEqual(seen.map((s) => s.line.split(' ')[1]), ['fd=/a', 'fd=/b']);
    assert.ok(stats.error);
    assert.equal(stats.error.offset, cutAt);
    assert.match(stats.error.message, /truncated capture: the block of type 0x216 is \d+ bytes, the capture ends after 20 \(at byte \d+\)/);
  }
  // a gzip stream cut short
  const gz = zlib.gzipSync(Buffer.concat(blocks));
  const { stats } = await replay(gz.subarray(0, gz.length - 30));
  assert.ok(stats.error);
  assert.match(stats.error.message, /gzip stream damaged|truncated capture/);
});

test('damaged blocks and events: clear errors at the right offsets', async () => {
  const blocks = three();
  const at3 = blocks[0].length + blocks[1].length + blocks[2].length;
  // trailer differs from the header's length
  const badTrailer = Buffer.concat(blocks);
  badTrailer.writeUInt32LE(12345, at3 + blocks[3].length - 4);
  let r = await replay(badTrailer);
  assert.equal(r.seen.length, 1);
  assert.equal(r.stats.error?.offset, at3);
  assert.match(r.stats.error!.message, /total length \d+ in its header, 12345 in its trailer/);
  // a parameter length beyond the event
  const badParam = Buffer.concat(blocks);
  badParam.writeUInt16LE(60000, at3 + 8 + 2 + 26);
  r = await replay(badParam);
  assert.equal(r.seen.length, 1);
  assert.match(r.stats.error!.message, /invalid event: parameters take \d+ bytes, its length is \d+ \(at byte/);
  // not a capture, a bad magic, a newer major version
  r = await replay(Buffer.concat([blocks[1]]));
  assert.match(r.stats.error!.message, /not a scap capture: the first block has type 0x215/);
  const badMagic = Buffer.concat(blocks);
  badMagic.writeUInt32LE(0xdeadbeef, 8);
  r = await replay(badMagic);
  assert.match(r.stats.error!.message, /bad magic 0xdeadbeef \(expected 0x1a2b3c4d\) \(at byte 0\)/);
  r = await replay(Buffer.concat([sectionHeader(2, 0), ...blocks.slice(1)]));
  assert.match(r.stats.error!.message, /capture format 2\.0 is newer/);
  // a process list entry longer than its block
  const pl = procList(9, [procEntry(9, bash)]);
  pl.writeUInt32LE(5000, 8);
  r = await replay(Buffer.concat([sectionHeader(), pl]));
  assert.match(r.stats.error!.message, /process list entry length 5000 does not fit its block/);
  assert.equal(r.stats.error!.offset, blocks[0].length + 8);
});

test('capability sets: the process list entry\'s and an execve exit\'s cap_* are the thread\'s, as live', async () => {
  const CAP_CHOWN = 1n << 0n;
  const CAP_KILL = 1n << 5n;
  const CAP_NET_RAW = 1n << 13n;
  const CAP_SYS_ADMIN = 1n << 21n;
  // execve_19's exit: res, exe, args, tid, pid, ptid, cwd, fdlimit, pgft_maj, pgft_min, vm_size, vm_rss, vm_swap,
  // comm, cgroups, env, tty, vpgid, loginuid, flags, cap_inheritable, cap_permitted, cap_effective
  const execExit = (tid: number, ts: bigint, caps: [bigint, bigint, bigint]) =>
    libsEvent(293, tid, ts, [0, '/usr/bin/ping', Buffer.from('-c1\0'), tid, tid, 100, '/root/', 1024, 0, 0, 0, 0, 0, 'ping', Buffer.alloc(0), Buffer.alloc(0), 0, tid, 1000, 0, ...caps]);
  const file = Buffer.concat([
    sectionHeader(),
    procList(9, [procEntry(9, { ...bash, caps: [0n, CAP_CHOWN | CAP_KILL, CAP_KILL] }), procEntry(9, { ...bash, tid: 300, pid: 300, comm: 'old', caps: undefined })]),
    eventBlock(libsEvent(5, 100, TS, [0, 3])),
    eventBlock(execExit(100, TS + 1n, [CAP_NET_RAW, CAP_NET_RAW | CAP_SYS_ADMIN, CAP_NET_RAW])),
    eventBlock(libsEvent(5, 300, TS + 2n, [0, 3])),
  ]);
  const caps: (bigint | undefined)[][] = [];
  fs.writeFileSync(path.join(dir, 'caps.scap'), file);
  const done = await replayCapture(path.join(dir, 'caps.scap'), { allEvents: true, onEvent: (e) => caps.push([e.thread?.capInheritable, e.thread?.capPermitted, e.thread?.capEffective]) });
  assert.equal(done.error, undefined);
  assert.deepEqual(caps, [
    [0n, CAP_CHOWN | CAP_KILL, CAP_KILL],
    [CAP_NET_RAW, CAP_NET_RAW | CAP_SYS_ADMIN, CAP_NET_RAW],
    [0n, 0n, 0n],
  ]);
});

test('an enter kept for its exit survives the read chunk that held it being reused (exits megabytes later)', async () => {
  // unknown blocks (skipped) between enters and exits: more than the reader's chunks hold, so they are reused meanwhile
  const filler = Array.from({ length: 3300 }, () => block(0x7e57, Buffer.alloc(1000, 0x41)));
  const file = Buffer.concat([
    sectionHeader(),
    procList(9, [procEntry(9, bash)]),
    eventBlock(libsEvent(102, 100, TS, [-100, 'notes.txt', 1, 0], false), 'EV'),
    // another thread's enter: the first one is then kept among the older ones, this one as the last
    eventBlock(libsEvent(102, 101, TS + 1n, [-100, 'other.txt', 1, 0], false), 'EV'),
    ...filler,
    eventBlock(libsEvent(103, 101, TS + 2n, [6], false), 'EV'),
    eventBlock(libsEvent(103, 100, TS + 3n, [5], false), 'EV'),
  ]);
  assert.ok(file.length > 3 << 20);
  const { stats, seen } = await replay(file, true);
  assert.equal(stats.error, undefined);
  assert.equal(stats.blocks.unknownBlocks, 3300);
  assert.deepEqual(seen.map((s) => s.line.split(' ').slice(0, 2).join(' ')), ['<openat fd=/other.txt', '<openat fd=/root/notes.txt']);
});
