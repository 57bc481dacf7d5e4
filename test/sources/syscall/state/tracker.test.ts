import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { nulList, sockaddr4, sockaddrUnix, tuple4, tupleUnix, type P } from './eventBytes';
import { emptyProcTracker } from './trackerFeed';

/** a tracker over an empty fake /proc, and a way to feed it one event */
function setup() {
  const { tracker, procRoot, apply } = emptyProcTracker();
  const feed = (name: string, tid: number, params: Record<string, P>) => ({ ev: apply(name, tid, params), done: () => tracker.finish() });
  return { tracker, feed, procRoot };
}

function forkChild(feed: ReturnType<typeof setup>['feed'], child: number, parent: number, comm: string) {
  return feed('clone', child, { res: 0, exe: comm, args: nulList([]), tid: child, pid: child, ptid: parent, comm, flags: 0, uid: 0, gid: 0, vtid: child, vpid: child });
}

test('clone and execve build the process tree; unknown gone tids become placeholders', () => {
  const { tracker, feed } = setup();
  const root = tracker.threads.create(100);
  root.comm = 'bash';
  root.cwd = '/home/u';
  root.args = [];
  forkChild(feed, 200, 100, 'bash');
  const { ev } = feed('execve', 200, {
    res: 0, exe: 'cat', args: nulList(['/etc/shadow']), tid: 200, pid: 200, ptid: 100, comm: 'cat',
    env: nulList(['HOME=/root', 'A=b']), tty: 34817, vpgid: 200, loginuid: 1000, uid: 1000, gid: 1000, filename: './bin/cat',
  });
  const t = ev.thread!;
  assert.equal(t.comm, 'cat');
  assert.equal(t.cmdline(), 'cat /etc/shadow');
  assert.equal(t.exepath, '/home/u/bin/cat');
  assert.equal(t.cwd, '/home/u');
  assert.equal(t.ppid, 100);
  assert.equal(t.uid, 1000);
  assert.equal(t.loginuid, 1000);
  assert.deepEqual(t.env, ['HOME=/root', 'A=b']);
  assert.equal(tracker.threads.parent(t)?.comm, 'bash');
  const { ev: ghost } = feed('close', 999, { res: 0, fd: 3 });
  assert.equal(ghost.thread?.comm, '<NA>');
  assert.equal(tracker.procReads, 1);
});

test('open resolves paths against cwd and dirfd; close and dup keep the fd table', () => {
  const { tracker, feed } = setup();
  const t = tracker.threads.create(10);
  t.cwd = '/work';
  let r = feed('openat', 10, { fd: 3, dirfd: -100, name: '../etc/./passwd', flags: 1 });
  assert.equal(r.ev.fd?.name, '/etc/passwd');
  assert.equal(r.ev.fdNum, 3);
  r = feed('openat', 10, { fd: 4, dirfd: 3, name: 'sub/x', flags: 2 });
  assert.equal(r.ev.fd?.name, '/etc/passwd/sub/x');
  r = feed('dup2', 10, { res: 7, oldfd: 3, newfd: 7 });
  assert.equal(t.fds.get(7)?.name, '/etc/passwd');
  r = feed('close', 10, { res: 0, fd: 3 });
  assert.equal(r.ev.fd?.name, '/etc/passwd', 'the closed fd is still described by its close event');
  assert.equal(t.fds.get(3), undefined);
  r = feed('openat', 10, { fd: -2, dirfd: -100, name: '/nope', flags: 1 });
  assert.equal(r.ev.fd?.name, '/nope', 'a failed open still names its path');
  assert.equal(t.fds.get(-2), undefined);
  r = feed('chdir', 10, { res: 0, path: '/tmp' });
  assert.equal(t.cwd, '/tmp/', 'libs keeps the cwd with its trailing slash');
});

