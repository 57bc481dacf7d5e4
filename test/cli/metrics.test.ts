// Metrics through the real CLI in live mode: GET /metrics in Prometheus text
// (read back with a Prometheus text parser), the metrics snapshot alert and
// metrics.output_file at metrics.interval, and /versions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

const parsePrometheus = require('parse-prometheus-text-format') as (text: string) => { name: string; type: string; metrics: { value: string; labels?: Record<string, string> }[] }[];

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const FIX = path.join(__dirname, 'fixtures');

function request(port: number, method: string, p: string, body?: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method, headers: { 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, type: String(res.headers['content-type']) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function until(what: string, cond: () => boolean, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('live: /metrics, the metrics snapshot alert and metrics.output_file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-metrics-'));
  const file = path.join(dir, 'metrics.jsonl');
  const agent = spawn(
    process.execPath,
    [
      CLI, '-r', path.join(FIX, 'ok_rules.yaml'), '--disable-source', 'syscall', '-o', 'json_output=true', '-o', 'syslog_output.enabled=false',
      '-o', 'webserver.listen_address=127.0.0.1', '-o', 'webserver.listen_port=0', '-o', 'webserver.threadiness=-1',
      '-o', 'metrics.enabled=true', '-o', 'webserver.prometheus_metrics_enabled=true', '-o', 'metrics.interval=300ms', '-o', `metrics.output_file=${file}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  agent.stdout!.on('data', (c) => (stdout += c));
  agent.stderr!.on('data', (c) => (stderr += c));
  try {
    await until('the webserver', () => /webserver listening on [^:]+:(\d+)\/.*Prometheus metrics on \/metrics/.test(stderr));
    const port = Number(/webserver listening on [^:]+:(\d+)\//.exec(stderr)![1]);
    const events = fs.readFileSync(path.join(FIX, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.equal((await request(port, 'POST', '/k8s-audit', JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: events }))).status, 200);
    await until('two alerts', () => stdout.split('\n').filter((l) => l.includes('"source":"k8s_audit"')).length === 2);

    const res = await request(port, 'GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain; version=0\.0\.4/);
    const families = new Map(parsePrometheus(res.body).map((f) => [f.name, f]));
    const value = (name: string, labels: Record<string, string> = {}): number => {
      const f = families.get(name);
      assert.ok(f, `${name} missing from /metrics:\n${res.body}`);
      const m = f.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
      assert.ok(m, `${name}${JSON.stringify(labels)} missing`);
      return Number(m.value);
    };
    assert.equal(families.get('vigil_events_total')!.type, 'COUNTER');
    assert.equal(value('vigil_events_total', { source: 'k8s_audit' }), events.length);
    assert.equal(value('vigil_rules_matches_total', { rule_name: 'Any Delete', priority: 'Informational', source: 'k8s_audit' }), 1);
    assert.equal(value('vigil_rules_matches_total', { rule_name: 'Admin Creates Something', priority: 'Warning' }), 1);
    assert.equal(value('vigil_alerts_total', { priority: 'Warning' }), 1);
    assert.ok(value('vigil_output_alerts_total', { channel: 'stdout', outcome: 'sent' }) >= 2);
    assert.equal(value('vigil_output_alerts_total', { channel: 'stdout', outcome: 'queue_full' }), 0);
    assert.ok(value('vigil_memory_rss_bytes') > 1e6);
    assert.ok(value('vigil_uptime_seconds') > 0);
    assert.equal(value('vigil_version_info', {}), 1);
    assert.equal((await request(port, 'POST', '/metrics', '{}')).status, 405);

    await until('a snapshot line in metrics.output_file', () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('\n'));
    const snap = JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]);
    assert.equal(snap.output_fields['vigil_events_total{source=k8s_audit}'], events.length);
    await until('a snapshot alert', () => stdout.includes('"rule":"Falco internal: metrics snapshot"'));
    const alert = JSON.parse(stdout.split('\n').find((l) => l.includes('metrics snapshot'))!);
    assert.equal(alert.source, 'internal');
    assert.equal(alert.priority, 'Informational');
    assert.equal(alert.output_fields['vigil_rules_matches_total{rule_name=Any Delete,priority=Informational,source=k8s_audit}'], 1);

    const v = JSON.parse((await request(port, 'GET', '/versions')).body);
    assert.match(v.vigil_version, /^\d+\.\d+\.\d+/);
    assert.equal(v.engine_version, v.engine_version_semver.split('.')[1]);
  } finally {
    agent.kill('SIGTERM');
    await new Promise((r) => agent.on('exit', r));
  }
});

test('invalid metrics or syscall_event_drops settings stop the start with the key named', async () => {
  const run = (...o: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, [CLI, '-r', path.join(FIX, 'ok_rules.yaml'), '--disable-source', 'syscall', ...o.flatMap((x) => ['-o', x])], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      p.stderr!.on('data', (c) => (stderr += c));
      p.on('exit', (code) => resolve({ code, stderr }));
    });
  const a = await run('metrics.interval=10ms');
  assert.equal(a.code, 1);
  assert.match(a.stderr, /vigil: metrics\.interval: 10ms is below the minimum of 100ms/);
  const b = await run('syscall_event_drops.threshold=2');
  assert.equal(b.code, 1);
  assert.match(b.stderr, /vigil: syscall_event_drops\.threshold: 2 is outside 0\.\.1/);
  assert.doesNotMatch(b.stderr, /listening/);
});
