// HOST_ROOT: the host's /proc and /etc/passwd, /etc/group below it, or the agent's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostPaths } from '../../../../src/sources/syscall/state/hostRoot';
import { UserDb } from '../../../../src/sources/syscall/state/userDb';
import { seedFromProc } from '../../../../src/sources/syscall/state/procReader';
import { ThreadTable } from '../../../../src/sources/syscall/state/threadTable';

test('unset or empty HOST_ROOT: the agent\'s own /proc and /etc', () => {
  for (const v of [undefined, '']) assert.deepEqual(hostPaths(v), { procRoot: '/proc', passwd: '/etc/passwd', group: '/etc/group' });
});

test('HOST_ROOT=/host (the DaemonSet): /host/proc, /host/etc/passwd, /host/etc/group; a trailing slash is the same', () => {
  const want = { procRoot: '/host/proc', passwd: '/host/etc/passwd', group: '/host/etc/group' };
  assert.deepEqual(hostPaths('/host'), want);
  assert.deepEqual(hostPaths('/host/'), want);
});

test('user names and /proc are read below HOST_ROOT', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-hostroot-'));
  fs.mkdirSync(path.join(root, 'etc'));
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nhostonly:x:4242:4242::/home/hostonly:/bin/sh\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nhostgroup:x:4343:\n');
  // the host's /proc, mounted at HOST_ROOT/proc as the DaemonSet does (a symlink stands in for the mount)
  fs.symlinkSync('/proc', path.join(root, 'proc'));
  const p = hostPaths(root);
  const users = new UserDb(p.passwd, p.group);
  assert.equal(users.user(4242)?.name, 'hostonly');
  assert.equal(users.groupName(4343), 'hostgroup');
  const table = new ThreadTable();
  assert.ok(seedFromProc(table, p.procRoot) > 0);
  assert.ok(table.get(process.pid), 'this process is found through HOST_ROOT/proc');
});
