import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseGroup, parsePasswd, UserDb } from '../../../../src/sources/syscall/state/userDb';

test('passwd and group lines', () => {
  const u = parsePasswd('root:x:0:0:root:/root:/bin/bash\n# c\nbad line\nnobody:x:65534:65534:n:/nonexistent:/usr/sbin/nologin\n');
  assert.deepEqual(u.get(0), { name: 'root', home: '/root', shell: '/bin/bash' });
  assert.equal(u.get(65534)?.shell, '/usr/sbin/nologin');
  assert.equal(u.size, 2);
  const g = parseGroup('root:x:0:\nadm:x:4:syslog,u\n');
  assert.equal(g.get(4), 'adm');
});

test('UserDb reads the files and answers undefined for unknown ids', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-users-'));
  fs.writeFileSync(path.join(dir, 'passwd'), 'alice:x:1001:1001::/home/alice:/bin/zsh\n');
  fs.writeFileSync(path.join(dir, 'group'), 'staff:x:1001:\n');
  const db = new UserDb(path.join(dir, 'passwd'), path.join(dir, 'group'));
  assert.equal(db.user(1001)?.name, 'alice');
  assert.equal(db.user(1001)?.home, '/home/alice');
  assert.equal(db.groupName(1001), 'staff');
  assert.equal(db.user(4242), undefined);
  assert.equal(new UserDb('/nonexistent/p', '/nonexistent/g').user(0), undefined);
});