test('directory opens and other paths are named as libs names them: no trailing slash, dirfd as a directory', () => {
  const { tracker, feed } = setup();
  const t = tracker.threads.create(10);
  t.cwd = '/home/u/';
  const O_DIRECTORY = 1 << 10;
  const open = (fd: number, name: string, dirfd = -100, flags = 1 | O_DIRECTORY) => feed('openat', 10, { fd, dirfd, name, flags }).ev.fd;
  assert.equal(open(3, '/etc/')?.name, '/etc');
  assert.equal(open(3, '/etc/')?.type, 'directory');
  assert.equal(t.fds.get(3)?.name, '/etc', 'the table keeps the clean name');
  assert.equal(open(4, 'sub/')?.name, '/home/u/sub');
  assert.equal(open(5, './')?.name, '/home/u');
  assert.equal(open(5, '.')?.name, '/home/u');
  assert.equal(open(6, '/')?.name, '/');
  assert.equal(open(7, 'etc/hostname', 6, 1)?.name, '/etc/hostname', 'a dirfd naming / adds no second slash');
  assert.equal(open(8, '../sub/', 4)?.name, '/home/u/sub');
  assert.equal(open(8, 'x', 3, 1)?.name, '/etc/x');
  assert.equal(open(9, '.../x', -100, 1)?.name, '/home/u/.../x', 'a name of three dots is a name');
  assert.equal(open(9, 'x./y', -100, 1)?.name, '/home/u/x./y');
  assert.equal(open(10, 'f', 99, 1)?.name, '<UNKNOWN>f', 'a dirfd the table lacks: libs says so instead of guessing the cwd');
  assert.equal(open(10, '/abs', 99, 1)?.name, '/abs', 'an absolute path ignores the dirfd');
  assert.equal(open(11, `${'d/'.repeat(600)}f`, -100, 1)?.name, '/DIR_TOO_LONG/FILENAME_TOO_LONG');
  assert.equal(feed('open', 10, { fd: 12, name: 'sub//f/', flags: 1 }).ev.fd?.name, '/home/u/sub/f');
  assert.equal(feed('creat', 10, { fd: 13, name: './new/', mode: 0o644 }).ev.fd?.name, '/home/u/new');
  // a failed open or creat: libs names it from its parameter, an absolute one as given
  assert.equal(feed('open', 10, { fd: -2, name: '/nope/dir/', flags: 1 }).ev.fd?.name, '/nope/dir/');
  assert.equal(feed('creat', 10, { fd: -21, name: 'rel/', mode: 0o644 }).ev.fd?.name, '/home/u/rel');
  assert.equal(open(-2, '/nope/dir/')?.name, '/nope/dir', 'a failed openat is resolved as a successful one');
  assert.equal(open(-2, '', -100, 1)?.name, '', 'an empty path names nothing, not the cwd');
});

test('cwd: chdir and fchdir clean the path and keep a trailing slash; the threads of a process share it', () => {
  const { tracker, feed } = setup();
  const main = tracker.threads.create(10);
  main.cwd = '/home/u/';
  const worker = tracker.threads.create(11, main.fds);
  worker.pid = 10;
  worker.cwd = '/home/u/';
  feed('chdir', 10, { res: 0, path: 'sub/' });
  assert.equal(main.cwd, '/home/u/sub/');
  feed('chdir', 10, { res: 0, path: '..//x./' });
  assert.equal(main.cwd, '/home/u/x./');
  feed('chdir', 10, { res: -2, path: '/nope' });
  assert.equal(main.cwd, '/home/u/x./', 'a failed chdir changes nothing');
  // a thread's chdir moves the whole process, and its opens resolve against it
  feed('chdir', 11, { res: 0, path: '/tmp/' });
  assert.equal(main.cwd, '/tmp/');
  assert.equal(feed('openat', 10, { fd: 3, dirfd: -100, name: 'a', flags: 1 }).ev.fd?.name, '/tmp/a');
  feed('chdir', 10, { res: 0, path: '/var' });
  assert.equal(feed('openat', 11, { fd: 4, dirfd: -100, name: 'b', flags: 1 }).ev.fd?.name, '/var/b', "the thread reads the process's cwd, not a copy from its clone");
  feed('openat', 10, { fd: 5, dirfd: -100, name: '/', flags: 1 | (1 << 10) });
  feed('fchdir', 10, { res: 0, fd: 5 });
  assert.equal(main.cwd, '/');
  feed('openat', 10, { fd: 6, dirfd: -100, name: '/etc/', flags: 1 | (1 << 10) });
  feed('fchdir', 11, { res: 0, fd: 6 });
  assert.equal(main.cwd, '/etc/');
});

