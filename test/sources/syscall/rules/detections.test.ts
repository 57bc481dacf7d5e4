// Live detection tests (root, BTF): the agent runs the default rules plus
// test-only overrides (test/rules/syscall/detection_overrides.yaml); each
// triggering action runs in a child process on throwaway paths, and its
// alert is checked for rule name, priority and key output fields. Actions
// that need a container run in a cgroup named like a docker container's.
// Benign actions must raise nothing. A second agent with an open-only rule
// shows that syscalls no rule needs never reach user space.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { liveSkipReason } from '../liveSupport';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const ADDON = path.join(ROOT, 'build/Release/vigil_addon.node');
const DIR = '/tmp/vigil-rules-test';
const TRIG = path.join(DIR, 'vigil-trig');
const OVL = path.join(DIR, 'overlay');
const CONTAINER_ID = 'c0ffee00decaf'.padEnd(64, '0');
const SHORT_ID = CONTAINER_ID.slice(0, 12);
const K8S_PORT = 16443;
const SSH_PORT = 10022;
const DUP_PORT = 10023;

const skip = liveSkipReason();
if (skip) process.stderr.write(`\n*** SKIPPING live detection tests: ${skip} ***\n\n`);

interface Alert {
  rule: string;
  priority: string;
  output: string;
  output_fields: Record<string, unknown>;
}

/** cgroup directories standing in for a docker container's (v2 unified, or the v1 pids/memory hierarchies) */
function cgroupDirs(): string[] {
  const base = '/sys/fs/cgroup';
  const leaf = `vigiltest.slice/docker-${CONTAINER_ID}.scope`;
  if (fs.existsSync(path.join(base, 'cgroup.controllers'))) return [path.join(base, leaf)];
  return ['pids', 'memory', 'unified'].filter((h) => fs.existsSync(path.join(base, h, 'cgroup.procs'))).map((h) => path.join(base, h, leaf));
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 10_000 }, () => resolve());
  });
}

/** runs cmd inside the fake container: the shell joins its cgroups, then execs cmd */
function inContainer(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  const join = cgroupDirs().map((d) => `echo $$ > ${d}/cgroup.procs`).join('; ');
  return run('/bin/sh', ['-c', `${join}; exec "$@"`, 'sh', cmd, ...args], env);
}

function listen(port: number): net.Server {
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.end();
  });
  server.listen(port, '127.0.0.1');
  return server;
}

function startAgent(rules: string[], extra: string[] = []): { child: ChildProcess; ready: Promise<void>; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [CLI, ...rules.flatMap((r) => ['-r', r]), '-o', 'json_output=true', '--disable-source', 'k8s_audit', '-v', ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/syscall: capturing/.test(err)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`agent exited (${code}) before capturing:\n${err}`)));
    setTimeout(() => reject(new Error(`agent not capturing after 30 s:\n${err}`)), 30_000).unref();
  });
  return { child, ready, stdout: () => out, stderr: () => err };
}

