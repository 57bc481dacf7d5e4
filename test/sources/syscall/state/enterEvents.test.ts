// The enter events of open, openat, openat2, creat and connect: the tracker
// keeps the last one per thread and, at the matching exit, takes the path
// (and flags, dirfd) or destination address from it, as libs does, so a
// buffer another thread rewrote after the call started cannot hide the target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileOutput } from '../../../../src/engine/outputFormat';
import { syscallSource } from '../../../../src/sources/syscall';
import { sockaddr4, tuple4, type P } from './eventBytes';
import { emptyProcTracker } from './trackerFeed';

const OUT = compileOutput('%evt.dir %evt.type %fd.name %evt.arg.name %evt.is_open_write %evt.rawres', syscallSource);

function setup() {
  const { tracker, apply } = emptyProcTracker();
  const feed = (name: string, tid: number, params: Record<string, P>) => {
    const ev = apply(name, tid, params);
    const out = OUT.render(ev);
    tracker.finish();
    return { ev, out };
  };
  const t = tracker.threads.create(10);
  t.cwd = '/home/u';
  return { tracker, feed, t };
}

test('open family: the enter path wins over a rewritten exit path, for the fd and its later events', () => {
  const { feed, t } = setup();
  let r = feed('openat>', 10, { dirfd: -100, name: '/etc/shadow', flags: 2, mode: 0 });
  assert.match(r.ev.view.format(), / 10 > openat dirfd=-100 name="\/etc\/shadow" /, 'dumped with > as its direction');
  assert.equal(r.out, "> openat <NA> /etc/shadow false <NA>", 'an enter has no fd, result or open kind');
  r = feed('openat', 10, { fd: 3, dirfd: -100, name: '/tmp/harmless', flags: 1, mode: 0 });
  assert.equal(r.ev.fd?.name, '/etc/shadow');
  // as libs: evt.arg.name and evt.is_open_* read the exit's own parameters
  assert.equal(r.out, '< openat /etc/shadow /tmp/harmless false 3');
  assert.equal(t.fds.get(3)?.name, '/etc/shadow');
  assert.equal(t.fds.get(3)?.openFlags, 2, "the fd's flags are the enter's");
  assert.equal(t.enter, undefined, 'used once');

  // open and creat resolve the enter's relative path against cwd
  feed('open>', 10, { name: 'secret', flags: 1, mode: 0 });
  r = feed('open', 10, { fd: 4, name: 'decoy', flags: 1, mode: 0 });
  assert.equal(r.ev.fd?.name, '/home/u/secret');
  feed('creat>', 10, { name: '/bin/evil', mode: 0o755 });
  r = feed('creat', 10, { fd: 5, name: '/tmp/x', mode: 0o755 });
  assert.equal(r.ev.fd?.name, '/bin/evil');

  // openat2: the enter's dirfd goes with its path
  feed('openat', 10, { fd: 6, dirfd: -100, name: '/etc', flags: 1 | (1 << 10) });
  feed('openat2>', 10, { dirfd: 6, name: 'passwd', flags: 2, mode: 0, resolve: 0 });
  r = feed('openat2', 10, { fd: 7, dirfd: -100, name: 'other', flags: 2 });
  assert.equal(r.ev.fd?.name, '/etc/passwd');
});

test('open family: an enter of another syscall, or with no path, is not used', () => {
  const { feed, t } = setup();
  feed('open>', 10, { name: '/etc/shadow', flags: 1, mode: 0 });
  let r = feed('openat', 10, { fd: 3, dirfd: -100, name: '/tmp/a', flags: 1 });
  assert.equal(r.ev.fd?.name, '/tmp/a', 'open enter does not pair with an openat exit');
  assert.equal(t.enter, undefined, 'and is dropped');
  feed('openat>', 10, { dirfd: -100, name: null, flags: 1, mode: 0 });
  assert.equal(t.enter, undefined, 'an enter without a path is not kept');
  r = feed('openat', 10, { fd: 4, dirfd: -100, name: '/tmp/b', flags: 1 });
  assert.equal(r.ev.fd?.name, '/tmp/b');
  // no enter at all (not captured, or lost): the exit alone, as before
  r = feed('openat', 10, { fd: 5, dirfd: -100, name: '/tmp/c', flags: 1 });
  assert.equal(r.ev.fd?.name, '/tmp/c');
});

test('connect: the enter address replaces a tuple destination equal to the exit address; kernel tuples stay', () => {
  const { feed } = setup();
  feed('socket', 10, { fd: 5, domain: 2, type: 1, proto: 0 });
  let r = feed('connect>', 10, { fd: 5, addr: sockaddr4('10.9.9.9', 4444) });
  assert.equal(r.ev.fdNum, 5, 'the enter names the socket fd');
  assert.equal(r.out.split(' ').slice(0, 2).join(' '), '> connect');
  // exit tuple destination == exit addr: both could come from rewritten user memory
  r = feed('connect', 10, { res: 0, tuple: tuple4('10.0.0.1', 40000, '1.1.1.1', 53), fd: 5, addr: sockaddr4('1.1.1.1', 53) });
  assert.equal(r.ev.fd?.name, '10.0.0.1:40000->10.9.9.9:4444');

  // tuple differs from the exit addr: the tuple is the kernel's own, kept
  feed('socket', 10, { fd: 6, domain: 2, type: 1, proto: 0 });
  feed('connect>', 10, { fd: 6, addr: sockaddr4('10.9.9.9', 4444) });
  r = feed('connect', 10, { res: 0, tuple: tuple4('10.0.0.1', 40001, '10.0.0.7', 80), fd: 6, addr: sockaddr4('1.1.1.1', 53) });
  assert.equal(r.ev.fd?.name, '10.0.0.1:40001->10.0.0.7:80');

  // no tuple at all: the enter address alone
  feed('socket', 10, { fd: 7, domain: 2, type: 1, proto: 0 });
  feed('connect>', 10, { fd: 7, addr: sockaddr4('10.9.9.9', 4444) });
  r = feed('connect', 10, { res: -115, tuple: null, fd: 7, addr: sockaddr4('1.1.1.1', 53) });
  assert.equal(r.ev.fd?.name, '0.0.0.0:0->10.9.9.9:4444');
});
