// The live agent end to end, as root: the real CLI with syscall capture, a
// small rules file, actions from child processes, and the alerts it prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { liveSkipReason } from './sources/syscall/liveSupport';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'src/cli.ts');
const skip = liveSkipReason();
if (skip) process.stderr.write(`\n*** live agent tests SKIPPED: ${skip} ***\n\n`);

// Where the probe can run, a missing addon is a failed build, not a reason to skip.
test('the addon is built', { skip }, () => {
  assert.ok(fs.existsSync(path.join(ROOT, 'build/Release/vigil_addon.node')), 'build/Release/vigil_addon.node is missing: scripts/setup-native.sh failed');
});

interface Agent {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startAgent(args: string[]): Agent {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitFor(what: string, check: () => boolean, ms = 30000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(a: Agent): Promise<number | null> {
  a.child.kill('SIGINT');
  return a.exited;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-live-'));
const rules = path.join(tmp, 'rules.yaml');
fs.writeFileSync(rules, `
- rule: Test open below tmpdir
  desc: an open of a file below the test's temp dir
  condition: evt.type in (open, openat) and fd.name startswith ${tmp}/data
  output: "opened %fd.name by %proc.name (parent %proc.pname user %user.name cmd %proc.cmdline)"
  priority: WARNING
`);
// readable by the unprivileged run of the last test
fs.chmodSync(tmp, 0o755);
fs.chmodSync(rules, 0o644);
const myComm = fs.readFileSync('/proc/self/comm', 'utf8').trim();

test('an open from a child process raises the rule with process, fd and user fields', { skip }, async () => {
  const a = startAgent(['-r', rules, '-o', 'json_output=true', '--disable-source', 'k8s_audit']);
  try {
    await waitFor('capture to start', () => /syscall: capturing/.test(a.stderr()) || a.child.exitCode !== null);
    assert.match(a.stderr(), /syscall: capturing/, a.stderr());
    const target = path.join(tmp, 'data.txt');
    fs.writeFileSync(target, 'x');
    const r = spawnSync('cat', [target]);
    assert.equal(r.status, 0);
    await waitFor('the alert', () => a.stdout().includes('"rule":"Test open below tmpdir"'));
  } finally {
    await stop(a);
  }
  const alerts = a.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const mine = alerts.find((x) => x.output_fields['proc.name'] === 'cat');
  assert.ok(mine, `an alert for cat among ${a.stdout()}`);
  assert.equal(mine.rule, 'Test open below tmpdir');
  assert.equal(mine.priority, 'Warning');
  assert.equal(mine.source, 'syscall');
  assert.equal(mine.output_fields['fd.name'], path.join(tmp, 'data.txt'));
  assert.equal(mine.output_fields['user.name'], 'root');
  assert.equal(mine.output_fields['proc.pname'], myComm);
  assert.equal(mine.output_fields['proc.cmdline'], `cat ${path.join(tmp, 'data.txt')}`);
});

test('--dump-events prints an execve with its arguments', { skip }, async () => {
  const a = startAgent(['-r', rules, '--disable-source', 'k8s_audit', '--dump-events']);
  const marker = `vigil-marker-${process.pid}`;
  try {
    await waitFor('capture to start', () => /syscall: capturing/.test(a.stderr()) || a.child.exitCode !== null);
    spawnSync('/bin/echo', [marker, 'second']);
    await waitFor('the execve line', () => a.stdout().includes(marker));
  } finally {
    await stop(a);
  }
  const line = a.stdout().split('\n').find((l) => l.includes(marker) && / execve /.test(l));
  assert.ok(line, 'an execve line names the marker');
  // as libs prints a data buffer: every NUL a dot
  assert.match(line!, /^\d+ \d\d:\d\d:\d\d\.\d{9} - echo \(\d+\) < execve res=0 exe=\/bin\/echo args=vigil-marker-\d+\.second\. /);
});

test('--disable-source syscall still runs the k8s audit webserver', { skip }, async () => {
  const a = startAgent(['-r', rules, '--disable-source', 'syscall', '-o', 'webserver.listen_port=0', '-o', 'webserver.listen_address=127.0.0.1']);
  try {
    await waitFor('the webserver', () => /webserver listening/.test(a.stderr()) || a.child.exitCode !== null);
  } finally {
    await stop(a);
  }
  assert.match(a.stderr(), /k8s_audit: webserver listening on 127\.0\.0\.1:\d+/);
  assert.doesNotMatch(a.stderr(), /syscall:/);
});

test('a capture that cannot start is reported and the webserver goes on', { skip: skip ?? (spawnSync('setpriv', ['--help']).status !== 0 ? 'no setpriv' : undefined) }, async () => {
  // as nobody, the probe cannot load: the agent says why and how to skip it
  const child = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', CLI, '-r', rules,
    '-o', 'webserver.listen_port=0', '-o', 'webserver.listen_address=127.0.0.1', '-M', '2'], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
  assert.match(child.stderr, /k8s_audit: webserver listening/);
  assert.match(child.stderr, /syscall: capture could not start: .*--disable-source syscall/);
});

test('SIGHUP reloads the rules and the probe captures what the new rules need; broken rules keep the old ones', { skip }, async () => {
  const file = path.join(tmp, 'reload.yaml');
  const marker = path.join(tmp, 'reload-marker');
  const chmodRule = `
- rule: Test chmod of the reload marker
  desc: a chmod of the test's marker file
  condition: evt.type in (chmod, fchmodat) and evt.arg.filename = ${marker}
  output: "chmod %evt.arg.filename by %proc.name"
  priority: NOTICE
`;
  fs.writeFileSync(file, fs.readFileSync(rules, 'utf8'));
  fs.writeFileSync(marker, 'x');
  const a = startAgent(['-r', file, '-v', '-o', 'json_output=true', '--disable-source', 'k8s_audit']);
  try {
    // -v lists the syscalls on the line after "capturing", written on its own: wait for both lines
    await waitFor('capture to start', () => /syscall: capturing[^\n]*\nsyscall: [a-z0-9_, ]+\n/.test(a.stderr()) || a.child.exitCode !== null);
    const first = /syscall: capturing[^\n]*\nsyscall: ([a-z0-9_, ]+)\n/.exec(a.stderr());
    assert.ok(first && !first[1].split(', ').includes('fchmodat'), a.stderr());

    // a broken file: reported, and the rules loaded before stay in effect
    fs.writeFileSync(file, '- rule: broken\n  condition: evt.type = chmod and\n');
    a.child.kill('SIGHUP');
    await waitFor('the failed reload', () => /rules reload failed/.test(a.stderr()));

    fs.writeFileSync(file, chmodRule);
    a.child.kill('SIGHUP');
    await waitFor('the reload', () => /syscall: now capturing[^\n]*\nsyscall: [a-z0-9_, ]+\n/.test(a.stderr()));
    const now = /syscall: now capturing[^\n]*\nsyscall: ([a-z0-9_, ]+)\n/.exec(a.stderr());
    assert.ok(now && now[1].split(', ').includes('fchmodat'), a.stderr());
    assert.equal(spawnSync('chmod', ['600', marker]).status, 0);
    await waitFor('the chmod alert', () => a.stdout().includes('"rule":"Test chmod of the reload marker"'));
  } finally {
    await stop(a);
  }
  assert.match(a.stderr(), /rules reloaded: 1 enabled rule/);
});

test('-M longer than a 32-bit millisecond timer (~24.8 days) does not stop the agent at once', async () => {
  const a = startAgent(['-r', rules, '--disable-source', 'syscall', '-M', '3000000', '-o', 'webserver.listen_port=0', '-o', 'webserver.listen_address=127.0.0.1']);
  try {
    await waitFor('the webserver', () => /webserver listening/.test(a.stderr()) || a.child.exitCode !== null);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(a.child.exitCode, null, `the agent stopped early:\n${a.stderr()}`);
  } finally {
    await stop(a);
  }
  assert.match(a.stdout(), /Events detected: 0/);
});

test('syscall_event_drops: with a one-page ring (VIGIL_SYSCALL_RING_BYTES) a flood of opens makes the probe drop, and the log and alert actions fire', { skip }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '-r', rules, '-o', 'json_output=true', '--disable-source', 'k8s_audit', '-o', 'syscall_event_drops.actions=[log,alert]', '-o', 'syscall_event_drops.threshold=0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VIGIL_SYSCALL_RING_BYTES: '4096' },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const a: Agent = { child, stdout: () => out, stderr: () => err, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  const floods: ChildProcess[] = [];
  try {
    await waitFor('capture to start', () => /syscall: capturing/.test(a.stderr()) || a.child.exitCode !== null);
    assert.match(a.stderr(), /syscall: capturing/, a.stderr());
    // opens faster than the agent can drain 4 KiB of ring between wake-ups
    const flood = 'import os\nfor _ in range(300000): os.close(os.open("/etc/hostname", os.O_RDONLY))';
    for (let i = 0; i < 2; i++) floods.push(spawn('/usr/bin/python3', ['-c', flood], { stdio: 'ignore' }));
    await waitFor('the drop action lines', () => /syscall event\(s\) dropped by the probe in the last second/.test(a.stderr()) && a.stdout().includes('Falco internal: syscall event drop'), 60_000);
  } finally {
    for (const f of floods) f.kill();
    await stop(a);
  }
  assert.match(a.stderr(), /syscall: \d+ syscall event\(s\) dropped by the probe in the last second \(\d+\.\d\d% of \d+; ring buffer full\)/);
  const alert = a.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((x) => x.rule === 'Falco internal: syscall event drop');
  assert.ok(alert, a.stdout());
  assert.equal(alert.priority, 'Critical');
  assert.ok(alert.output_fields.n_drops > 0, JSON.stringify(alert));
  assert.ok(alert.output_fields.n_evts >= alert.output_fields.n_drops, JSON.stringify(alert));
});

test('VIGIL_SYSCALL_RING_BYTES that is not a power of two stops the start, naming the variable', { skip }, async () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, '-r', rules, '--disable-source', 'k8s_audit'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, VIGIL_SYSCALL_RING_BYTES: '5000' }, timeout: 60_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /VIGIL_SYSCALL_RING_BYTES: ringBytes must be a power of two/);
});
