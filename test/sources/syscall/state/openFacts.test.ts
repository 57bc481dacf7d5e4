// What an open's exit says about the file beyond its name, without the probe:
// PPM_O_F_CREATED and the overlay layer bits ride in the exit's flags (kept
// even when the enter's flags win), creat sends its layer in creat_flags, and
// dev/ino go to the fd (pipes: their inode); fd.* fields show them and dup keeps them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileOutput } from '../../../../src/engine/outputFormat';
import { syscallSource } from '../../../../src/sources/syscall';
import { emptyProcTracker } from './trackerFeed';

const OUT = compileOutput('%fd.name %fd.is_upper_layer %fd.is_lower_layer %fd.dev %fd.dev.major %fd.dev.minor %fd.ino %evt.arg.flags', syscallSource);
const UPPER = 1 << 15;
const LOWER = 1 << 16;
const CREATED = 1 << 14;
// the kernel's new_encode_dev(MKDEV(259, 0x12345)): minor 0-7 and 20-31, major 8-19
const DEV = 0x45 | (259 << 8) | (0x123 << 20);

function setup() {
  const { tracker, apply } = emptyProcTracker();
  const feed = (name: string, params: Parameters<typeof apply>[2]) => {
    const ev = apply(name, 10, params);
    const out = OUT.render(ev);
    tracker.finish();
    return out;
  };
  const t = tracker.threads.create(10);
  t.cwd = '/';
  return { feed, t };
}

test('open exits: created and layer bits, dev and inode reach the fd and its fields', () => {
  const { feed, t } = setup();
  assert.equal(
    feed('openat', { fd: 3, dirfd: -100, name: '/merged/new', flags: 2 | (1 << 2) | CREATED | UPPER, mode: 0o644, dev: DEV, ino: 77n }),
    `/merged/new true false ${DEV} 259 ${0x12345} 77 O_CREAT|O_WRONLY|O_F_CREATED|FD_UPPER_LAYER`,
  );
  // the enter's flags win, the bits only the exit knows are kept
  feed('open>', { name: '/merged/image-file', flags: 1, mode: 0 });
  assert.equal(feed('open', { fd: 4, name: '/merged/image-file', flags: 3 | LOWER, mode: 0, dev: 5, ino: 9n }).split(' ').slice(0, 3).join(' '), '/merged/image-file false true');
  assert.equal(t.fds.get(4)?.openFlags, 1 | LOWER);
  // creat: the layer arrives as PPM_FD_UPPER_LAYER_CREAT / _LOWER_LAYER_CREAT
  assert.equal(feed('creat', { fd: 5, name: '/merged/by-creat', mode: 0o600, dev: 5, ino: 10n, creat_flags: 1 }).split(' ').slice(0, 3).join(' '), '/merged/by-creat true false');
  assert.equal(feed('creat', { fd: 6, name: '/merged/lower-creat', mode: 0o600, dev: 5, ino: 11n, creat_flags: 2 }).split(' ').slice(0, 3).join(' '), '/merged/lower-creat false true');
  assert.equal(feed('creat', { fd: 7, name: '/host/creat', mode: 0o600, dev: 5, ino: 12n, creat_flags: 0 }).split(' ').slice(0, 3).join(' '), '/host/creat false false');
  // a dup keeps what the open saw
  assert.equal(feed('dup', { res: 8, oldfd: 3 }).split(' ').slice(0, 7).join(' '), `/merged/new true false ${DEV} 259 ${0x12345} 77`);
  // an older probe's creat (creat_flags empty) and an open without dev/ino: no layer, dev and ino 0 (as libs)
  assert.equal(feed('creat', { fd: 9, name: '/old/creat', mode: 0o600 }).split(' ').slice(0, 7).join(' '), '/old/creat false false 0 0 0 0');
  // a pipe: both ends carry the pipe's inode; no fd at all: <NA>
  feed('pipe', { res: 0, fd1: 10, fd2: 11, ino: 4242n });
  assert.equal(t.fds.get(10)?.inode, 4242);
  assert.equal(t.fds.get(11)?.inode, 4242);
  assert.equal(feed('close', { res: 0, fd: 99 }).split(' ').slice(0, 7).join(' '), '<NA> <NA> <NA> <NA> <NA> <NA> <NA>', 'an fd the tables do not know');
});