function stopAgent(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let alerts: Alert[] = [];
let agentErr = '';
const servers: net.Server[] = [];

before(async () => {
  if (skip) return;
  assert.ok(fs.existsSync(CLI), 'dist/cli.js is built');
  assert.ok(fs.existsSync(ADDON), 'the native addon is built (scripts/setup-native.sh)');
  fs.rmSync(DIR, { recursive: true, force: true });
  for (const d of ['bin', 'rpm', 'mnt', 'keys']) fs.mkdirSync(path.join(DIR, d), { recursive: true });
  execFileSync('cc', ['-O2', '-o', TRIG, path.join(__dirname, 'triggers.c')]);
  for (const name of ['nc', 'nmap', 'apt-get']) fs.copyFileSync(TRIG, path.join(DIR, name));
  for (const name of ['nc', 'nmap', 'apt-get']) fs.chmodSync(path.join(DIR, name), 0o755);
  fs.copyFileSync('/bin/bash', path.join(DIR, 'vigil-server'));
  fs.copyFileSync('/bin/bash', path.join(DIR, 'vigil-trusted'));
  fs.chmodSync(path.join(DIR, 'vigil-server'), 0o755);
  fs.chmodSync(path.join(DIR, 'vigil-trusted'), 0o755);
  fs.writeFileSync(path.join(DIR, 'secret.txt'), 'not a secret\n');
  fs.writeFileSync(path.join(DIR, '.bash_history'), 'ls\n');
  fs.writeFileSync(path.join(DIR, 'benign.txt'), 'hello\n');
  for (const d of cgroupDirs()) fs.mkdirSync(d, { recursive: true });
  // a container root filesystem as runtimes build it: an overlay whose upper layer takes new files
  for (const d of ['lower', 'upper', 'work', 'merged']) fs.mkdirSync(path.join(OVL, d), { recursive: true });
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${OVL}/lower,upperdir=${OVL}/upper,workdir=${OVL}/work`, `${OVL}/merged`]);
  servers.push(listen(K8S_PORT), listen(SSH_PORT), listen(DUP_PORT));

  const agent = startAgent([path.join(ROOT, 'rules/falco_rules.yaml'), path.join(ROOT, 'test/rules/syscall/detection_overrides.yaml')]);
  await agent.ready;
  const pid = process.pid;
  const shmExe = `/dev/shm/vigil-rules-test-${pid}`;
  fs.copyFileSync(TRIG, shmExe);
  fs.chmodSync(shmExe, 0o755);

  // host actions
  await run('cat', ['/etc/shadow']);
  await run('ln', ['-s', '/etc/shadow', path.join(DIR, 'shadow-link')]);
  await run('ln', ['/etc/shadow', path.join(DIR, 'shadow-hardlink')]);
  await run('touch', [`/etc/vigil-rules-test-${pid}`]);
  await run('touch', [`/vigil-rules-test-${pid}`]);
  await run('touch', [path.join(DIR, 'bin/dropped')]);
  await run('mv', [path.join(DIR, 'bin/dropped'), path.join(DIR, 'bin/renamed')]);
  await run('mkdir', [path.join(DIR, 'bin/newdir')]);
  await run('touch', [path.join(DIR, 'rpm/Packages')]);
  await run('touch', [`/dev/vigil-rules-test-${pid}`]);
  await run('nsenter', ['--net=/proc/self/ns/net', TRIG]);
  await run('setpriv', ['--reuid=0', '--regid=0', '--clear-groups', TRIG]);
  await run('/bin/sh', ['-c', `: > /var/log/vigil-rules-test-${pid}.log; sleep 0.2`]);
  await run('shred', ['-u', path.join(DIR, 'secret.txt')]);
  await run('rm', [path.join(DIR, '.bash_history')]);
  await run('grep', ['-r', 'BEGIN RSA PRIVATE', path.join(DIR, 'keys')]);
  await run('cat', [`${DIR}/../../etc/passwd`]);
  await run(TRIG, ['finit_module']);
  await run(TRIG, ['ptrace']);
  await run(TRIG, ['memfd', TRIG]);
  await run(shmExe, []);
  await run(TRIG, ['bpf']);
  await run(TRIG, ['connect', String(SSH_PORT)]);
  await run(path.join(DIR, 'vigil-server'), ['-c', 'sh -c "sleep 0.2"; true']);
  await run(path.join(DIR, 'vigil-trusted'), ['-c', 'sleep 0.5; read -r x < /etc/shadow; sleep 0.2']);

  // container actions
  await inContainer('script', ['-qec', 'sleep 1; true', '/dev/null'], { ...process.env, SHELL: '/bin/sh' });
  await inContainer(path.join(DIR, 'nc'), ['-e', '/bin/sh', '127.0.0.1', '9']);
  await inContainer(path.join(DIR, 'nmap'), ['-sS', '127.0.0.1']);
  await inContainer(TRIG, ['packet']);
  await inContainer(TRIG, ['connect', String(K8S_PORT)]);
  await inContainer(TRIG, ['dupsock', String(DUP_PORT)]);
  await inContainer(path.join(DIR, 'apt-get'), ['install', 'x']);
  fs.copyFileSync(TRIG, path.join(OVL, 'merged/dropped-implant'));
  fs.chmodSync(path.join(OVL, 'merged/dropped-implant'), 0o755);
  await inContainer(path.join(OVL, 'merged/dropped-implant'), []);

  // benign actions: every command line names "benign"
  await run('cat', [path.join(DIR, 'benign.txt')]);
  await run('ls', ['-l', path.join(DIR, 'benign.txt')]);
  await run('touch', [path.join(DIR, 'benign.txt')]);
  await run('grep', ['hello', path.join(DIR, 'benign.txt')]);
  await run('/bin/sh', ['-c', `cat ${DIR}/benign.txt > /dev/null`]);
  await run('cp', [path.join(DIR, 'benign.txt'), path.join(DIR, 'benign2.txt')]);
  await run('rm', [path.join(DIR, 'benign2.txt')]);

  await sleep(1500);
  await stopAgent(agent.child);
  agentErr = agent.stderr();
  alerts = agent
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Alert);

  for (const f of [`/etc/vigil-rules-test-${pid}`, `/vigil-rules-test-${pid}`, `/dev/vigil-rules-test-${pid}`, `/var/log/vigil-rules-test-${pid}.log`, shmExe]) {
    fs.rmSync(f, { force: true });
  }
});

after(async () => {
  for (const s of servers) s.close();
  try {
    execFileSync('umount', [path.join(OVL, 'merged')], { stdio: 'ignore' });
  } catch {
    // not mounted: before() failed earlier
  }
  for (const d of cgroupDirs()) {
    try {
      fs.rmdirSync(d);
      fs.rmdirSync(path.dirname(d));
    } catch {
      // a process still inside keeps the cgroup; it is empty and harmless
    }
  }
  fs.rmSync(DIR, { recursive: true, force: true });
});

function alertFor(rule: string, match: (a: Alert) => boolean): Alert {
  const found = alerts.filter((a) => a.rule === rule);
  const hit = found.find(match);
  assert.ok(hit, `no '${rule}' alert matching; got ${found.length} of that rule:\n${found.map((a) => a.output).join('\n')}\nall rules: ${[...new Set(alerts.map((a) => a.rule))].join(', ')}\n${agentErr}`);
  return hit;
}

const f = (a: Alert, name: string): unknown => a.output_fields[name];
const cmd = (text: string) => (a: Alert): boolean => String(f(a, 'proc.cmdline')).includes(text);

interface Case {
  rule: string;
  priority: string;
  match: (a: Alert) => boolean;
  fields: Record<string, unknown>;
  container?: boolean;
  /** a known gap outside the rules, reported rather than hidden */
  todo?: string;
}

const pid = process.pid;
const CASES: Case[] = [
  { rule: 'Read sensitive file untrusted', priority: 'Warning', match: cmd('cat /etc/shadow'), fields: { 'proc.name': 'cat', 'proc.pname': 'node', 'fd.name': '/etc/shadow', 'user.name': 'root' } },
  { rule: 'Create Symlink Over Sensitive Files', priority: 'Warning', match: cmd('shadow-link'), fields: { 'proc.name': 'ln', 'proc.pname': 'node', 'evt.arg.target': '/etc/shadow', 'user.name': 'root' } },
  { rule: 'Create Hardlink Over Sensitive Files', priority: 'Warning', match: cmd('shadow-hardlink'), fields: { 'proc.name': 'ln', 'evt.arg.oldpath': '/etc/shadow' } },
  { rule: 'Write below etc', priority: 'Error', match: cmd(`/etc/vigil-rules-test-${pid}`), fields: { 'proc.name': 'touch', 'proc.pname': 'node', 'fd.name': `/etc/vigil-rules-test-${pid}`, 'user.name': 'root' } },
  { rule: 'Write below root', priority: 'Error', match: cmd(`/vigil-rules-test-${pid}`), fields: { 'proc.name': 'touch', 'fd.name': `/vigil-rules-test-${pid}` } },
  { rule: 'Write below binary dir', priority: 'Error', match: cmd('bin/dropped'), fields: { 'proc.name': 'touch', 'fd.name': `${DIR}/bin/dropped` } },
  { rule: 'Modify binary dirs', priority: 'Error', match: cmd('bin/renamed'), fields: { 'proc.name': 'mv', 'evt.arg.oldpath': `${DIR}/bin/dropped` } },
  { rule: 'Mkdir binary dirs', priority: 'Error', match: cmd('bin/newdir'), fields: { 'proc.name': 'mkdir', 'evt.arg.path': `${DIR}/bin/newdir` } },
  { rule: 'Write below rpm database', priority: 'Error', match: cmd('rpm/Packages'), fields: { 'proc.name': 'touch', 'fd.name': `${DIR}/rpm/Packages` } },
  { rule: 'Create files below dev', priority: 'Error', match: cmd(`/dev/vigil-rules-test-${pid}`), fields: { 'proc.name': 'touch', 'fd.name': `/dev/vigil-rules-test-${pid}` } },
  { rule: 'Change thread namespace', priority: 'Notice', match: cmd('nsenter'), fields: { 'proc.name': 'nsenter', 'proc.pname': 'node', 'user.name': 'root' } },
  { rule: 'Non sudo setuid', priority: 'Notice', match: cmd('setpriv'), fields: { 'proc.name': 'setpriv', 'proc.pname': 'node' } },
  { rule: 'Clear Log Activities', priority: 'Warning', match: (a) => f(a, 'fd.name') === `/var/log/vigil-rules-test-${pid}.log`, fields: { 'proc.name': 'sh', 'proc.pname': 'node' } },
  { rule: 'Remove Bulk Data from Disk', priority: 'Warning', match: cmd('secret.txt'), fields: { 'proc.name': 'shred', 'proc.pname': 'node', 'user.name': 'root' } },
  { rule: 'Delete or rename shell history', priority: 'Warning', match: cmd('.bash_history'), fields: { 'proc.name': 'rm', 'proc.pname': 'node' } },
  { rule: 'Search Private Keys or Passwords', priority: 'Warning', match: cmd('BEGIN RSA PRIVATE'), fields: { 'proc.name': 'grep', 'proc.pname': 'node' } },
  { rule: 'Directory traversal monitored file read', priority: 'Warning', match: (a) => f(a, 'fd.name') === '/etc/passwd', fields: { 'proc.name': 'cat', 'evt.arg.name': `${DIR}/../../etc/passwd` } },
  { rule: 'Linux Kernel Module Injection Detected', priority: 'Warning', match: cmd('finit_module'), fields: { 'proc.name': 'vigil-trig', 'proc.pname': 'node' } },
  { rule: 'PTRACE attached to process', priority: 'Warning', match: cmd('ptrace'), fields: { 'proc.name': 'vigil-trig', 'evt.arg.request': 'PTRACE_ATTACH' } },
  { rule: 'Fileless execution via memfd_create', priority: 'Critical', match: (a) => String(f(a, 'proc.exepath')).startsWith('/memfd:vigil-test'), fields: { 'proc.pname': 'node' } },
  { rule: 'Execution from /dev/shm', priority: 'Warning', match: (a) => f(a, 'proc.exepath') === `/dev/shm/vigil-rules-test-${pid}`, fields: { 'proc.pname': 'node', 'user.name': 'root' } },
  { rule: 'BPF Program Not Profiled', priority: 'Notice', match: cmd('vigil-trig bpf'), fields: { 'proc.name': 'vigil-trig', 'evt.arg.cmd': 'BPF_PROG_LOAD' } },
  { rule: 'Disallowed SSH Connection', priority: 'Notice', match: (a) => String(f(a, 'fd.name')).endsWith(`->127.0.0.1:${SSH_PORT}`), fields: { 'proc.name': 'vigil-trig' } },
  { rule: 'Run shell untrusted', priority: 'Notice', match: (a) => f(a, 'proc.pname') === 'vigil-server', fields: { 'proc.name': 'sh', 'proc.aname[2]': 'node' } },
  { rule: 'Read sensitive file trusted after startup', priority: 'Warning', match: (a) => f(a, 'proc.name') === 'vigil-trusted', fields: { 'fd.name': '/etc/shadow', 'proc.pname': 'node' } },
  { rule: 'Terminal shell in container', priority: 'Notice', match: (a) => f(a, 'proc.pname') === 'script', fields: { 'proc.name': 'sh', 'container.id': SHORT_ID }, container: true },
  { rule: 'Netcat Remote Code Execution in Container', priority: 'Warning', match: cmd('nc -e'), fields: { 'proc.name': 'nc', 'container.id': SHORT_ID }, container: true },
  { rule: 'Launch Suspicious Network Tool in Container', priority: 'Notice', match: cmd('nmap'), fields: { 'proc.name': 'nmap', 'container.id': SHORT_ID }, container: true },
  { rule: 'Packet socket created in container', priority: 'Notice', match: cmd('vigil-trig packet'), fields: { 'proc.name': 'vigil-trig', 'container.id': SHORT_ID }, container: true },
  { rule: 'Contact K8S API Server From Container', priority: 'Notice', match: (a) => String(f(a, 'fd.name')).endsWith(`->127.0.0.1:${K8S_PORT}`), fields: { 'proc.name': 'vigil-trig', 'container.id': SHORT_ID }, container: true },
  { rule: 'Redirect STDOUT/STDIN to Network Connection in Container', priority: 'Notice', match: cmd('dupsock'), fields: { 'proc.name': 'vigil-trig', 'evt.rawres': 1, 'container.id': SHORT_ID }, container: true },
  { rule: 'Drop and execute new binary in container', priority: 'Critical', match: (a) => String(f(a, 'proc.exepath')).endsWith('/merged/dropped-implant'), fields: { 'proc.name': 'dropped-implant', 'container.id': SHORT_ID }, container: true },
  { rule: 'Launch Package Management Process in Container', priority: 'Error', match: cmd('apt-get install'), fields: { 'proc.name': 'apt-get', 'container.id': SHORT_ID }, container: true },
];

for (const c of CASES) {
  test(`detects: ${c.rule}`, { skip, todo: c.todo }, () => {
    const a = alertFor(c.rule, c.match);
    assert.equal(a.priority, c.priority, a.output);
    for (const [k, v] of Object.entries(c.fields)) assert.equal(f(a, k), v, `${k} in ${a.output}`);
    if (!c.container) assert.equal(f(a, 'container.id'), 'host', a.output);
    // the process tree is in every alert
    assert.ok('proc.aname[2]' in a.output_fields, a.output);
  });
}

test('benign actions raise nothing', { skip }, () => {
  const noisy = alerts.filter((a) => String(f(a, 'proc.cmdline')).includes('benign') || String(f(a, 'fd.name')).includes('benign'));
  assert.deepEqual(noisy.map((a) => `${a.rule}: ${a.output}`), []);
});

test('with an open-only rule, a storm of connect calls never reaches user space', { skip }, async () => {
  // every event that reaches user space is dumped: the storm's connects must not be among them
  const agent = startAgent([path.join(ROOT, 'test/rules/syscall/open_only.yaml')], ['--dump-events']);
  await agent.ready;
  // -v prints the captured syscalls on the line after "capturing"
  for (let i = 0; i < 50 && !/syscall: capturing[^\n]*\nsyscall: [a-z]/.test(agent.stderr()); i++) await sleep(100);
  const captured = /syscall: ([a-z0-9_, ]+)\n/.exec(agent.stderr().split('syscall: capturing')[1] ?? '');
  assert.ok(captured, agent.stderr());
  const names = captured[1].split(', ');
  assert.ok(names.includes('openat') && !names.includes('connect') && !names.includes('socket'), captured[1]);
  const storm = 50_000;
  await run(TRIG, ['connectstorm', String(storm)]);
  await run('cat', [path.join(DIR, 'storm-marker')]);
  fs.writeFileSync(path.join(DIR, 'storm-marker'), 'x');
  await run('cat', [path.join(DIR, 'storm-marker')]);
  await sleep(1000);
  await stopAgent(agent.child);
  const m = /syscall: (\d+) events evaluated, (\d+) seen by the probe, (\d+) dropped/.exec(agent.stderr());
  assert.ok(m, agent.stderr());
  const seen = Number(m[2]);
  assert.equal(Number(m[3]), 0, 'no drops');
  // what the probe saw besides is the machine's other activity, which on a shared machine can be more than the storm
  const dumped = agent.stdout().split('\n').filter((l) => / \(\d+\) [<>] [a-z_0-9]+/.test(l));
  assert.ok(dumped.some((l) => / [<>] openat .*storm-marker/.test(l)), `the marker's open is not among the ${dumped.length} events dumped`);
  const connects = dumped.filter((l) => / \(\d+\) [<>] connect( |$)/.test(l));
  assert.deepEqual(connects.slice(0, 3), [], `${connects.length} connect events reached user space (probe saw ${seen} events during a ${storm}-call connect storm)`);
  // and capture still works: the marker open raised its alert
  assert.match(agent.stdout(), /Open of a vigil storm marker/);
});
