// evt.args, evt.arg and evt.rawarg as libsinsp renders them: each parameter's
// value (numbers for fds, flags, errors, pids, ids; in the print format of
// libs' event table), then what it resolves to in parentheses; evt.arg gives
// the resolved text when there is one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileCondition } from '../../../../src/engine/compile';
import { compileOutput } from '../../../../src/engine/outputFormat';
import { parseCondition } from '../../../../src/engine/parser';
import { syscallSource } from '../../../../src/sources/syscall';
import { dumpLine } from '../../../../src/sources/syscall/dumpLine';
import { StateTracker } from '../../../../src/sources/syscall/state/tracker';
import { UserDb } from '../../../../src/sources/syscall/state/userDb';
import { nulList, sockaddr4, tuple4, tupleUnix } from '../state/eventBytes';
import { eventFeeder } from '../state/trackerFeed';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-argtext-'));
fs.writeFileSync(path.join(dir, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/zsh\n');
fs.writeFileSync(path.join(dir, 'group'), 'root:x:0:\nstaff:x:50:\n');
const tracker = new StateTracker({ procRoot: dir, users: new UserDb(path.join(dir, 'passwd'), path.join(dir, 'group')) });
const feed = eventFeeder(tracker, 1_700_000_000_000_000_000n, 1_000_000n);

function out(fmt: string): string {
  return compileOutput(fmt, syscallSource).render(tracker.event);
}
function holds(cond: string): boolean {
  return compileCondition(parseCondition(cond), { source: syscallSource, macros: new Map(), lists: new Map() }).evaluate(tracker.event);
}

const init = tracker.threads.create(1);
init.comm = 'systemd';
init.cwd = '/';
feed('clone', 300, { res: 0, exe: 'bash', args: nulList([]), tid: 300, pid: 300, ptid: 1, comm: 'bash', flags: 0, uid: 0, gid: 0, vtid: 300, vpid: 300 });

const O_RDONLY = 1;
const O_CLOEXEC = 1 << 12;

test('fd parameters: the number, then the fd type and name; AT_FDCWD and errors by name', () => {
  feed('openat', 300, { fd: 3, dirfd: -100, name: '/etc/passwd', flags: O_RDONLY | O_CLOEXEC, mode: 0, dev: 0xfe01, ino: 42 });
  assert.equal(out('%evt.args'), 'fd=3(<f>/etc/passwd) dirfd=-100(AT_FDCWD) name=/etc/passwd flags=4097(O_RDONLY|O_CLOEXEC) mode=0 dev=FE01 ino=42');
  assert.equal(out('%evt.arg.fd|%evt.arg[0]|%evt.arg.dirfd|%evt.arg.flags|%evt.arg.mode|%evt.arg.dev'), '<f>/etc/passwd|<f>/etc/passwd|AT_FDCWD|O_RDONLY|O_CLOEXEC|0|FE01');
  assert.equal(out('%evt.rawarg.fd|%evt.rawarg.dirfd|%evt.rawarg.flags|%evt.rawarg.dev'), '3|-100|4097|65025');
  assert.ok(holds('evt.arg.fd = "<f>/etc/passwd" and evt.arg.dirfd = AT_FDCWD and evt.rawarg.fd = 3'));
  // a creation mode in octal, as libs' table prints open's mode
  feed('openat', 300, { fd: 11, dirfd: -100, name: '/etc', flags: O_RDONLY | (1 << 10) });
  assert.match(out('%evt.args'), /^fd=11\(<d>\/etc\) dirfd=-100\(AT_FDCWD\) name=\/etc flags=1025\(O_DIRECTORY\|O_RDONLY\) mode=<NA> /);
  feed('openat', 300, { fd: 4, dirfd: 11, name: 'x', flags: 2 | (1 << 2), mode: 0o640 });
  assert.equal(out('%evt.args'), 'fd=4(<f>/etc/x) dirfd=11(<d>/etc) name=x(/etc/x) flags=6(O_CREAT|O_WRONLY) mode=0640 dev=<NA> ino=<NA>');
  // a failed open: the error by name, and no fd in the table
  feed('openat', 300, { fd: -2, dirfd: -100, name: '/nope', flags: O_RDONLY });
  assert.match(out('%evt.args'), /^fd=-2\(ENOENT\) dirfd=-100\(AT_FDCWD\) /);
  assert.equal(out('%evt.arg.fd'), 'ENOENT');
});

test('close shows the fd it closes; results as the number and the error name', () => {
  feed('openat', 300, { fd: 5, dirfd: -100, name: '/var/log/syslog', flags: O_RDONLY });
  feed('close', 300, { res: 0, fd: 5 });
  assert.equal(out('%evt.args'), 'res=0 fd=5(<f>/var/log/syslog)');
  assert.equal(out('%evt.arg.res|%evt.arg.fd'), '0|<f>/var/log/syslog');
  // gone from the table after its close; an fd the table lacks is the number alone
  feed('close', 300, { res: -9, fd: 5 });
  assert.equal(out('%evt.args'), 'res=-9(EBADF) fd=5');
  assert.equal(out('%evt.arg.res|%evt.arg.fd|%evt.rawarg.res'), 'EBADF|5|-9');
  // errors libs names beyond the common ones, and one it does not name
  feed('close', 300, { res: -122, fd: 77 });
  assert.equal(out('%evt.args'), 'res=-122(EDQUOT) fd=77');
  feed('close', 300, { res: -600, fd: 77 });
  assert.equal(out('%evt.args|%evt.arg.res'), 'res=-600 fd=77|-600');
});

test('sockets: the fd type with its transport, families by every name libs gives them, tuples and addresses', () => {
  feed('socket', 300, { fd: 6, domain: 2, type: 1, proto: 0, flags: O_CLOEXEC });
  assert.equal(out('%evt.args'), 'fd=6(<4t>) domain=2(AF_INET) type=1 proto=0 flags=4096(O_CLOEXEC)');
  feed('connect', 300, { res: 0, tuple: tuple4('10.1.2.3', 40000, '93.184.216.34', 443), fd: 6, addr: sockaddr4('93.184.216.34', 443) });
  assert.equal(out('%evt.args'), 'res=0 tuple=10.1.2.3:40000->93.184.216.34:443 fd=6(<4t>10.1.2.3:40000->93.184.216.34:443) addr=93.184.216.34:443');
  assert.equal(out('%evt.arg.fd'), '<4t>10.1.2.3:40000->93.184.216.34:443');
  feed('connect', 300, { res: -111, tuple: tuple4('10.1.2.3', 40001, '93.184.216.35', 80), fd: 6 });
  assert.match(out('%evt.args'), /^res=-111\(ECONNREFUSED\) tuple=10\.1\.2\.3:40001->93\.184\.216\.35:80 fd=6\(<4t>10\.1\.2\.3:40000->93\.184\.216\.34:443\) addr=<NA>$/);
  // AF_UNIX is also AF_LOCAL: an enum value libs prints every name of
  feed('socket', 300, { fd: 7, domain: 1, type: 1, proto: 0, flags: 0 });
  assert.equal(out('%evt.args'), 'fd=7(<u>) domain=1(AF_LOCAL|AF_UNIX) type=1 proto=0 flags=0(O_NONE)');
  assert.equal(out('%evt.arg.domain'), 'AF_LOCAL|AF_UNIX');
  feed('socket', 300, { fd: 8, domain: 16, type: 3, proto: 0, flags: 0 });
  assert.equal(out('%evt.arg.domain'), 'AF_ROUTE|AF_NETLINK');
  // a unix tuple keeps its separator when the path is empty
  feed('connect', 300, { res: -2, tuple: tupleUnix(0xffff88823578c000n, 0n, ''), fd: 7 });
  assert.match(out('%evt.args'), /^res=-2\(ENOENT\) tuple=ffff88823578c000->0  fd=7\(<u>\) addr=<NA>$/);
  // no tuple at all: libs' NULL; a family it has no text for: `family N`
  feed('connect', 300, { res: -22, tuple: null, fd: 7, addr: Buffer.from([42]) });
  assert.equal(out('%evt.args'), 'res=-22(EINVAL) tuple=NULL fd=7(<u>) addr=family 42');
  feed('accept4', 300, { fd: 9, tuple: tuple4('192.168.0.9', 5000, '10.1.2.3', 22), queuepct: 0, queuelen: 0, queuemax: 128, flags: 0x80800 });
  assert.equal(out('%evt.args'), 'fd=9(<4t>192.168.0.9:5000->10.1.2.3:22) tuple=192.168.0.9:5000->10.1.2.3:22 queuepct=0 queuelen=0 queuemax=128 flags=80800');
});

test('data buffers: unprintable bytes as dots, nothing trimmed; an empty buffer is NULL', () => {
  feed('sendto', 300, { res: 9, data: Buffer.concat([Buffer.from('hi\0\x01th'), Buffer.from([0xc3, 0xa9])]), fd: 6, size: 9, tuple: tuple4('10.1.2.3', 40000, '93.184.216.34', 443) });
  assert.match(out('%evt.args'), /^res=9 data=hi\.\.th\.\. fd=6\(<4t>/);
  assert.equal(out('%evt.arg.data'), 'hi..th..');
  feed('sendto', 300, { res: 0, data: null, fd: 6, size: 0, tuple: null });
  assert.match(out('%evt.args'), /^res=0 data=NULL fd=6\(<4t>[^)]*\) size=0 tuple=NULL$/);
});

test('execve: pids with their command, user and group names, flags, hex capabilities, times', () => {
  feed('execve', 300, {
    res: 0, exe: 'ls', args: nulList(['-l', '/tmp']), tid: 300, pid: 300, ptid: 1, cwd: null, fdlimit: 1024, comm: 'ls', env: nulList(['A=1']),
    tty: 0, vpgid: 300, loginuid: 0xffffffff, flags: 1, cap_inheritable: 0, cap_permitted: 0x1ffffffffffn, cap_effective: 0x1ffffffffffn,
    exe_ino: 7, exe_ino_ctime: 1_672_924_850_147_483_600n, exe_ino_mtime: 0, uid: 1000, trusted_exepath: '/usr/bin/ls', pgid: 300, gid: 4242, filename: '/bin/ls',
  });
  const a = out('%evt.args');
  assert.match(a, /^res=0 exe=ls args=-l\.\/tmp\. tid=300\(ls\) pid=300\(ls\) ptid=1\(systemd\) cwd=<NA> fdlimit=1024 /);
  assert.match(a, / env=A=1\. tty=0 vpgid=300\(ls\) loginuid=-1\(<NONE>\) flags=1\(EXE_WRITABLE\) cap_inheritable=0 cap_permitted=1FFFFFFFFFF cap_effective=1FFFFFFFFFF exe_ino=7 /);
  assert.match(a, / exe_ino_ctime=2023-01-05 \d\d:\d\d:\d\d\.147483600 [+-]\d{4} exe_ino_mtime=1970-01-01 \d\d:\d\d:00\.000000000 [+-]\d{4} /);
  assert.match(a, / uid=1000\(alice\) trusted_exepath=\/usr\/bin\/ls pgid=300\(ls\) gid=4242\(<NA>\) filename=\/bin\/ls$/);
  assert.equal(out('%evt.arg.pid|%evt.arg.ptid|%evt.arg.uid|%evt.arg.gid|%evt.arg.loginuid|%evt.arg.flags'), 'ls|systemd|alice|<NA>|<NONE>|EXE_WRITABLE');
  assert.equal(out('%evt.rawarg.pid|%evt.rawarg.uid|%evt.rawarg.loginuid'), '300|1000|4294967295');
  // a pid no thread has: the number alone
  feed('kill', 300, { res: 0, pid: 4321, sig: 9 });
  assert.equal(out('%evt.args|%evt.arg.sig|%evt.arg.pid'), 'res=0 pid=4321 sig=9(SIGKILL)|SIGKILL|4321');
  feed('kill', 300, { res: 0, pid: 300, sig: 0 });
  assert.equal(out('%evt.args'), 'res=0 pid=300(ls) sig=0');
  // Falco's "Non sudo setuid" exceptions compare the user name: `user.name=nobody and evt.arg.uid=nobody`
  feed('setuid', 300, { res: 0, uid: 0 });
  assert.equal(out('%evt.args'), 'res=0 uid=0(root)');
  assert.ok(holds('evt.arg.uid = root and evt.rawarg.uid = 0'));
  feed('setgid', 300, { res: 0, gid: 50 });
  assert.equal(out('%evt.args|%evt.arg.gid'), 'res=0 gid=50(staff)|staff');
});

test('modes, clone flags and enums in the print format of libs table', () => {
  feed('fchmodat', 300, { res: 0, dirfd: -100, filename: '/srv/x', mode: 0o750 });
  assert.equal(out('%evt.args'), 'res=0 dirfd=-100(AT_FDCWD) filename=/srv/x mode=0750(S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR)');
  assert.equal(out('%evt.arg.mode'), 'S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR');
  feed('chmod', 300, { res: 0, filename: '/srv/x', mode: 0 });
  assert.equal(out('%evt.args|%evt.arg.mode'), 'res=0 filename=/srv/x mode=0|0');
  // mkdir's mode is hex in libs' table
  feed('mkdir', 300, { res: 0, path: '/srv/d', mode: 0o755 });
  assert.equal(out('%evt.args|%evt.arg.mode'), 'res=0 path=/srv/d mode=1ED|1ED');
  // the caller's exit names its child after itself before the child has run, as libs makes the child there
  feed('clone', 300, { res: 301, exe: 'ls', args: nulList(['x']), tid: 300, pid: 300, ptid: 1, comm: 'ls', flags: (1 << 23) | (1 << 24), uid: 0, gid: 0, vtid: 300, vpid: 300 });
  assert.match(out('%evt.args'), /^res=301\(ls\) exe=ls args=x\. tid=300\(ls\) /);
  assert.match(out('%evt.args'), / flags=25165824\(CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\) uid=0 gid=0 vtid=300\(ls\) vpid=300\(ls\) pidns_init_start_ts=<NA>$/);
  feed('unlinkat', 300, { res: 0, dirfd: -100, name: '/srv/d', flags: 0 });
  assert.equal(out('%evt.args|%evt.arg.flags'), 'res=0 dirfd=-100(AT_FDCWD) name=/srv/d flags=0|0');
  // ptrace: a dynamic parameter (hex address, or a signal) and the request by name
  const u64 = (n: bigint): Buffer => Buffer.concat([Buffer.from([0]), Buffer.from(new BigUint64Array([n]).buffer)]);
  feed('ptrace', 300, { res: 0, addr: u64(0x7ffd1234n), data: Buffer.from([1, 9]), request: 11, pid: 300 });
  assert.equal(out('%evt.args'), 'res=0 addr=7FFD1234 data=9(SIGKILL) request=11(PTRACE_ATTACH) pid=300(ls)');
  assert.equal(out('%evt.arg.request|%evt.arg.data|%evt.arg.addr'), 'PTRACE_ATTACH|SIGKILL|7FFD1234');
  assert.ok(holds('evt.arg.request = PTRACE_ATTACH and evt.rawarg.request = 11'));
});

test('--dump-events lines render parameters as evt.args does', () => {
  feed('openat', 300, { fd: 10, dirfd: -100, name: '/etc/hosts', flags: O_RDONLY });
  assert.match(dumpLine(tracker.event), / < openat fd=10\(<f>\/etc\/hosts\) dirfd=-100\(AT_FDCWD\) name=\/etc\/hosts flags=1\(O_RDONLY\) /);
});
