// A live recording read back by Vigil and by sysdig: %evt.args of the common
// syscalls the same, parameter by parameter, but for the named differences
// between sysdig 0.29's libs and today's (argsCompare.ts). Real probe, real
// syscalls, as root.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import { EVENT_LIST } from '../../../../src/sources/syscall/eventTable';
import { liveSkipReason, plainTmpDir } from '../liveSupport';
import { ARGS_FORMAT, compareArgs, FD_NAMED_OTHERWISE, PID_NAMED_OTHERWISE } from './argsCompare';
import { haveSysdig, sysdigLines, sysdigStaleFds, vigilLines } from './sysdig';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const ARGS_RULE = path.join(__dirname, 'fixtures', 'every_event_args.yaml');
const skip = liveSkipReason() ?? (!haveSysdig() && 'sysdig is not installed');
/** codes Debian's sysdig 0.29 knows (record.test.ts) */
const SYSDIG_EVENT_MAX = 336;
const TYPES = ['open', 'openat', 'close', 'socket', 'bind', 'listen', 'connect', 'execve', 'clone', 'fork', 'vfork', 'kill', 'mkdir', 'fchmodat', 'unlinkat', 'rmdir', 'chdir'];
const PORT = 47997;

/** vigil live with -w and no rules while `act` runs, then SIGINT */
function record(file: string, rules: string, act: () => Promise<void>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--disable-source', 'k8s_audit', '-r', rules, '-w', file], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let started = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (started || !/syscall: capturing .*recording to/.test(stderr)) return;
      started = true;
      act().then(() => setTimeout(() => child.kill('SIGINT'), 500), (e) => {
        child.kill('SIGKILL');
        reject(e);
      });
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

async function actions(dir: string): Promise<void> {
  const marker = path.join(dir, 'vigil-args-marker.txt');
  fs.writeFileSync(marker, 'x');
  spawnSync('sh', ['-c', [
    `cat ${marker} > /dev/null`,
    'cat ./vigil-args-nothing 2> /dev/null',
    'mkdir sub && chmod 0750 sub && cd sub && touch x && rm x && cd .. && rmdir sub',
    'kill -0 $$',
  ].join('\n')], { cwd: dir, stdio: 'ignore' });
  const server = net.createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(PORT, '127.0.0.1', r));
  await new Promise<void>((r) => {
    const c = net.connect(PORT, '127.0.0.1', () => c.end());
    c.on('close', () => r());
    c.on('error', () => r());
  });
  await new Promise<void>((r) => server.close(() => r()));
}

test('%evt.args of the common syscalls reads as sysdig reads the same recording', { skip }, async (t) => {
  const dir = plainTmpDir('vigil-scap-args-');
  const file = path.join(dir, 'rec.scap');
  const empty = path.join(dir, 'empty.yaml');
  fs.writeFileSync(empty, '[]\n');
  const live = await record(file, empty, () => actions(dir));
  assert.equal(live.code, 0, live.stderr);
  const newer = [...new Set(EVENT_LIST.filter((e) => e.code >= SYSDIG_EVENT_MAX).map((e) => e.name))];
  const onlyNewer = newer.filter((n) => !EVENT_LIST.some((e) => e.code < SYSDIG_EVENT_MAX && e.name === n));
  const [v, s, stale] = await Promise.all([vigilLines(file, ARGS_RULE), sysdigLines(file, onlyNewer, ARGS_FORMAT), sysdigStaleFds(file, onlyNewer)]);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(stale.length, s.lines.length, 'the replay sees the events sysdig prints');
  const staleKeys = new Set(s.lines.filter((_, i) => stale[i]).map((l) => l.split(' ', 2).join(' ')));
  const r = compareArgs(v.lines, s.lines, TYPES, staleKeys);
  t.diagnostic(`evt.args: ${r.events} events, ${r.params} parameters, ${r.same} the same; allowed: ${[...r.allowed].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  assert.deepEqual(r.diffs.slice(0, 20), [], `${r.diffs.length} parameters differ`);
  // as for fd.name (record.test.ts): names that depend on what else ran, 1% at most
  for (const bounded of [FD_NAMED_OTHERWISE, PID_NAMED_OTHERWISE]) assert.ok((r.allowed.get(bounded) ?? 0) <= Math.max(3, 0.01 * r.params), `${bounded}: ${r.allowed.get(bounded)}`);
  assert.ok(r.events > 20 && r.same > 0.9 * r.params, `${r.events} events, ${r.same} of ${r.params} parameters the same`);
  // the actions' own events are among those compared, with fds, flags and errors resolved
  const ours = (re: RegExp): string | undefined => v.lines.find((l) => re.test(l));
  assert.ok(ours(/ < openat fd=\d+\(<f>\S*vigil-args-marker\.txt\) dirfd=-100\(AT_FDCWD\) name=\S*vigil-args-marker\.txt flags=\d+\(O_RDONLY\)/), 'the marker open');
  assert.ok(ours(/ < openat fd=-2\(ENOENT\) dirfd=-100\(AT_FDCWD\) name=\.\/vigil-args-nothing\(\S*\/vigil-args-nothing\) /), 'the failed open');
  assert.ok(ours(/ < fchmodat res=0 dirfd=-100\(AT_FDCWD\) filename=sub\(\S*\/sub\) mode=0750\(S_IXGRP\|S_IRGRP\|S_IXUSR\|S_IWUSR\|S_IRUSR\)$/), 'the chmod');
  // Node connects without blocking
  assert.ok(ours(new RegExp(` < connect res=(0|-115\\(EINPROGRESS\\)) tuple=127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${PORT} fd=\\d+\\(<4t>127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${PORT}\\)`)), 'the connect');
  assert.ok(ours(/ < close res=0 fd=\d+\(<f>\S*vigil-args-marker\.txt\)$/), "the marker's close");
});
