import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { boundedList, fdFromLink, parseStat, seedFromProc } from '../../../../src/sources/syscall/state/procReader';
import { ThreadTable } from '../../../../src/sources/syscall/state/threadTable';

test('stat with spaces and parens in comm', () => {
  const s = parseStat('42 (a (b) c) S 1 42 42 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 12345 1 2')!;
  assert.equal(s.comm, 'a (b) c');
  assert.equal(s.rest[1], '1');
  assert.equal(s.rest[19], '12345');
});

test('fd link targets', () => {
  assert.equal(fdFromLink('/etc/hosts', undefined).type, 'file');
  assert.equal(fdFromLink('/tmp/x (deleted)', undefined).name, '/tmp/x');
  assert.equal(fdFromLink('pipe:[123]', undefined).type, 'pipe');
  assert.equal(fdFromLink('anon_inode:[eventfd]', undefined).type, 'event');
  assert.equal(fdFromLink('anon_inode:[eventpoll]', undefined).type, 'eventpoll');
  assert.equal(fdFromLink('socket:[99]', undefined).type, 'unknown');
});

test('environment lists are bounded', () => {
  assert.deepEqual(boundedList('A=1\0B=2\0C=3\0', 2, 100), ['A=1', 'B=2']);
  assert.deepEqual(boundedList('A=1\0B=22222\0', 10, 6), ['A=1']);
});

test('seeding from the real /proc finds this process, its parent, cwd and open files', () => {
  const table = new ThreadTable();
  const n = seedFromProc(table);
  assert.ok(n > 1);
  const me = table.get(process.pid)!;
  assert.ok(me, 'this process is in the table');
  assert.equal(me.ppid, process.ppid);
  assert.equal(me.cwd, `${process.cwd()}/`, 'with the trailing slash libs keeps on a cwd');
  assert.equal(me.exepath, fs.realpathSync(process.execPath));
  assert.equal(me.uid, process.getuid!());
  const fd = fs.openSync(__filename, 'r');
  try {
    const again = new ThreadTable();
    seedFromProc(again);
    const seeded = again.get(process.pid)!.fds.get(fd);
    assert.equal(seeded?.name, __filename);
    const st = fs.statSync(__filename);
    assert.equal(seeded?.inode, st.ino, 'fd.ino of a file open before the capture: from stat');
    assert.equal(seeded?.dev, st.dev);
  } finally {
    fs.closeSync(fd);
  }
});
