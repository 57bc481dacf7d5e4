// The agent's live mode end to end: the real CLI starts the audit webserver,
// a client POSTs the k8s audit test traces as EventList batches and as single
// events over loopback, and the alerts must be exactly those that `-e` gives
// for the same events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { auditEventsOf } from '../../src/sources/k8s_audit/payload';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const TRACES = path.join(ROOT, 'test/trace_files/k8s_audit');
const RULES = path.join(ROOT, 'rules/k8s_audit_rules.yaml');
const COMMON = ['-r', RULES, '-o', 'json_output=true', '-o', 'rule_matching=all'];

/** Every well-formed event of the trace files, one array per file. */
function traceEvents(): unknown[][] {
  const out: unknown[][] = [];
  for (const f of fs.readdirSync(TRACES).sort()) {
    const text = fs.readFileSync(path.join(TRACES, f), 'utf8');
    let docs: unknown[];
    try {
      docs = [JSON.parse(text)];
    } catch {
      try {
        docs = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
      } catch {
        continue; // the malformed-input fixtures
      }
    }
    const events = docs.flatMap((d) => {
      const p = auditEventsOf(d);
      return 'events' in p ? p.events : [];
    });
    if (events.length > 0) out.push(events);
  }
  return out;
}

/** `rule|message` for each alert line, the time prefix removed, sorted. */
function alertKeys(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      const a = JSON.parse(l) as { rule: string; output: string };
      return `${a.rule}|${a.output.slice(a.output.indexOf(': ') + 2)}`;
    })
    .sort();
}

function post(port: number, urlPath: string, body: string, contentType = 'application/json'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: 'POST', headers: { 'content-type': contentType } }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath }, (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      })
      .on('error', reject);
  });
}

