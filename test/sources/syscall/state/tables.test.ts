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
