import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FdInfo } from '../../../../src/sources/syscall/state/fdInfo';
import { FdTable } from '../../../../src/sources/syscall/state/fdTable';
import { ThreadTable } from '../../../../src/sources/syscall/state/threadTable';

test('fd table is bounded and dup copies entries', () => {
  const t = new FdTable(3);
  for (let i = 0; i < 5; i++) t.set(i, new FdInfo('file', `/f${i}`));
  assert.equal(t.size, 3);
  assert.equal(t.get(0), undefined);
  assert.equal(t.get(4)?.name, '/f4');
  t.dup(4, 9);
  assert.equal(t.get(9)?.name, '/f4');
  t.dup(100, 9);
  assert.equal(t.get(9), undefined, 'dup of an unknown fd forgets the target');
});

test('thread table is bounded and walks ancestors', () => {
  const tt = new ThreadTable(3);
  const a = tt.create(1);
  const b = tt.create(2);
  b.ppid = 1;
  const c = tt.create(3);
  c.ppid = 2;
  assert.equal(tt.ancestor(c, 0), c);
  assert.equal(tt.ancestor(c, 2), a);
  assert.equal(tt.ancestor(c, 3), undefined);
  tt.create(4);
  assert.equal(tt.size, 3);
  assert.equal(tt.get(1), undefined);
  assert.equal(tt.evicted, 1);
  const loop = tt.create(5);
  loop.ppid = 6;
  tt.create(6).ppid = 5;
  assert.equal(tt.ancestor(loop, 1000), undefined, 'a pid loop ends at the walk limit');
});

test('fd table evicts the oldest inserted across low and high descriptors; copies keep that order', () => {
  const t = new FdTable(3);
  t.set(5000, new FdInfo('file', '/h1'));
  t.set(3, new FdInfo('file', '/l1'));
  t.set(7000, new FdInfo('file', '/h2'));
  t.set(5000, new FdInfo('file', '/h1b')); // replacing re-inserts: now the newest
  assert.equal(t.size, 3);
  const c = t.copy();
  t.set(4, new FdInfo('file', '/l2'));
  assert.equal(t.size, 3);
  assert.equal(t.get(3), undefined, 'fd 3 was the oldest');
  t.set(5, new FdInfo('file', '/l3'));
  assert.equal(t.get(7000), undefined, 'then fd 7000');
  assert.deepEqual([...t.entries()].map(([fd, f]) => `${fd}=${f.name}`).sort(), ['4=/l2', '5000=/h1b', '5=/l3']);
  // the copy is independent and evicts in the same order
  assert.equal(c.size, 3);
  c.set(9, new FdInfo('file', '/c'));
  assert.equal(c.get(3), undefined);
  assert.equal(c.get(7000)?.name, '/h2');
  // deleting while walking the entries (exec closing close-on-exec fds)
  for (const [fd] of c.entries()) c.delete(fd);
  assert.equal(c.size, 0);
  assert.deepEqual([...c.entries()], []);
  c.delete(-1);
  c.set(-1, new FdInfo('file', '/neg'));
  assert.equal(c.size, 0);
  assert.equal(c.get(-1), undefined);
});
