// Alert channels through the real CLI: a trace file to file, program and
// HTTP outputs at once; and live mode with a slow HTTP receiver, stopped by
// SIGTERM while alerts are still queued: every accepted alert is delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { startReceiver } from '../outputs/channels/receiver';
import { falcoClients, take } from '../outputs/grpc/falcoClient';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const FIX = path.join(__dirname, 'fixtures');
const RULES = path.join(FIX, 'ok_rules.yaml');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cli-outputs-'));

function vigil(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('-e with file, program and http outputs: each gets the same alerts as stdout', async () => {
  const rx = await startReceiver();
  try {
    const file = path.join(dir, 'events.txt');
    const prog = path.join(dir, 'program.txt');
    const r = await vigil([
      '-r', RULES, '-e', path.join(FIX, 'events.jsonl'),
      '-o', 'json_output=true', '-o', 'syslog_output.enabled=false',
      '-o', 'file_output.enabled=true', '-o', `file_output.filename=${file}`,
      '-o', 'program_output.enabled=true', '-o', 'program_output.keep_alive=true', '-o', `program_output.program=cat > ${prog}`,
      '-o', 'http_output.enabled=true', '-o', `http_output.url=${rx.url}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const stdoutAlerts = r.stdout.split('\n').filter((l) => l.startsWith('{'));
    assert.equal(stdoutAlerts.length, 2);
    assert.deepEqual(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean), stdoutAlerts);
    assert.deepEqual(fs.readFileSync(prog, 'utf8').split('\n').filter(Boolean), stdoutAlerts);
    assert.deepEqual(rx.received.map((x) => x.body), stdoutAlerts);
  } finally {
    await rx.close();
  }
});

test('http_output.echo: each answer of the receiver is printed on stdout', async () => {
  const rx = await startReceiver();
  try {
    const r = await vigil([
      '-r', RULES, '-e', path.join(FIX, 'events.jsonl'),
      '-o', 'json_output=true', '-o', 'syslog_output.enabled=false', '-o', 'stdout_output.enabled=false',
      '-o', 'http_output.enabled=true', '-o', 'http_output.keep_alive=true', '-o', 'http_output.echo=true', '-o', `http_output.url=${rx.url}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(rx.received.length, 2);
    // the receiver answers `ok` to each POST
    assert.deepEqual(r.stdout.split('\n').filter((l) => l === 'ok'), ['ok', 'ok']);
    assert.doesNotMatch(r.stdout, /^\{/m);
  } finally {
    await rx.close();
  }
});

test('a bad channel setting stops the start with the key named', async () => {
  const r = await vigil(['-r', RULES, '-e', path.join(FIX, 'events.jsonl'), '-o', 'http_output.enabled=true', '-o', 'http_output.url=not a url']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /vigil: http_output\.url: 'not a url' is not a URL/);
});

function post(port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/k8s-audit', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('live: SIGTERM with alerts queued for a slow HTTP receiver delivers every one of them before exit', async () => {
  const rx = await startReceiver();
  rx.delayMs = 25;
  const N = 300;
  const agent = spawn(
    process.execPath,
    [
      CLI, '-r', RULES, '--disable-source', 'syscall', '-o', 'json_output=true', '-o', 'syslog_output.enabled=false', '-o', 'stdout_output.enabled=false',
      '-o', 'webserver.listen_address=127.0.0.1', '-o', 'webserver.listen_port=0', '-o', 'webserver.threadiness=-1',
      '-o', 'http_output.enabled=true', '-o', 'http_output.keep_alive=true', '-o', `http_output.url=${rx.url}`, '-o', 'output_timeout=20000',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  agent.stdout!.on('data', (c) => (stdout += c));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${stderr}`)), 20000);
      agent.stderr!.on('data', (c) => {
        stderr += c;
        const m = /webserver listening on [^:]+:(\d+)\//.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const items = Array.from({ length: N }, (_, i) => ({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Request', auditID: `d${i}`, stage: 'ResponseComplete',
      requestURI: `/api/v1/namespaces/default/configmaps/cm${i}`, verb: 'delete', user: { username: 'carol' },
      objectRef: { resource: 'configmaps', namespace: 'default', name: `cm${i}`, apiVersion: 'v1' },
      stageTimestamp: '2024-05-14T09:46:00.000000Z', requestReceivedTimestamp: '2024-05-14T09:46:00.000000Z',
    }));
    assert.equal(await post(port, JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items })), 200);
    // at 25 ms an answer and at most 128 at once (4 connections, 32 pipelined), 300 alerts need over 50 ms: most are still queued now
    assert.ok(rx.received.length < N, `all ${rx.received.length} delivered before SIGTERM; the test proves nothing`);
    agent.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => agent.on('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.equal(rx.received.length, N, stderr);
    assert.deepEqual(new Set(rx.received.map((x) => JSON.parse(x.body).output_fields['ka.target.name'])).size, N);
    assert.match(stdout, new RegExp(`Events detected: ${N}\\n`));
    assert.doesNotMatch(stderr, /dropped/);
  } finally {
    agent.kill('SIGKILL');
    await rx.close();
  }
});

test('live: a client generated from Falco\'s proto subscribes over the unix socket and receives the alerts', async () => {
  const sock = path.join(dir, 'grpc', 'vigil.sock');
  const agent = spawn(
    process.execPath,
    [
      CLI, '-r', RULES, '--disable-source', 'syscall', '-o', 'json_output=true', '-o', 'syslog_output.enabled=false',
      '-o', 'webserver.listen_address=127.0.0.1', '-o', 'webserver.listen_port=0', '-o', 'webserver.threadiness=-1',
      '-o', 'grpc.enabled=true', '-o', 'grpc_output.enabled=true', '-o', `grpc.bind_address=unix://${sock}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  agent.stdout!.on('data', (c) => (stdout += c));
  const c = falcoClients(`unix://${sock}`);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not started: ${stderr}`)), 20000);
      agent.stderr!.on('data', (chunk) => {
        stderr += chunk;
        const m = /webserver listening on [^:]+:(\d+)\//.exec(stderr);
        if (m && /grpc: serving/.test(stderr)) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const events = fs.readFileSync(path.join(FIX, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.equal(await post(port, JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: events })), 200);
    const sub = c.outputs.sub();
    sub.write({});
    const got = await take(sub, 2);
    sub.end();
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent.on('exit', resolve));
    const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
    assert.deepEqual(got.map((r) => r.output), lines);
    assert.deepEqual(got.map((r) => r.rule), ['Admin Creates Something', 'Any Delete']);
    assert.deepEqual(got.map((r) => r.priority), ['WARNING', 'INFORMATIONAL']);
    assert.equal(got[0].output_fields['ka.user.name'], 'alice');
  } finally {
    c.close();
    agent.kill('SIGKILL');
  }
});
