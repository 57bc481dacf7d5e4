// append_output and static_fields on the real `vigil` command: a trace read
// with -e, and the same through audit evaluation worker threads, which build
// their own engines from the recipe and must add the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIX, listeningPort, run, startLive, stop, until } from './cliProcess';

const OK = path.join(FIX, 'ok_rules.yaml');
const EVENTS = path.join(FIX, 'events.jsonl');

const CONFIG = `json_output: true
syslog_output: {enabled: false}
static_fields:
  cluster: prod-1
  owner: \${VIGIL_TEST_OWNER}
append_output:
  - suggested_output: true
  - match: {source: k8s_audit, tags: [admin]}
    extra_output: "verb=%ka.verb"
    extra_fields:
      - who: "%ka.user.name in %ka.target.namespace"
      - ka.verb
  - match: {rule: Any Delete}
    extra_output: "(deleted)"
  - match: {source: syscall}
    extra_output: "never on k8s_audit rules"
`;

function writeConfig(dir: string): string {
  const cfg = path.join(dir, 'vigil.yaml');
  fs.writeFileSync(cfg, CONFIG);
  return cfg;
}

function check(alerts: Record<string, any>[]): void {
  const admin = alerts.find((a) => a.rule === 'Admin Creates Something')!;
  const del = alerts.find((a) => a.rule === 'Any Delete')!;
  assert.match(admin.output, /alice created configmaps\/cm1 \(ns=default\) static_cluster=prod-1 static_owner=ops verb=create$/);
  assert.equal(admin.output_fields.who, 'alice in default');
  assert.equal(admin.output_fields['ka.verb'], 'create');
  assert.equal(admin.output_fields['static.cluster'], 'prod-1');
  assert.equal(admin.output_fields['static.owner'], 'ops');
  assert.match(del.output, /by carol static_cluster=prod-1 static_owner=ops \(deleted\)$/);
  assert.equal(del.output_fields.who, undefined);
  assert.equal(del.output_fields['static.cluster'], 'prod-1');
}

test('append_output (match by source, tags, rule; extra_output; extra_fields formatted and raw) and static_fields in every alert', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-append-'));
  try {
    const r = await run(['-c', writeConfig(dir), '-r', OK, '-e', EVENTS], { env: { ...process.env, VIGIL_TEST_OWNER: 'ops' } });
    assert.equal(r.code, 0, r.stderr);
    const alerts = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    assert.equal(alerts.length, 2);
    check(alerts);
    // a rule may test a static field
    const rules = path.join(dir, 'static_rule.yaml');
    fs.writeFileSync(rules, '- rule: Prod delete\n  desc: d\n  condition: ka.verb = delete and static.cluster startswith prod\n  output: prod delete\n  priority: ERROR\n  source: k8s_audit\n');
    const s = await run(['-c', path.join(dir, 'vigil.yaml'), '-r', rules, '-e', EVENTS, '-o', 'append_output=[]'], { env: { ...process.env, VIGIL_TEST_OWNER: 'ops' } });
    assert.equal(s.code, 0, s.stderr);
    assert.deepEqual(s.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).output.replace(/^\S+ /, '')), ['Error prod delete']);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('bad append_output and static_fields entries are refused with where and why', async () => {
  const cases: [string, RegExp][] = [
    ['append_output=[{match: {tag: [a]}}]', /append_output\[0\]\.match\.tag: unknown key \(expected source, tags or rule\)/],
    ['append_output=[{extra_fields: [x.y, {x.y: z}]}]', /append_output\[0\]\.extra_fields\[1\]: 'x\.y' is given twice/],
    ['static_fields={a-b: c}', /static_fields\.a-b: a name must be letters, digits and _/],
  ];
  const ran = await Promise.all(cases.map(([o]) => run(['-r', OK, '-e', EVENTS, '-o', o])));
  cases.forEach(([o, re], i) => {
    assert.equal(ran[i].code, 1, o);
    assert.match(ran[i].stderr, re, o);
  });
});

test('audit evaluation workers add the same (their rules come from the recipe)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-append-live-'));
  const env = process.env.VIGIL_TEST_OWNER;
  process.env.VIGIL_TEST_OWNER = 'ops';
  const live = startLive(['-c', writeConfig(dir), '-r', OK, '-o', 'webserver.threadiness=2']);
  if (env === undefined) delete process.env.VIGIL_TEST_OWNER;
  else process.env.VIGIL_TEST_OWNER = env;
  try {
    const port = await listeningPort(live);
    assert.match(live.err(), /evaluating in 2 worker thread\(s\)/);
    const body = fs.readFileSync(EVENTS, 'utf8');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/k8s-audit', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: body.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l)) }));
    });
    assert.equal(status, 200);
    await until('two alerts', () => live.out().split('\n').filter((l) => l.startsWith('{')).length === 2, 15000, live.err);
    check(live.out().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)));
  } finally {
    assert.deepEqual(await stop(live), [0, null], live.err());
    fs.rmSync(dir, { recursive: true });
  }
});

test('--list shows the static_fields of the configuration as static.<name> fields of every source', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-static-list-'));
  try {
    const cfg = writeConfig(dir);
    const r = await run(['-c', cfg, '--list', 'k8s_audit'], { env: { ...process.env, VIGIL_TEST_OWNER: 'ops' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^static\.cluster\s+\(string\)\s+the value of static_fields\.cluster in the configuration$/m);
    assert.match(r.stdout, /^static\.owner\s+\(string\)/m);
    const plain = await run(['--list', 'k8s_audit']);
    assert.doesNotMatch(plain.stdout, /^static\./m, 'no static_fields, no static fields');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