test('seed from /proc: the cwd with its trailing slash, and accepted connections named client->server', () => {
  const { tracker, procRoot } = setup();
  fs.mkdirSync(path.join(procRoot, 'net'));
  // a listener on 127.0.0.1:8080, the server end of 127.0.0.1:40000 -> :8080, and a connection out to :443
  fs.writeFileSync(path.join(procRoot, 'net', 'tcp'), `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0 100 0 0 10 0
   1: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 6666 1 0 20 4 30 10 -1
   2: 0100007F:9C41 0200000A:01BB 01 00000000:00000000 00:00000000 00000000     0        0 7777 1 0 20 4 30 10 -1
`);
  const dir = path.join(procRoot, '100');
  fs.mkdirSync(path.join(dir, 'fd'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'stat'), '100 (nginx) S 1 100 100 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0');
  fs.writeFileSync(path.join(dir, 'status'), 'Name:\tnginx\nTgid:\t100\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n');
  fs.symlinkSync('/srv/www', path.join(dir, 'cwd'));
  fs.symlinkSync('socket:[1111]', path.join(dir, 'fd', '3'));
  fs.symlinkSync('socket:[6666]', path.join(dir, 'fd', '4'));
  fs.symlinkSync('socket:[7777]', path.join(dir, 'fd', '5'));
  assert.equal(tracker.seed(), 1);
  const t = tracker.threads.get(100)!;
  assert.equal(t.cwd, '/srv/www/');
  assert.equal(t.fds.get(3)?.name, '127.0.0.1:8080');
  assert.equal(t.fds.get(4)?.name, '127.0.0.1:40000->127.0.0.1:8080');
  assert.equal(t.fds.get(4)?.isServer, true);
  assert.equal(t.fds.get(5)?.name, '127.0.0.1:40001->10.0.0.2:443');
  assert.equal(t.fds.get(5)?.isServer, false);
});

test('exec: a relative filename resolves against the cwd as libs cleans it', () => {
  const { tracker, feed } = setup();
  const root = tracker.threads.create(100);
  root.comm = 'sh';
  root.cwd = '/tmp/w/';
  forkChild(feed, 200, 100, 'sh');
  const { ev } = feed('execve', 200, { res: 0, exe: 'x', args: nulList([]), tid: 200, pid: 200, ptid: 100, comm: 'x', filename: 'sub/../../bin/./x' });
  assert.equal(ev.thread!.exepath, '/tmp/bin/x');
  assert.equal(ev.thread!.cwd, '/tmp/w/');
});

test('sockets: connect and accept record client and server ends', () => {
  const { tracker, feed } = setup();
  const t = tracker.threads.create(10);
  feed('socket', 10, { fd: 5, domain: 2, type: 1, proto: 0 });
  let r = feed('connect', 10, { res: 0, tuple: tuple4('127.0.0.1', 40000, '127.0.0.1', 8080), fd: 5 });
  const f = r.ev.fd!;
  assert.equal(f.name, '127.0.0.1:40000->127.0.0.1:8080');
  assert.equal(f.l4proto, 'tcp');
  assert.equal(f.isServer, false);
  feed('socket', 10, { fd: 4, domain: 2, type: 1, proto: 0 });
  r = feed('bind', 10, { res: 0, addr: sockaddr4('127.0.0.1', 47999), fd: 4 });
  assert.equal(r.ev.fd?.name, '127.0.0.1:47999', 'libs names a bound socket by its address');
  assert.equal(r.ev.fd?.type, 'ipv4');
  r = feed('accept4', 10, { fd: 6, tuple: tuple4('10.0.0.2', 5555, '10.0.0.1', 22) });
  assert.equal(t.fds.get(6)?.isServer, true);
  assert.equal(t.fds.get(6)?.cip, '10.0.0.2');
  r = feed('pipe2', 10, { res: 0, fd1: 8, fd2: 9, ino: 77 });
  assert.equal(t.fds.get(9)?.type, 'pipe');
  assert.equal(t.fds.get(8)?.name, 'pipe:[77]');
});

