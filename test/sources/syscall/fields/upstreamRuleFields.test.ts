// The syscall fields Falco's published rules need beyond the others:
// capability sets, connection state, the raw open path, the data buffer, the
// process-group leader, the executable's age at process start, and the
// container fields that need a runtime (known, <NA> without one). Built
// events through the real tracker; the live probe path is in
// test/sources/syscall/rules/detections.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileOutput } from '../../../../src/engine/outputFormat';
import { syscallSource } from '../../../../src/sources/syscall';
import { capsText } from '../../../../src/sources/syscall/fields/capNames';
import { nulList, tuple4 } from '../state/eventBytes';
import { emptyProcTracker } from '../state/trackerFeed';

function value(name: string, ev: unknown): unknown {
  const def = syscallSource.fields.find((f) => f.name === name);
  assert.ok(def, name);
  return def.bind(undefined)(ev as never);
}

const CAP_SYS_ADMIN = 1n << 21n;
const CAP_SYS_MODULE = 1n << 16n;

test('capsText names the set bits as libs does', () => {
  assert.equal(capsText(0n), '');
  assert.equal(capsText(CAP_SYS_MODULE | CAP_SYS_ADMIN | 1n), 'CAP_CHOWN CAP_SYS_MODULE CAP_SYS_ADMIN');
  assert.equal(capsText((1n << 41n) - 1n).split(' ').length, 41);
  assert.equal(capsText(1n << 40n), 'CAP_CHECKPOINT_RESTORE');
});

test('thread.cap_*: from exec, inherited by clone, changed by capset', () => {
  const { tracker, apply } = emptyProcTracker();
  tracker.threads.create(10).comm = 'sh';
  const unknown = apply('close', 10, { res: 0, fd: 1 });
  assert.equal(value('thread.cap_effective', unknown), undefined, 'unknown until an event or /proc says');
  const ex = apply('execve', 10, {
    res: 0, exe: 'insmod', args: nulList([]), tid: 10, pid: 10, ptid: 1, comm: 'insmod', vpgid: 10,
    cap_inheritable: 0, cap_permitted: CAP_SYS_MODULE | CAP_SYS_ADMIN, cap_effective: CAP_SYS_MODULE,
  });
  assert.equal(value('thread.cap_effective', ex), 'CAP_SYS_MODULE');
  assert.equal(value('thread.cap_permitted', ex), 'CAP_SYS_MODULE CAP_SYS_ADMIN');
  assert.equal(value('thread.cap_inheritable', ex), '');
  const child = apply('clone', 11, { res: 0, tid: 11, pid: 11, ptid: 10, comm: 'insmod', flags: 0, vtid: 11, vpid: 11 });
  assert.equal(value('thread.cap_effective', child), 'CAP_SYS_MODULE');
  const set = apply('capset', 11, { res: 0, cap_inheritable: 0, cap_permitted: CAP_SYS_ADMIN, cap_effective: CAP_SYS_ADMIN });
  assert.equal(value('thread.cap_effective', set), 'CAP_SYS_ADMIN');
  apply('capset', 11, { res: -1, cap_inheritable: 0, cap_permitted: 0, cap_effective: 0 });
  assert.equal(tracker.threads.get(11)?.capEffective, CAP_SYS_ADMIN, 'a failed capset changes nothing');
});

test('thread.cap_* and exe times of a process read from /proc', () => {
  const { tracker, procRoot, apply } = emptyProcTracker();
  const dir = path.join(procRoot, '77');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'stat'), '77 (sleep) S 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n');
  fs.writeFileSync(path.join(dir, 'status'), 'Name:\tsleep\nTgid:\t77\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t0000000000200000\n');
  fs.writeFileSync(path.join(dir, 'cmdline'), 'sleep\0');
  fs.symlinkSync(process.execPath, path.join(dir, 'exe'));
  const ev = apply('close', 77, { res: 0, fd: 1 });
  assert.equal(value('thread.cap_effective', ev), 'CAP_SYS_ADMIN');
  assert.equal((value('thread.cap_permitted', ev) as string).split(' ').length, 41);
  assert.equal(value('proc.exe_ino.ctime', ev), fs.statSync(process.execPath, { bigint: true }).ctimeNs);
  assert.equal(typeof value('proc.exe_ino.ctime_duration_proc_start', ev), 'bigint');
  assert.equal(tracker.procReads, 1);
});

test('proc.is_vpgid_leader and proc.exe_ino.ctime_duration_proc_start from exec', () => {
  const { tracker, apply } = emptyProcTracker();
  tracker.threads.create(1).comm = 'init';
  apply('clone', 20, { res: 0, tid: 20, pid: 20, ptid: 1, comm: 'sh', flags: 0, vtid: 20, vpid: 20 });
  const start = tracker.threads.get(20)!.startTs;
  assert.ok(start > 0n);
  const ctime = start - 5_000_000n;
  const ev = apply('execve', 20, { res: 0, exe: 'sh', args: nulList([]), tid: 20, pid: 20, ptid: 1, comm: 'sh', vpgid: 20, exe_ino_ctime: ctime, exe_ino_mtime: ctime });
  assert.equal(value('proc.is_vpgid_leader', ev), true);
  assert.equal(value('proc.exe_ino.ctime_duration_proc_start', ev), 5_000_000n);
  apply('clone', 21, { res: 0, tid: 21, pid: 21, ptid: 20, comm: 'sh', flags: 0, vtid: 21, vpid: 21 });
  // an executable changed after the process started: libs' unsigned difference wraps
  const later = tracker.threads.get(21)!.startTs + 1n;
  const ev2 = apply('execve', 21, { res: 0, exe: 'x', args: nulList([]), tid: 21, pid: 21, ptid: 20, comm: 'x', vpgid: 20, exe_ino_ctime: later, exe_ino_mtime: later });
  assert.equal(value('proc.is_vpgid_leader', ev2), false);
  assert.equal(value('proc.exe_ino.ctime_duration_proc_start', ev2), (1n << 64n) - 1n);
});

