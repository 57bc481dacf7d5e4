// stdout's reader going away (`vigil -e x | head`, a log collector that
// restarts) ends neither a replay nor a live agent with a stack trace; the
// other channels keep every alert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, ROOT, listeningPort, startLive, stop, until } from './cliProcess';

const TRACE = path.join(ROOT, 'test/trace_files/k8s_audit/admin_creates_namespace_default.json');

test('vigil -e with stdout closed by its reader: exit 0, one warning, no stack trace', async () => {
  const child = spawn(process.execPath, [CLI, '-e', TRACE, '-o', 'syslog_output.enabled=false', '-o', 'log_syslog=false'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // the reader goes away before the agent has written anything
  child.stdout!.destroy();
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /Unhandled|at .*\(node:/);
  assert.match(stderr, /stdout was closed by its reader \(EPIPE\)/);
});

test('a live agent whose stdout reader goes away keeps evaluating and keeps writing its file output', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-stdout-'));
  const file = path.join(dir, 'alerts.txt');
  const live = startLive(['-o', 'file_output.enabled=true', '-o', `file_output.filename=${file}`, '-o', 'log_syslog=false']);
  try {
    const port = await listeningPort(live);
    live.child.stdout!.destroy();
    const body = fs.readFileSync(TRACE);
    for (let i = 0; i < 3; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/k8s-audit', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(status, 200);
    }
    const alerts = () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length : 0);
    await until('three batches of alerts in the file', () => alerts() >= 3, 20000, () => live.err());
    assert.equal(live.child.exitCode, null, 'the agent is still running');
    await until('the stdout drop is logged', () => /stdout output: \d+ alert\(s\) dropped so far because delivery failed: stdout was closed by its reader \(EPIPE\)/.test(live.err()), 20000, () => live.err());
    assert.doesNotMatch(live.err(), /Unhandled/);
  } finally {
    const [code] = await stop(live);
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0);
  }
});