test('unix sockets are named as libs names them: bound path, then `source->dest path` from each tuple', () => {
  const { tracker, feed } = setup();
  const t = tracker.threads.create(10);
  const log = 0xffff888119bf8d00n;
  // a datagram client sending to /dev/log without connecting: the probe's tuple has no peer and no path
  feed('socket', 10, { fd: 4, domain: 1, type: 2, proto: 0 });
  let r = feed('sendto', 10, { res: 11, fd: 4, size: 11, tuple: tupleUnix(0xffff888119bf8d80n, 0n, '') });
  assert.equal(r.ev.fd?.type, 'unix');
  assert.equal(r.ev.fd?.name, 'ffff888119bf8d80->0 ');
  assert.equal(r.ev.fdNameChanged, true);
  // a connected one: connect names it, a send keeps the kernel's tuple
  feed('socket', 10, { fd: 5, domain: 1, type: 2, proto: 0 });
  r = feed('connect>', 10, { fd: 5, addr: sockaddrUnix('/dev/log') });
  assert.equal(r.ev.fd?.name, '/dev/log', 'the enter names it by the path it connects to');
  r = feed('connect', 10, { res: 0, tuple: tupleUnix(0xffff888119bf9000n, log, '/dev/log'), fd: 5, addr: sockaddrUnix('/dev/log') });
  assert.equal(r.ev.fd?.name, `ffff888119bf9000->${log.toString(16)} /dev/log`);
  r = feed('sendto', 10, { res: 9, fd: 5, size: 9, tuple: tupleUnix(0xffff888119bf9000n, log, '/dev/log') });
  assert.equal(r.ev.fd?.name, `ffff888119bf9000->${log.toString(16)} /dev/log`);
  assert.equal(r.ev.fdNameChanged, false);
  // the receiving end: bind names it by its path, each datagram by its sender
  feed('socket', 10, { fd: 3, domain: 1, type: 2, proto: 0 });
  r = feed('bind', 10, { res: 0, addr: sockaddrUnix('/dev/log'), fd: 3 });
  assert.equal(t.fds.get(3)?.name, '/dev/log');
  r = feed('recvfrom', 10, { res: 9, fd: 3, size: 100, tuple: tupleUnix(0n, log, '/dev/log') });
  assert.equal(r.ev.fd?.name, `0->${log.toString(16)} /dev/log`);
  // a failed send or bind changes nothing
  r = feed('sendto', 10, { res: -111, fd: 4, size: 3, tuple: tupleUnix(0xffff888119bf8d80n, 0xffff1n, '/x') });
  assert.equal(r.ev.fd?.name, 'ffff888119bf8d80->0 ');
  feed('socket', 10, { fd: 6, domain: 1, type: 1, proto: 0 });
  feed('bind', 10, { res: -98, addr: sockaddrUnix('/run/busy'), fd: 6 });
  assert.equal(t.fds.get(6)?.name, '');
  // a refused connect: the event shows its tuple, the socket keeps the name it had
  feed('socket', 10, { fd: 8, domain: 1, type: 1, proto: 0 });
  feed('connect>', 10, { fd: 8, addr: sockaddrUnix('/run/none.sock') });
  r = feed('connect', 10, { res: -2, tuple: tupleUnix(0xffff3000n, 0n, ''), fd: 8, addr: sockaddrUnix('/run/none.sock') });
  assert.equal(r.ev.fd?.name, 'ffff3000->0 ');
  assert.equal(t.fds.get(8)?.name, '/run/none.sock');
  // a stream accept: the server end's tuple
  r = feed('accept4', 10, { fd: 7, tuple: tupleUnix(0xffff1000n, 0xffff2000n, '/run/s.sock') });
  assert.equal(t.fds.get(7)?.name, 'ffff1000->ffff2000 /run/s.sock');
  assert.equal(t.fds.get(7)?.type, 'unix');
});

test('threads share the fd table; forks copy it; exit purges after the event', () => {
  const { tracker, feed } = setup();
  const p = tracker.threads.create(10);
  p.fds.set(3, p.fds.get(3) ?? (feed('openat', 10, { fd: 3, dirfd: -100, name: '/a', flags: 1 }).ev.fd!));
  feed('clone', 11, { res: 0, tid: 11, pid: 10, ptid: 1, comm: 'x', flags: 1 << 13 });
  forkChild(feed, 20, 10, 'x');
  feed('openat', 11, { fd: 4, dirfd: -100, name: '/b', flags: 1 });
  assert.equal(p.fds.get(4)?.name, '/b', 'thread 11 shares the table of 10');
  assert.equal(tracker.threads.get(20)?.fds.get(4), undefined, 'the fork copied the table before');
  assert.equal(tracker.threads.get(20)?.fds.get(3)?.name, '/a');
  const r = feed('procexit', 20, { status: 0 });
  assert.ok(tracker.threads.get(20), 'kept while its exit event is evaluated');
  r.done();
  assert.equal(tracker.threads.get(20), undefined);
});

test('setuid changes the user of the thread and its process', () => {
  const { tracker, feed } = setup();
  tracker.threads.create(10).uid = 0;
  feed('setuid', 10, { res: 0, uid: 65534 });
  assert.equal(tracker.threads.get(10)?.uid, 65534);
  feed('setuid', 10, { res: -1, uid: 0 });
  assert.equal(tracker.threads.get(10)?.uid, 65534, 'a failed setuid changes nothing');
});