test('fd.connected and fd.name_changed follow connect, accept and datagrams as libs parses them', () => {
  const { tracker, apply } = emptyProcTracker();
  tracker.threads.create(10).comm = 'nc';
  let ev = apply('socket', 10, { fd: 5, domain: 2, type: 1, proto: 0 });
  assert.equal(value('fd.connected', ev), false);
  ev = apply('connect', 10, { res: -111, tuple: tuple4('127.0.0.1', 40000, '127.0.0.1', 9), fd: 5 });
  assert.equal(value('fd.connected', ev), false, 'refused');
  ev = apply('connect', 10, { res: -115, tuple: tuple4('127.0.0.1', 40001, '10.0.0.1', 80), fd: 5 });
  assert.equal(value('fd.connected', ev), true, 'in progress counts');
  assert.equal(value('fd.name_changed', ev), true);
  ev = apply('sendto', 10, { res: 3, data: Buffer.from('abc'), fd: 5, size: 3, tuple: tuple4('127.0.0.1', 40001, '10.0.0.1', 80) });
  assert.equal(value('fd.name_changed', ev), false, 'a TCP socket keeps its name');
  ev = apply('accept4', 10, { fd: 6, tuple: tuple4('10.0.0.2', 5555, '10.0.0.1', 22) });
  assert.equal(value('fd.connected', ev), true);
  assert.equal(value('fd.name_changed', ev), true);
  // a UDP socket: the first datagram names its peer and marks it connected
  apply('socket', 10, { fd: 7, domain: 2, type: 2, proto: 0 });
  ev = apply('sendto', 10, { res: 4, data: Buffer.from('ping'), fd: 7, size: 4, tuple: tuple4('10.0.0.1', 3333, '169.254.169.254', 80) });
  assert.equal(value('fd.name', ev), '10.0.0.1:3333->169.254.169.254:80');
  assert.equal(value('fd.name_changed', ev), true);
  assert.equal(value('fd.connected', ev), true);
  assert.equal(value('fd.l4proto', ev), 'udp');
  ev = apply('sendto', 10, { res: 4, data: Buffer.from('ping'), fd: 7, size: 4, tuple: tuple4('10.0.0.1', 3333, '169.254.169.254', 80) });
  assert.equal(value('fd.name_changed', ev), false, 'the same peer again');
  ev = apply('recvfrom', 10, { res: 2, data: Buffer.from('ok'), tuple: tuple4('169.254.169.254', 80, '10.0.0.1', 3333), fd: 7, size: 2 });
  assert.equal(value('fd.name', ev), '10.0.0.1:3333->169.254.169.254:80', 'the reply comes from the same peer');
  const file = apply('openat', 10, { fd: 8, dirfd: -100, name: '/tmp/x', flags: 1 });
  assert.equal(value('fd.connected', file), false);
  assert.equal(value('fd.name_changed', file), false);
});

test('fd.nameraw is the path as written; evt.buffer the data bytes', () => {
  const { tracker, apply } = emptyProcTracker();
  tracker.threads.create(10).cwd = '/srv/www';
  const ev = apply('openat', 10, { fd: 3, dirfd: -100, name: '../..//etc/./passwd', flags: 1 });
  assert.equal(value('fd.name', ev), '/etc/passwd');
  assert.equal(value('fd.nameraw', ev), '../../etc/./passwd');
  const out = compileOutput('%fd.nameraw', syscallSource).render(ev);
  assert.equal(out, '../../etc/./passwd');
  assert.equal(value('evt.buffer', ev), undefined, 'openat has no data');
  apply('socket', 10, { fd: 4, domain: 2, type: 2, proto: 0 });
  const sent = apply('sendto', 10, { res: 4, data: Buffer.from([0xca, 0xfe, 0xba, 0xbe]), fd: 4, size: 4, tuple: tuple4('10.0.0.1', 1, '10.0.0.2', 2) });
  assert.deepEqual([...(value('evt.buffer', sent) as Uint8Array)], [0xca, 0xfe, 0xba, 0xbe]);
});

test('container.start_ts and container.mount.dest[...] are known fields with no value without a runtime', () => {
  const { tracker, apply } = emptyProcTracker();
  tracker.threads.create(10);
  const ev = apply('close', 10, { res: 0, fd: 1 });
  assert.equal(value('container.start_ts', ev), undefined);
  const mount = syscallSource.fields.find((f) => f.name === 'container.mount.dest')!;
  assert.equal(mount.bind('/proc*')(ev as never), undefined);
});
