// Falco's flags on the real `vigil` command: -P, -U, --dry-run, --support,
// -p, --enable-source, --list-events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { EVENT_LIST, META_EVENT_CODES } from '../../src/sources/syscall/eventTable';
import { CLI, FIX, run, startLive, listeningPort, stop, until } from './cliProcess';

const OK = path.join(FIX, 'ok_rules.yaml');
const BROKEN = path.join(FIX, 'broken_rules.yaml');
const EVENTS = path.join(FIX, 'events.jsonl');
const QUIET = ['-o', 'syslog_output.enabled=false'];

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-flags-'));
}

test('--list-events: every event the probe sends with its parameters, then the metaevents, the other names and k8s_audit', async () => {
  const r = await run(['--list-events']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const sent = EVENT_LIST.filter((e) => !META_EVENT_CODES.has(e.code));
  const listed = lines.filter((l) => /^[<>] \w+\(/.test(l));
  assert.equal(listed.length, EVENT_LIST.length + 1);
  assert.match(listed.at(-1)!, /^> k8s_audit\(/);
  assert.ok(lines.includes('> open(FSPATH name, FLAGS32 flags, UINT32 mode)'), r.stdout.slice(0, 300));
  assert.ok(lines.includes('< close(ERRNO res, FD fd)'));
  const sections = lines.filter((l) => l.startsWith('## '));
  assert.equal(sections.length, 4, sections.join('\n'));
  // the probe's events come first, in code order, then the two made in user space
  assert.deepEqual(listed.slice(0, sent.length).map((l) => l.slice(2, l.indexOf('('))), sent.map((e) => e.name));
  assert.deepEqual(listed.slice(sent.length).map((l) => l.slice(2, l.indexOf('('))), ['container', 'container_removed', 'k8s_audit']);
  // names a rule may use that never arrive: e.g. read, listed bare, one a line
  assert.ok(lines.includes('read') && !lines.includes('open'), 'read is listed as a known-only name, open is not');
  assert.match(r.stdout, /## k8s_audit\n\n> k8s_audit\(/);
});

test('--dry-run: valid configuration and rules exit 0 without starting anything (a busy webserver port is not touched)', async () => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as net.AddressInfo).port;
  const dir = tmpDir();
  const pid = path.join(dir, 'vigil.pid');
  try {
    const r = await run(['--dry-run', '-r', OK, '-P', pid, '-o', 'webserver.listen_address=127.0.0.1', '-o', `webserver.listen_port=${port}`, ...QUIET]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /dry run: configuration and rules are valid \(2 enabled rule\(s\), sources: syscall, k8s_audit\); nothing started/);
    assert.doesNotMatch(r.stderr, /listening|capture|probe/);
    assert.equal(fs.existsSync(pid), false, 'no pid file in a dry run');
    // the same without --dry-run does try to start: the port is taken
    const real = await run(['-r', OK, '--enable-source', 'k8s_audit', '-o', 'webserver.listen_address=127.0.0.1', '-o', `webserver.listen_port=${port}`, '-M', '5', ...QUIET]);
    assert.equal(real.code, 1, real.stderr);
    assert.match(real.stderr, /webserver could not start/);
  } finally {
    busy.close();
    fs.rmSync(dir, { recursive: true });
  }
});

test('--dry-run: every configuration error is listed and the exit is 1; rules errors too', async () => {
  const [r, bad, shipped] = await Promise.all([
    run(['--dry-run', '-r', OK, '-o', 'http_output.enabled=true', '-o', 'rule_matching=most', '-o', 'syscall_event_drops.threshold=2', '-o', 'webserver.listen_port=-4']),
    run(['--dry-run', '-r', BROKEN]),
    // the shipped vigil.yaml with Falco's own default rules
    run(['--dry-run', '-c', path.join(__dirname, '../../vigil.yaml')]),
  ]);
  assert.equal(shipped.code, 0, shipped.stderr);
  assert.doesNotMatch(shipped.stderr, /warning: configuration key/);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error: rule_matching: expected first or all, got 'most'/);
  assert.match(r.stderr, /error: http_output\.url: empty \(http_output is enabled\)/);
  assert.match(r.stderr, /error: syscall_event_drops\.threshold: 2 is outside 0\.\.1/);
  assert.match(r.stderr, /error: webserver\.listen_port/);
  assert.match(r.stderr, /dry run: 4 configuration error\(s\); nothing started/);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /broken_rules\.yaml:\d+:\d+: /);
  assert.match(bad.stderr, /dry run: the rules have errors/);
});