/** Starts the agent serving on a free loopback port; resolves with its port once it listens. */
function startAgent(args: string[]): { agent: ReturnType<typeof spawn>; port: Promise<number>; out: () => string; err: () => string } {
  const agent = spawn(process.execPath, [CLI, ...args, '-o', 'webserver.listen_address=127.0.0.1', '-o', 'webserver.listen_port=0', '--disable-source', 'syscall'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  agent.stdout!.on('data', (c) => (stdout += c));
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 20 s; stderr: ${stderr}`)), 20000);
    agent.stderr!.on('data', (c) => {
      stderr += c;
      const m = /webserver listening on [^:]+:(\d+)\//.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    agent.on('exit', (code) => reject(new Error(`agent exited with ${code}: ${stderr}`)));
  });
  return { agent, port, out: () => stdout, err: () => stderr };
}

async function until(what: string, cond: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const threadiness of ['2', '-1']) {
  test(`alerts from webhook POSTs equal those from -e on the same events (webserver.threadiness=${threadiness})`, async () => {
    const batches = traceEvents();
    assert.ok(batches.length >= 20, `only ${batches.length} trace files with events`);
    const all = batches.flat();

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-web-'));
    const jsonl = path.join(dir, 'all.jsonl');
    fs.writeFileSync(jsonl, all.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const offline = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [CLI, ...COMMON, '-e', jsonl], { maxBuffer: 64 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    const expected = alertKeys(offline);
    assert.ok(expected.length > 20, `only ${expected.length} alerts from -e`);

    const started = startAgent([...COMMON, '-o', `webserver.threadiness=${threadiness}`]);
    const agent = started.agent;
    const port = await started.port;
    assert.match(started.err(), threadiness === '2' ? /evaluating in 2 worker thread\(s\)/ : /evaluating on the main thread/);
    try {
      assert.deepEqual(await get(port, '/healthz'), { status: 200, body: '{"status":"ok"}' });
      // half the files as EventList batches, the other half event by event
      for (let i = 0; i < batches.length; i++) {
        if (i % 2 === 0) {
          const res = await post(port, '/k8s-audit', JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: batches[i] }));
          assert.equal(res.status, 200, res.body);
        } else {
          for (const e of batches[i]) {
            const res = await post(port, '/k8s_audit', JSON.stringify(e), 'application/json; charset=utf-8');
            assert.equal(res.status, 200, res.body);
          }
        }
      }
      // bad input on the way does not disturb anything
      assert.equal((await post(port, '/k8s-audit', '{"kind":"EventList","items":[')).status, 400);
      assert.equal((await post(port, '/k8s-audit', '{}', 'text/plain')).status, 415);
      assert.equal((await get(port, '/healthz')).status, 200);
    } finally {
      const exited = new Promise((resolve) => agent.on('exit', resolve));
      agent.kill('SIGTERM');
      await exited;
    }
    const stdout = started.out();
    assert.deepEqual(alertKeys(stdout), expected);
    // the exit summary counts the alerts made in workers
    assert.match(stdout, new RegExp(`Events detected: ${expected.length}\\n`));
  });
}

test('SIGHUP with evaluation workers: the reloaded rules make the alerts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-web-reload-'));
  const rules = path.join(dir, 'rules.yaml');
  const rule = (name: string, out: string) => `- rule: ${name}\n  desc: t\n  condition: ka.target.resource=configmaps\n  output: ${out} %ka.target.name\n  priority: WARNING\n  source: k8s_audit\n`;
  fs.writeFileSync(rules, rule('Configmap v1', 'first'));
  const cm = traceEvents().flat().find((e) => (e as { objectRef?: { resource?: string } }).objectRef?.resource === 'configmaps')!;
  assert.ok(cm);
  const started = startAgent(['-r', rules, '-o', 'json_output=true', '-o', 'webserver.threadiness=2']);
  const agent = started.agent;
  const port = await started.port;
  const rulesOf = () => started.out().split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { rule: string; output: string }).rule);
  try {
    for (let i = 0; i < 3; i++) assert.equal((await post(port, '/k8s-audit', JSON.stringify(cm))).status, 200);
    await until('three alerts', () => rulesOf().length === 3);
    fs.writeFileSync(rules, rule('Configmap v2', 'second'));
    agent.kill('SIGHUP');
    await until('the reload', () => /rules reloaded/.test(started.err()));
    // several batches, so every worker has had one with the new rules
    for (let i = 0; i < 4; i++) assert.equal((await post(port, '/k8s-audit', JSON.stringify(cm))).status, 200);
    await until('seven alerts', () => rulesOf().length === 7);
  } finally {
    const exited = new Promise<[number | null, string | null]>((resolve) => agent.on('exit', (code, signal) => resolve([code, signal])));
    // a second signal while stopping must not cut the shutdown short
    agent.kill('SIGTERM');
    agent.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null], started.err());
    fs.rmSync(dir, { recursive: true });
  }
  assert.deepEqual(rulesOf(), ['Configmap v1', 'Configmap v1', 'Configmap v1', 'Configmap v2', 'Configmap v2', 'Configmap v2', 'Configmap v2']);
  const out = started.out();
  assert.match(out, /Events detected: 7\n/);
  assert.match(out, /Configmap v1: 3\n/);
  assert.match(out, /Configmap v2: 4\n/);
});

test('SIGHUP with rules whose macros double per level: the reload is refused at file:line:col and the running rules go on alerting', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-web-doubling-'));
  const rules = path.join(dir, 'rules.yaml');
  const rule = `- rule: Configmap\n  desc: t\n  condition: ka.target.resource=configmaps\n  output: cm %ka.target.name\n  priority: WARNING\n  source: k8s_audit\n`;
  fs.writeFileSync(rules, rule);
  const cm = traceEvents().flat().find((e) => (e as { objectRef?: { resource?: string } }).objectRef?.resource === 'configmaps')!;
  const started = startAgent(['-r', rules, '-o', 'json_output=true', '-o', 'webserver.threadiness=-1']);
  const agent = started.agent;
  const port = await started.port;
  const alerts = () => started.out().split('\n').filter((l) => l.startsWith('{')).length;
  try {
    let doubling = '- macro: m0\n  condition: ka.verb = create\n';
    for (let i = 1; i <= 40; i++) doubling += `- macro: m${i}\n  condition: (m${i - 1} and m${i - 1})\n`;
    fs.writeFileSync(rules, `${doubling}- rule: Doubling\n  desc: t\n  condition: m40\n  output: x\n  priority: WARNING\n  source: k8s_audit\n`);
    agent.kill('SIGHUP');
    await until('the refused reload', () => /rules reload failed/.test(started.err()), 30000).catch((e) => {
      throw new Error(`${e.message}; stderr: ${started.err()}`);
    });
    assert.match(started.err(), /rules\.yaml:42:15: macro 'm20': condition expands to more than 1000000 checks/);
    assert.equal((await get(port, '/healthz')).status, 200);
    assert.equal((await post(port, '/k8s-audit', JSON.stringify(cm))).status, 200);
    await until('the old rule alerting', () => alerts() === 1);
  } finally {
    const exited = new Promise<[number | null, string | null]>((resolve) => agent.on('exit', (code, signal) => resolve([code, signal])));
    agent.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null], started.err());
    fs.rmSync(dir, { recursive: true });
  }
});

for (const threadiness of ['2', '-1']) {
  test(`SIGTERM under load: every event answered 2xx has its alert, later requests get 503 or a closed connection, and the agent exits (threadiness ${threadiness})`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-web-sigterm-'));
    const rules = path.join(dir, 'rules.yaml');
    fs.writeFileSync(rules, '- rule: Every event\n  desc: t\n  condition: ka.verb exists\n  output: seen id=%ka.auditid\n  priority: WARNING\n  source: k8s_audit\n');
    const started = startAgent(['-r', rules, '-o', `webserver.threadiness=${threadiness}`]);
    const agent = started.agent;
    const port = await started.port;
    const exited = new Promise<[number | null, string | null]>((resolve) => agent.on('exit', (code, signal) => resolve([code, signal])));
    let running = true;
    void exited.then(() => (running = false));
    const acked: string[] = [];
    const refused: Record<string, number> = {};
    let n = 0;
    // eight kept-alive connections posting one event after another until the agent is gone
    const client = async (k: number): Promise<void> => {
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (running) {
        const id = `c${k}-${n++}`;
        const body = JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: id, stage: 'ResponseComplete', verb: 'get' });
        const status = await new Promise<number>((resolve) => {
          const req = http.request({ host: '127.0.0.1', port, path: '/k8s-audit', method: 'POST', agent: keepAlive, headers: { 'content-type': 'application/json' } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', () => resolve(-1));
          req.end(body);
        });
        if (status >= 200 && status < 300) acked.push(id);
        else {
          refused[status] = (refused[status] ?? 0) + 1;
          if (status === -1) await new Promise((r) => setTimeout(r, 20));
        }
      }
      keepAlive.destroy();
    };
    const clients = Array.from({ length: 8 }, (_, k) => client(k));
    try {
      await until('some events answered', () => acked.length >= 100, 30000);
      agent.kill('SIGTERM');
      const [code, signal] = await Promise.race([exited, new Promise<[string, string]>((r) => setTimeout(() => r(['not exited', 'after 40 s']), 40000))]);
      assert.deepEqual([code, signal], [0, null], started.err());
    } finally {
      running = false;
      if (agent.exitCode === null) agent.kill('SIGKILL');
      await Promise.all(clients);
      fs.rmSync(dir, { recursive: true });
    }
    const alerted = new Set([...started.out().matchAll(/seen id=(\S+)/g)].map((m) => m[1]));
    const lost = acked.filter((id) => !alerted.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged events have no alert`);
    for (const status of Object.keys(refused)) assert.ok(['503', '-1'].includes(status), `unexpected answers: ${JSON.stringify(refused)}`);
  });
}

test('a fractional webserver.threadiness is refused with an error naming the key, before any worker starts', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), '-r', RULES, '-o', 'webserver.threadiness=1.5', '-o', 'webserver.listen_address=127.0.0.1', '-o', 'webserver.listen_port=0', '--disable-source', 'syscall'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.notEqual(code, 0);
  assert.match(stderr, /webserver\.threadiness must be an integer.*got 1\.5/);
  assert.doesNotMatch(stderr, /listening/);
});
