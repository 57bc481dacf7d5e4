import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../../../src/engine/engine';
import { compileCondition } from '../../../../src/engine/compile';
import { compileOutput } from '../../../../src/engine/outputFormat';
import { parseCondition } from '../../../../src/engine/parser';
import { syscallSource } from '../../../../src/sources/syscall';
import { EventView } from '../../../../src/sources/syscall/decode';
import { EVENT_TYPE_NAMES } from '../../../../src/sources/syscall/eventTable';
import { StateTracker } from '../../../../src/sources/syscall/state/tracker';
import { UserDb } from '../../../../src/sources/syscall/state/userDb';
import { nulList, tuple4 } from '../state/eventBytes';
import { eventFeeder } from '../state/trackerFeed';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-fields-'));
fs.writeFileSync(path.join(dir, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/zsh\n');
fs.writeFileSync(path.join(dir, 'group'), 'root:x:0:\nalice:x:1000:\n');
const tracker = new StateTracker({ procRoot: dir, users: new UserDb(path.join(dir, 'passwd'), path.join(dir, 'group')) });
const feed = eventFeeder(tracker, 1_700_000_000_000_000_000n, 1_000_000n);

/** the field's value as an output would print it */
function out(fmt: string, ev = tracker.event): string {
  return compileOutput(fmt, syscallSource).render(ev);
}

// sshd(1) -> bash(100) -> cat(200), alice
const sshd = tracker.threads.create(1);
sshd.comm = 'sshd';
sshd.exe = '/usr/sbin/sshd';
sshd.exepath = '/usr/sbin/sshd';
sshd.cwd = '/';
feed('clone', 100, { res: 0, exe: 'sshd', args: nulList([]), tid: 100, pid: 100, ptid: 1, comm: 'sshd', flags: 0, uid: 1000, gid: 1000, vtid: 100, vpid: 100 });
feed('execve', 100, { res: 0, exe: '-bash', args: nulList([]), tid: 100, pid: 100, ptid: 1, comm: 'bash', tty: 34816, loginuid: 1000, uid: 1000, gid: 1000, filename: '/bin/bash', env: nulList(['HOME=/home/alice']) });
feed('clone', 200, { res: 0, exe: '-bash', args: nulList([]), tid: 200, pid: 200, ptid: 100, comm: 'bash', flags: 0, uid: 1000, gid: 1000, vtid: 200, vpid: 200 });
feed('execve', 200, { res: 0, exe: 'cat', args: nulList(['/etc/shadow', '-n']), tid: 200, pid: 200, ptid: 100, comm: 'cat', tty: 34816, loginuid: 1000, uid: 1000, gid: 1000, filename: '/usr/bin/cat', env: nulList(['HOME=/home/alice', 'LANG=C']) });

test('process, user and ancestry fields', () => {
  feed('openat', 200, { fd: 3, dirfd: -100, name: '/etc/shadow', flags: 1 | (1 << 12) });
  assert.equal(out('%proc.name|%proc.exe|%proc.exepath|%proc.cmdline|%proc.args'), 'cat|cat|/usr/bin/cat|cat /etc/shadow -n|/etc/shadow -n');
  assert.equal(out('%proc.pid|%proc.ppid|%thread.tid|%proc.pname|%proc.pcmdline|%proc.pexepath'), '200|100|200|bash|bash|/bin/bash');
  assert.equal(out('%proc.aname[0]|%proc.aname[1]|%proc.aname[2]|%proc.aname[3]|%proc.apid[2]|%proc.aname'), 'cat|bash|sshd|<NA>|1|(bash,sshd)');
  assert.equal(out('%user.uid|%user.name|%user.homedir|%user.shell|%user.loginuid|%user.loginname|%group.gid|%group.name'), '1000|alice|/home/alice|/bin/zsh|1000|alice|1000|alice');
  assert.equal(out('%proc.tty|%proc.loginshellid|%proc.env[LANG]|%proc.env[NOPE]|%container.id|%container.image|%k8s.ns.name'), '34816|100|C|<NA>|host|<NA>|<NA>');
  assert.equal(out('%proc.is_container_healthcheck'), 'false');
  assert.equal(out('%proc.duration'), String(1_000_000 * 2), 'two events since the clone');
});

test('proc.aname and friends without an index match any ancestor, as Falco does', () => {
  feed('openat', 200, { fd: 3, dirfd: -100, name: '/etc/shadow', flags: 1 });
  const holds = (cond: string): boolean => compileCondition(parseCondition(cond), { source: syscallSource, macros: new Map(), lists: new Map() }).evaluate(tracker.event);
  assert.equal(holds('proc.aname = sshd'), true, 'the grandparent');
  assert.equal(holds('proc.aname = bash'), true, 'the parent');
  assert.equal(holds('proc.aname = cat'), false, 'the process itself is not its own ancestor');
  assert.equal(holds('proc.aname in (nginx, sshd)'), true);
  assert.equal(holds('proc.aname in (nginx, cron)'), false);
  assert.equal(holds('proc.aname startswith ss'), true);
  assert.equal(holds('proc.aname[2] = sshd and proc.aname[1] != sshd'), true);
  assert.equal(holds('proc.apid = 1'), true);
  assert.equal(holds('proc.aexepath endswith /sshd'), true);
  assert.equal(holds('proc.aname exists'), true);
  assert.equal(holds('not proc.aname = sshd'), false);
  assert.throws(() => holds('proc.aname = val(proc.name)'), /several values/);
});

test('evt and fd fields of an open', () => {
  const ev = feed('openat', 200, { fd: 4, dirfd: -100, name: '/etc/../etc/shadow', flags: 1 });
  assert.equal(out('%evt.type|%evt.dir|%evt.res|%evt.rawres|%evt.failed|%evt.category'), 'openat|<|SUCCESS|4|false|file');
  assert.equal(out('%evt.arg.name|%evt.arg[2]|%evt.arg.flags|%evt.rawarg.flags|%evt.arg.dirfd'), '/etc/../etc/shadow|/etc/../etc/shadow|O_RDONLY|1|AT_FDCWD');
  assert.equal(out('%evt.is_open_read|%evt.is_open_write|%evt.is_open_exec'), 'true|false|false');
  assert.equal(out('%fd.num|%fd.name|%fd.directory|%fd.filename|%fd.type|%fd.typechar'), '4|/etc/shadow|/etc|shadow|file|f');
  assert.equal(out('%evt.rawtime'), String(ev.view.ts));
  assert.match(out('%evt.time'), /^\d\d:\d\d:\d\d\.\d{9}$/);
  assert.match(out('%evt.time.iso8601'), /^2023-11-14T\d\d:\d\d:\d\d\.\d{9}Z$/);
  assert.match(out('%evt.args'), /^fd=4\(<f>\/etc\/shadow\) dirfd=-100\(AT_FDCWD\) name=\/etc\/..\/etc\/shadow flags=1\(O_RDONLY\) /);
  const failed = feed('openat', 200, { fd: -13, dirfd: -100, name: '/root/x', flags: 2 | 4, mode: 0o755 });
  assert.equal(out('%evt.res|%evt.failed|%evt.is_open_write|%evt.is_open_exec|%evt.arg.fd', failed), 'EACCES|true|true|true|EACCES');
});

test('path fields of directory fds and failed opens, as libs gives them; proc.cwd with its trailing slash', () => {
  const O_DIRECTORY = 1 << 10;
  feed('openat', 200, { fd: 10, dirfd: -100, name: '/var/log/', flags: 1 | O_DIRECTORY });
  // a directory fd is its own directory and has no file name
  assert.equal(out('%fd.name|%fd.directory|%fd.filename|%fd.type|%fd.typechar'), '/var/log|/var/log|<NA>|directory|d');
  feed('openat', 200, { fd: 11, dirfd: 10, name: 'syslog', flags: 1 });
  assert.equal(out('%fd.name|%fd.directory|%fd.filename|%fd.type'), '/var/log/syslog|/var/log|syslog|file');
  // a failed open has a name but no fd: no type, no file name, and its directory cut from the name even with O_DIRECTORY
  feed('openat', 200, { fd: -2, dirfd: -100, name: '/var/nope/', flags: 1 | O_DIRECTORY });
  assert.equal(out('%fd.name|%fd.directory|%fd.filename|%fd.type'), '/var/nope|/var|<NA>|<NA>');
  feed('open', 200, { fd: -2, name: '/var/nope/', flags: 1 });
  assert.equal(out('%fd.name|%fd.directory|%fd.filename|%fd.type'), '/var/nope/|/var/nope/|<NA>|<NA>', "a failed open's absolute path as given, and libs keeps a name ending in / whole");
  feed('openat', 200, { fd: -2, dirfd: 99, name: 'x', flags: 1 });
  assert.equal(out('%fd.name|%fd.directory'), '<UNKNOWN>x|/');
  feed('chdir', 200, { res: 0, path: '/srv//www/' });
  assert.equal(out('%proc.cwd'), '/srv/www/');
  // Falco's rules match the slash: `proc.cwd startswith /dev/shm/` (Execution from /dev/shm) after cd /dev/shm
  feed('chdir', 200, { res: 0, path: '/dev/shm' });
  const holds = (cond: string): boolean => compileCondition(parseCondition(cond), { source: syscallSource, macros: new Map(), lists: new Map() }).evaluate(tracker.event);
  assert.ok(holds('proc.cwd startswith /dev/shm/'));
});

test('relative path parameters read resolved in evt.arg and evt.args, as libs shows them', () => {
  feed('chdir', 200, { res: 0, path: '/srv/app' });
  feed('openat', 200, { fd: 12, dirfd: -100, name: '/usr/bin/', flags: 1 | (1 << 10) });
  feed('mkdir', 200, { res: 0, path: 'bin//x/', mode: 0o755 });
  assert.equal(out('%evt.arg.path|%evt.arg[1]|%evt.rawarg.path'), '/srv/app/bin/x|/srv/app/bin/x|bin//x/');
  assert.equal(out('%evt.args'), 'res=0 path=bin//x/(/srv/app/bin/x) mode=1ED');
  // relative to the dirfd before the path; an absolute path stays as given
  feed('unlinkat', 200, { res: 0, dirfd: 12, name: '../sbin/../bin/ls', flags: 0 });
  assert.equal(out('%evt.arg.name'), '/usr/bin/ls');
  const holds = (cond: string): boolean => compileCondition(parseCondition(cond), { source: syscallSource, macros: new Map(), lists: new Map() }).evaluate(tracker.event);
  assert.ok(holds('evt.arg.name pmatch (/usr/bin, /bin)'), "Falco's bin_dirs rules see the resolved path");
  feed('renameat', 200, { res: 0, olddirfd: -100, oldpath: 'a', newdirfd: 12, newpath: '/tmp/../b/' });
  assert.equal(out('%evt.arg.oldpath|%evt.arg.newpath'), '/srv/app/a|/tmp/../b/');
  feed('openat', 200, { fd: 13, dirfd: -100, name: '../x/', flags: 1 });
  assert.equal(out('%evt.arg.name|%fd.name|%fd.nameraw'), '/srv/x|/srv/x|../x/');
  assert.ok(!holds('evt.arg.name contains "../"'), 'a relative traversal reads resolved, as in Falco');
  // strings that are not paths stay as they are
  feed('symlinkat', 200, { res: 0, target: '../t', linkdirfd: -100, linkpath: 'l' });
  assert.equal(out('%evt.arg.target|%evt.arg.linkpath'), '../t|/srv/app/l');
  feed('chdir', 200, { res: 0, path: 'sub' });
  assert.equal(out('%evt.arg.path'), 'sub', "chdir's path is not a path parameter in libs' table");
});

test('socket fields from connect and accept', () => {
  feed('socket', 200, { fd: 5, domain: 2, type: 1, proto: 0 });
  feed('connect', 200, { res: 0, tuple: tuple4('10.1.2.3', 40000, '93.184.216.34', 443), fd: 5 });
  assert.equal(out('%fd.name|%fd.type|%fd.l4proto|%fd.sockfamily|%fd.is_server'), '10.1.2.3:40000->93.184.216.34:443|ipv4|tcp|ip|false');
  assert.equal(out('%fd.cip|%fd.sip|%fd.lip|%fd.rip|%fd.cport|%fd.sport|%fd.lport|%fd.rport|%fd.cip.name'), '10.1.2.3|93.184.216.34|10.1.2.3|93.184.216.34|40000|443|40000|443|<NA>');
  feed('accept', 200, { fd: 6, tuple: tuple4('192.168.0.9', 5000, '10.1.2.3', 22) });
  assert.equal(out('%fd.is_server|%fd.lip|%fd.rip|%fd.lport|%fd.rport'), 'true|10.1.2.3|192.168.0.9|22|5000');
});

test('conditions compile and evaluate with Falco forms', () => {
  const engine = new Engine([syscallSource]);
  const file = path.join(dir, 'rules.yaml');
  fs.writeFileSync(file, `
- list: shells
  items: [bash, sh]
- rule: shadow read
  desc: d
  condition: evt.type in (open, openat) and evt.dir = < and evt.is_open_read = true and fd.name = /etc/shadow and proc.pname in (shells) and user.uid != 0 and fd.num >= 0
  output: "%proc.name %fd.name"
  priority: WARNING
- rule: outbound https
  desc: d
  condition: evt.type = connect and fd.sip in (93.184.216.0/24) and fd.sport = 443 and not fd.net = 10.0.0.0/8
  output: "%fd.name"
  priority: NOTICE
`);
  const res = engine.loadRulesFiles([file]);
  assert.deepEqual(res.errors.map((e) => e.format()), []);
  const rs = engine.ruleset<ReturnType<typeof tracker.apply>>('syscall');
  const hit = (): string[] => {
    const names: string[] = [];
    rs.match(tracker.event, 'all', (r) => names.push(r.name));
    return names;
  };
  feed('openat', 200, { fd: 7, dirfd: -100, name: '/etc/shadow', flags: 1 });
  assert.deepEqual(hit(), ['shadow read']);
  feed('openat', 200, { fd: 8, dirfd: -100, name: '/etc/hosts', flags: 1 });
  assert.deepEqual(hit(), []);
  feed('socket', 200, { fd: 9, domain: 2, type: 1, proto: 0 });
  feed('connect', 200, { res: 0, tuple: tuple4('172.16.0.1', 40001, '93.184.216.34', 443), fd: 9 });
  assert.deepEqual(hit(), ['outbound https']);
  const types = rs.eventTypes();
  assert.ok(types !== 'all' && types.has('openat') && types.has('connect') && !types.has('execve'));
});

test('every probe event type is an evt.type value, and bad arguments are refused at bind', () => {
  assert.deepEqual([...syscallSource.eventTypes!], EVENT_TYPE_NAMES);
  assert.ok(EVENT_TYPE_NAMES.includes('execve') && EVENT_TYPE_NAMES.includes('procexit'));
  const names = new Set(syscallSource.fields.map((f) => f.name));
  for (const f of ['evt.type', 'proc.aname', 'fd.net', 'container.id', 'user.loginname', 'k8s.pod.name', 'proc.is_exe_writable']) assert.ok(names.has(f), f);
  assert.equal(names.size, syscallSource.fields.length, 'no field is defined twice');
  assert.throws(() => syscallSource.fields.find((f) => f.name === 'proc.name')!.bind('x'), /takes no argument/);
  assert.throws(() => syscallSource.fields.find((f) => f.name === 'evt.arg')!.bind(undefined), /requires an argument/);
  assert.throws(() => syscallSource.fields.find((f) => f.name === 'proc.aname')!.bind('-1'), /non-negative index/);
});

test('evt.arg is made once per event and parameter, and never carried to the next event', () => {
  const holds = (cond: string): boolean => compileCondition(parseCondition(cond), { source: syscallSource, macros: new Map(), lists: new Map() }).evaluate(tracker.event);
  feed('openat', 200, { fd: 5, dirfd: -100, name: '/tmp/../etc/a', flags: 2 | (1 << 2) });
  // the tracker's decoded name stands for evt.arg.name; fd.name is the normalized path
  assert.equal(out('%evt.arg.name|%fd.name|%fd.directory|%evt.arg.flags|%evt.arg.flags'), '/tmp/../etc/a|/etc/a|/etc|O_CREAT|O_WRONLY|O_CREAT|O_WRONLY');
  assert.ok(holds('evt.arg.name contains "../" and evt.arg.flags contains O_CREAT'));
  // same reused SyscallEvent, next event: the texts are this event's
  feed('openat', 200, { fd: 6, dirfd: -100, name: '/var/log/b', flags: 1 });
  assert.equal(out('%evt.arg.name|%fd.directory|%evt.arg.flags|%evt.arg[0]'), '/var/log/b|/var/log|O_RDONLY|<f>/var/log/b');
  assert.ok(!holds('evt.arg.name contains "../"'));
  assert.ok(!holds('evt.arg.flags contains O_CREAT'));
  // an event the tracker primes nothing for still gets its own text, not the open's
  feed('close', 200, { res: 0, fd: 6 });
  assert.equal(out('%evt.arg.fd|%evt.arg.name|%fd.name'), '<f>/var/log/b|<NA>|/var/log/b');
  feed('openat', 200, { fd: 7, dirfd: -100, name: '/x', flags: 1 | (1 << 12) });
  assert.equal(out('%evt.arg.name|%fd.directory|%fd.filename|%evt.arg.flags'), '/x|/|x|O_RDONLY|O_CLOEXEC');
});

test('evt.is_open_* read the open flags of open-family events only; creat counts as a write', () => {
  const holds = (cond: string): boolean => compileCondition(parseCondition(cond), { source: syscallSource, macros: new Map(), lists: new Map() }).evaluate(tracker.event);
  feed('openat', 200, { fd: 8, dirfd: -100, name: '/etc/f', flags: 3 | (1 << 2), mode: 0o755 });
  assert.ok(holds('evt.is_open_read = true and evt.is_open_write = true and evt.is_open_exec = true'));
  feed('creat', 200, { fd: 9, name: '/tmp/c', mode: 0o644 });
  assert.ok(holds('evt.is_open_write = true and evt.is_open_read = false and evt.is_open_exec = false'));
  feed('close', 200, { res: 0, fd: 9 });
  assert.ok(holds('evt.is_open_write = false and evt.is_open_read = false'));
});