test('--support: versions, the configuration as read, each configuration and rules file with its sha256, system facts', async () => {
  const dir = tmpDir();
  try {
    const cfg = path.join(dir, 'vigil.yaml');
    fs.writeFileSync(cfg, 'json_output: true\npriority: warning\n');
    const r = await run(['--support', '-c', cfg, '-r', OK, '-o', 'rule_matching=all']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    const digest = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    assert.deepEqual(s.rules_files.map((f: { name: string; sha256: string }) => [f.name, f.sha256]), [[OK, digest(OK)]]);
    assert.equal(s.rules_files[0].variants[0].content, fs.readFileSync(OK, 'utf8'));
    assert.deepEqual(s.config_files, [{ name: cfg, sha256: digest(cfg) }]);
    assert.equal(s.config, 'json_output: true\npriority: warning\n', "Falco's config: the main file's text");
    assert.equal(s.effective_config.json_output, true);
    assert.equal(s.effective_config.priority, 'warning');
    assert.equal(s.effective_config.rule_matching, 'all');
    assert.equal(s.version, JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')).version);
    assert.match(s.engine_info.engine_version_semver, /^\d+\.\d+\.\d+$/);
    assert.equal(s.system_info.release, os.release());
    assert.equal(s.system_info.nodename, os.hostname());
    assert.equal(s.system_info.cpus, os.availableParallelism());
    assert.equal(s.system_info.memory_bytes, os.totalmem());
    assert.match(s.cmdline, /--support/);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('-p appends a format to every rule output; -pc adds container fields to syscall rules only', async () => {
  const [r, c, bad] = await Promise.all([
    run(['-r', OK, '-e', EVENTS, '-p', 'verb=%ka.verb user=%ka.user.name', ...QUIET]),
    // attached value, as Falco's -pc: container fields are for syscall rules, these are k8s_audit
    run(['-r', OK, '-e', EVENTS, '-pc', '-o', 'append_output=[]', ...QUIET]),
    run(['-r', OK, '-e', EVENTS, '-p', '%proc.nmae', ...QUIET]),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const alerts = r.stdout.split('\n').filter((l) => / (Warning|Informational) /.test(l));
  assert.equal(alerts.length, 2);
  assert.match(alerts[0], /\(ns=default\) verb=create user=alice$/);
  assert.match(alerts[1], /by carol verb=delete user=carol$/);
  assert.equal(c.code, 0, c.stderr);
  assert.doesNotMatch(c.stdout, /container_id=/);
  assert.match(c.stdout, /\(ns=default\)\n/);
  // a field the source lacks is an error naming what -p added
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /append_output: unknown field 'proc\.nmae' in what it adds to this rule's output \('%proc\.nmae'\)/);
});

test('--enable-source runs only the sources named; -P writes the pid while running and removes it at exit', async () => {
  const dir = tmpDir();
  const pid = path.join(dir, 'run', 'vigil.pid');
  fs.mkdirSync(path.dirname(pid));
  const live = startLive(['-r', OK, '-P', pid]);
  try {
    await listeningPort(live);
    await until('the pid file', () => fs.existsSync(pid), 10000);
    assert.equal(fs.readFileSync(pid, 'utf8').trim(), String(live.child.pid));
    assert.doesNotMatch(live.err(), /^syscall:/m);
  } finally {
    assert.deepEqual(await stop(live), [0, null], live.err());
  }
  assert.equal(fs.existsSync(pid), false, 'the pid file is removed at exit');
  // a pid file that cannot be written stops the agent before it starts
  const [r, unknown, both] = await Promise.all([
    run(['-r', OK, '-e', EVENTS, '-P', path.join(dir, 'missing', 'x.pid'), ...QUIET]),
    run(['--enable-source', 'kafka', '-r', OK]),
    run(['--enable-source', 'syscall', '--disable-source', 'k8s_audit', '-r', OK]),
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /-P .*missing\/x\.pid: cannot write the pid file/);
  fs.rmSync(dir, { recursive: true });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /--enable-source: unknown source 'kafka' \(sources: syscall, k8s_audit\)/);
  assert.equal(both.code, 1);
  assert.match(both.stderr, /--enable-source cannot be combined with --disable-source/);
});

const strace = spawnSync('strace', ['-V']).status === 0;
test('-U: each alert is its own write to stdout (buffered: the alerts of one turn in one write)', { skip: strace ? false : 'SKIPPED LOUDLY: strace is not installed (scripts/setup-test-tools.sh installs it as root)' }, () => {
  const writes = (extra: string[]): number => {
    const dir = tmpDir();
    try {
      const trace = path.join(dir, 'strace.txt');
      execFileSync('strace', ['-f', '-qq', '-s', '256', '-e', 'trace=write', '-e', 'signal=none', '-o', trace, process.execPath, CLI, '-r', OK, '-e', EVENTS, ...QUIET, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
      return fs.readFileSync(trace, 'utf8').split('\n').filter((l) => /write\(1, "\d\d:\d\d:\d\d\.\d+: (Warning|Informational)/.test(l)).length;
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  };
  assert.equal(writes([]), 1);
  assert.equal(writes(['-U']), 2);
});