test('absolute open paths are normalized only when they need it', () => {
  const { tracker, feed } = setup();
  const t = tracker.threads.create(10);
  t.cwd = '/home/u';
  const name = (p: string, fd: number) => feed('openat', 10, { fd, dirfd: -100, name: p, flags: 1 }).ev.fd?.name;
  assert.equal(name('/etc/hosts', 3), '/etc/hosts');
  assert.equal(name('//etc///hosts', 4), '/etc/hosts');
  assert.equal(name('/etc/./x/../hosts', 5), '/etc/hosts');
  assert.equal(name('/etc/.hidden', 6), '/etc/.hidden');
  assert.equal(name('/..', 7), '/');
  assert.equal(name('rel/./f', 8), '/home/u/rel/f');
  assert.equal(t.fds.get(4)?.name, '/etc/hosts');
});

test('fexecve: an exec through /dev/fd/N takes its path from the exe link, else from the fd table', () => {
  const { tracker, feed, procRoot } = setup();
  const root = tracker.threads.create(100);
  root.comm = 'bash';
  root.cwd = '/home/u';
  forkChild(feed, 300, 100, 'dropper');
  feed('memfd_create', 300, { fd: 3, name: 'payload', flags: 0 });
  const exec = (filename: string) =>
    feed('execve', 300, { res: 0, exe: 'payload', args: nulList([]), tid: 300, pid: 300, ptid: 100, comm: 'memfd:payload', uid: 0, gid: 0, filename }).ev.thread!;
  // the fake /proc has no exe link: the fd table names what fd 3 held
  assert.equal(exec('/dev/fd/3').exepath, 'memfd:payload');
  // with an exe link, the kernel's word wins
  fs.mkdirSync(path.join(procRoot, '300'), { recursive: true });
  fs.symlinkSync('/memfd:payload (deleted)', path.join(procRoot, '300', 'exe'));
  assert.equal(exec('/proc/self/fd/3').exepath, '/memfd:payload (deleted)');
  // an ordinary relative filename is still made absolute against the cwd
  assert.equal(exec('./x/dev/fd/3').exepath, '/home/u/x/dev/fd/3');
});

test('container.id comes from the cgroups parameter of exec and clone, /proc only when it is empty', () => {
  const { tracker, feed, procRoot } = setup();
  const ID = 'ab'.repeat(32);
  const root = tracker.threads.create(100);
  root.comm = 'containerd-shim';
  // the kernel-sent cgroups win: /proc (fake, empty) knows nothing of pid 200
  forkChild(feed, 200, 100, 'runc');
  const { ev } = feed('execve', 200, {
    res: 0, exe: 'sh', args: nulList([]), tid: 200, pid: 200, ptid: 100, comm: 'sh',
    cgroups: nulList(['cpuset=/', `cpu=/system.slice/docker-${ID}.scope`, 'memory=/']), filename: '/bin/sh',
  });
  assert.equal(ev.thread!.containerId, ID.slice(0, 12));
  const { ev: child } = feed('clone', 201, { res: 0, exe: 'sh', args: nulList([]), tid: 201, pid: 201, ptid: 200, comm: 'sh', cgroups: nulList(['cpu=/']), flags: 0 });
  assert.equal(child.thread!.containerId, 'host', "a clone's own cgroups, not the parent's");
  const { ev: inherit } = feed('clone', 202, { res: 0, exe: 'sh', args: nulList([]), tid: 202, pid: 202, ptid: 200, comm: 'sh', flags: 0 });
  assert.equal(inherit.thread!.containerId, ID.slice(0, 12), 'no cgroups param: the parent\'s');
  // empty param: /proc/PID/cgroup is read
  fs.mkdirSync(path.join(procRoot, '300'));
  fs.writeFileSync(path.join(procRoot, '300', 'cgroup'), `4:memory:/docker/${'cd'.repeat(32)}\n`);
  forkChild(feed, 300, 100, 'sh');
  const { ev: viaProc } = feed('execve', 300, { res: 0, exe: 'sh', args: nulList([]), tid: 300, pid: 300, ptid: 100, comm: 'sh', filename: '/bin/sh' });
  assert.equal(viaProc.thread!.containerId, 'cdcdcdcdcdcd');
});
