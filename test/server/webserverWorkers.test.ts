// The webserver with its evaluation in worker threads, over real HTTP on
// loopback: answers and counts as on the main thread, alerts emitted before
// the 200, a dying worker answered 500 with the next request served.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import type { Alert } from '../../src/outputs/alert';
import { builtinSources } from '../../src/sources';
import { AuditWorkerPool, rulesRecipe } from '../../src/server/auditWorkerPool';
import { MainThreadEvaluation } from '../../src/server/mainThreadEvaluation';
import { startWebserver, WEBSERVER_DEFAULTS, type Webserver } from '../../src/server/webserver';
import { CRASH_MARK } from './crashingAuditWorker';

const ROOT = path.resolve(__dirname, '../..');
const TRACE = path.join(ROOT, 'test/trace_files/k8s_audit/create_configmap_sensitive_values.json');
const CRASHING_WORKER = path.join(__dirname, 'crashingAuditWorker.ts');

function request(port: number, method: string, urlPath: string, body?: string, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: { 'content-type': contentType }, agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> });
        } catch {
          reject(new Error(`answer is not JSON: ${text}`));
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('webserver with evaluation workers', () => {
  const alerts: Alert[] = [];
  const logs: string[] = [];
  let pool: AuditWorkerPool;
  let server: Webserver;
  const event = JSON.parse(fs.readFileSync(TRACE, 'utf8').split('\n')[0]) as Record<string, unknown>;
  const rules = `- rule: Configmap touched\n  desc: t\n  condition: ka.target.resource=configmaps\n  output: configmap %ka.target.name by %ka.user.name\n  priority: WARNING\n  source: k8s_audit\n`;

  before(async () => {
    const engine = new Engine(builtinSources());
    assert.deepEqual(engine.loadRulesContent([{ name: 'r.yaml', content: rules }]).errors, []);
    pool = new AuditWorkerPool({ threads: 2, recipe: rulesRecipe(engine, 'first'), onAlert: (a) => alerts.push(a), log: (m) => logs.push(m), workerScript: CRASHING_WORKER });
    server = startWebserver({ ...WEBSERVER_DEFAULTS, listen_address: '127.0.0.1', listen_port: 0, max_event_size: 4000 }, pool, { vigil: '1', engine: '1' });
    const end = Date.now() + 10000;
    while (pool.readyWorkers < 2) {
      if (Date.now() > end) throw new Error(`workers not ready: ${logs.join('; ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  after(async () => {
    server.close();
    await pool.close(1000);
  });

  test('a batch is evaluated in a worker; its alerts are out before the 200', async () => {
    const res = await request(server.port, 'POST', '/k8s-audit', JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [event, event, { kind: 'x' }] }));
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(res.json.accepted, 2);
    assert.equal(res.json.rejected, 1);
    assert.equal(alerts.length, 2);
    assert.equal(alerts[0].message, 'configmap aws-creds-1 by kubernetes-admin');
    assert.equal(alerts[0].rule, 'Configmap touched');
    assert.deepEqual(alerts[0].outputFields(), { 'ka.target.name': 'aws-creds-1', 'ka.user.name': 'kubernetes-admin' });
    const st = server.stats();
    assert.equal(st.events_accepted, 2);
    assert.equal(st.events_rejected, 1);
    assert.equal(st.batches, 1);
    assert.equal(st.workers_ready, 2);
    assert.equal(st.bytes_reserved, 0, 'the reservation is released once the worker answered');
    assert.equal(st.pending_batches, 0);
  });

  test('decode errors from the worker are 400s; oversize events are dropped; HTTP errors stay on this thread', async () => {
    const bad = await request(server.port, 'POST', '/k8s-audit', '{"kind":"EventList","items":[');
    assert.equal(bad.status, 400);
    assert.match(String(bad.json.error), /malformed JSON/);
    const allRejected = await request(server.port, 'POST', '/k8s-audit', '[{"kind":"x"}]');
    assert.equal(allRejected.status, 400);
    assert.equal(allRejected.json.rejected, 1);
    const big = { ...event, annotations: { pad: 'y'.repeat(5000) } };
    const dropped = await request(server.port, 'POST', '/k8s-audit', JSON.stringify([big, event]));
    assert.equal(dropped.status, 200);
    assert.equal(dropped.json.dropped_oversize, 1);
    assert.equal(dropped.json.accepted, 1);
    assert.equal((await request(server.port, 'POST', '/k8s-audit', '{}', 'text/plain')).status, 415);
    assert.equal(server.stats().status_400, 2);
    assert.equal(server.stats().events_dropped_oversize, 1);
  });

  test('a worker that dies mid-batch: that request gets a 500 with a JSON error, the next one works', async () => {
    const before = alerts.length;
    const dead = await request(server.port, 'POST', '/k8s-audit', JSON.stringify({ ...event, auditID: CRASH_MARK }));
    assert.equal(dead.status, 500);
    assert.match(String(dead.json.error), /evaluation worker died.*retry/);
    const ok = await request(server.port, 'POST', '/k8s-audit', JSON.stringify(event));
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.equal(ok.json.accepted, 1);
    assert.equal(alerts.length, before + 1);
    assert.equal((await request(server.port, 'GET', '/healthz')).status, 200);
    const st = server.stats();
    assert.equal(st.status_500, 1);
    assert.ok(st.worker_crashes >= 1);
    assert.match(logs.join('\n'), /died .*restarting it/);
  });
});

test('a pool whose workers cannot be used hands evaluation back to this thread through its fallback sink', async () => {
  const engine = new Engine(builtinSources());
  engine.loadRulesContent([{ name: 'r.yaml', content: `- rule: R\n  desc: t\n  condition: ka.verb=get\n  output: o\n  priority: INFO\n  source: k8s_audit\n` }]);
  const recipe = rulesRecipe(engine, 'first');
  const logs: string[] = [];
  const accepted: Record<string, unknown>[] = [];
  // an enabled rule the workers do not have: every worker is refused
  const pool = new AuditWorkerPool({ threads: 1, recipe: { ...recipe, enabled: ['missing'] }, onAlert: () => undefined, log: (m) => logs.push(m), fallback: new MainThreadEvaluation({ accept: (e) => void accepted.push(e) }) });
  const server = startWebserver({ ...WEBSERVER_DEFAULTS, listen_address: '127.0.0.1', listen_port: 0 }, pool, { vigil: '1', engine: '1' });
  try {
    const end = Date.now() + 10000;
    while (pool.usable) {
      if (Date.now() > end) throw new Error('the worker was never refused');
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.match(logs.join('\n'), /not using it/);
    const ev = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'a1', stage: 'ResponseComplete', verb: 'get', requestURI: '/api/v1/pods' };
    const res = await request(server.port, 'POST', '/k8s-audit', JSON.stringify(ev));
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(res.json.accepted, 1);
    assert.deepEqual(accepted.map((e) => e.auditID), ['a1']);
  } finally {
    server.close();
    await pool.close(1000);
  }
});
