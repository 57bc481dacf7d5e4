// Live (root, BTF): the agent runs Falco's own falco_rules.yaml (test data in
// test/fixtures/upstream) and real actions trigger the rules that need the
// fields added for it: 'Directory traversal monitored file read' (fd.nameraw)
// and 'Linux Kernel Module Injection Detected' (thread.cap_effective, in a
// process placed in a cgroup named like a docker container's).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { liveSkipReason } from '../liveSupport';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const DIR = '/tmp/vigil-upstream-live';
const TRIG = path.join(DIR, 'vigil-trig');
const CONTAINER_ID = 'feedface0123'.padEnd(64, '7');

const skip = liveSkipReason();
if (skip) process.stderr.write(`\n*** SKIPPING live upstream rules tests: ${skip} ***\n\n`);

interface Alert {
  rule: string;
  output_fields: Record<string, unknown>;
  output: string;
}

function cgroupDirs(): string[] {
  const base = '/sys/fs/cgroup';
  const leaf = `vigilupstream.slice/docker-${CONTAINER_ID}.scope`;
  if (fs.existsSync(path.join(base, 'cgroup.controllers'))) return [path.join(base, leaf)];
  return ['pids', 'memory', 'unified'].filter((h) => fs.existsSync(path.join(base, h, 'cgroup.procs'))).map((h) => path.join(base, h, leaf));
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve) => execFile(cmd, args, { timeout: 10_000 }, () => resolve()));
}

let alerts: Alert[] = [];
let agentErr = '';

before(async () => {
  if (skip) return;
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(path.join(DIR, 'a/b'), { recursive: true });
  execFileSync('cc', ['-O2', '-o', TRIG, path.join(__dirname, 'triggers.c')]);
  for (const d of cgroupDirs()) fs.mkdirSync(d, { recursive: true });
  const rules = path.join(ROOT, 'test/fixtures/upstream/falco_rules.yaml');
  const child: ChildProcess = spawn(process.execPath, [CLI, '-r', rules, '-o', 'json_output=true', '--disable-source', 'k8s_audit', '-v'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      agentErr += d.toString();
      if (/syscall: capturing/.test(agentErr)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`agent exited (${code}) before capturing:\n${agentErr}`)));
    setTimeout(() => reject(new Error(`agent not capturing after 30 s:\n${agentErr}`)), 30_000).unref();
  });
  await run('cat', [`${DIR}/a/b/../../../../etc/passwd`]);
  const join = cgroupDirs().map((d) => `echo $$ > ${d}/cgroup.procs`).join('; ');
  await run('/bin/sh', ['-c', `${join}; exec "$@"`, 'sh', TRIG, 'finit_module']);
  // wait for the alerts rather than a fixed time, up to 10 s
  for (let i = 0; i < 100 && !(out.includes('Directory traversal') && out.includes('Kernel Module')); i++) await new Promise((r) => setTimeout(r, 100));
  await new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
  alerts = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Alert);
});

after(() => {
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
  const hit = alerts.find((a) => a.rule === rule && match(a));
  assert.ok(hit, `no '${rule}' alert; rules seen: ${[...new Set(alerts.map((a) => a.rule))].join(', ')}\n${agentErr.slice(-3000)}`);
  return hit;
}

test('upstream falco_rules.yaml loads live with no error', { skip }, () => {
  assert.doesNotMatch(agentErr, /^error/m);
});

test("detects with Falco's rule: Directory traversal monitored file read (fd.nameraw)", { skip }, () => {
  const a = alertFor('Directory traversal monitored file read', (x) => x.output_fields['fd.name'] === '/etc/passwd');
  assert.equal(a.output_fields['fd.nameraw'], `${DIR}/a/b/../../../../etc/passwd`);
  assert.equal(a.output_fields['proc.name'], 'cat');
});

test("detects with Falco's rule: Linux Kernel Module Injection Detected (thread.cap_effective)", { skip }, () => {
  const a = alertFor('Linux Kernel Module Injection Detected', (x) => x.output_fields['proc.name'] === 'vigil-trig');
  assert.equal(a.output_fields['evt.type'], 'finit_module');
  // the rule's condition requires `container` (container.id != host): the cgroup made it one
  assert.equal(a.output_fields['user.name'], 'root');
});
