// The evaluation worker pool with real worker threads: the alerts a worker
// posts back are exactly the main thread's for the same rules and events;
// rules that differ, a dying worker and a reload are handled as described in
// auditWorkerPool.ts.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent } from '../../src/agent';
import { Engine } from '../../src/engine/engine';
import { Outputs } from '../../src/outputs/outputs';
import type { Alert } from '../../src/outputs/alert';
import { builtinSources } from '../../src/sources';
import { type K8sAuditEvent, toAuditEvent } from '../../src/sources/k8s_audit';
import { AuditWorkerPool, type BatchAnswer, evaluationThreads, rulesRecipe } from '../../src/server/auditWorkerPool';
import { enabledDifference } from '../../src/server/enabledDifference';
import { CRASH_MARK } from './crashingAuditWorker';
import { FAIL_VERB } from './failingFieldAuditWorker';

const ROOT = path.resolve(__dirname, '../..');
const RULES = path.join(ROOT, 'rules/k8s_audit_rules.yaml');
const TRACES = path.join(ROOT, 'test/trace_files/k8s_audit');
const CRASHING_WORKER = path.join(__dirname, 'crashingAuditWorker.ts');
const FAILING_FIELD_WORKER = path.join(__dirname, 'failingFieldAuditWorker.ts');

function engineFrom(files: string[]): Engine {
  const engine = new Engine(builtinSources());
  const res = engine.loadRulesFiles(files);
  assert.deepEqual(res.errors.map((e) => e.format()), []);
  return engine;
}

/** Well-formed single-event trace files' events. */
function someEvents(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const f of fs.readdirSync(TRACES).sort()) {
    try {
      const doc = JSON.parse(fs.readFileSync(path.join(TRACES, f), 'utf8')) as Record<string, unknown>;
      if (doc.kind === 'Event') out.push(doc);
    } catch {
      // JSON-lines and malformed fixtures
    }
  }
  return out;
}

/** The main thread's alerts for the events, as `rule|message|time|fields`. */
function mainThreadAlerts(engine: Engine, events: Record<string, unknown>[], matching: 'first' | 'all'): string[] {
  const seen: Alert[] = [];
  const outputs = { emit: (a: Alert) => seen.push(a), close: () => undefined } as unknown as Outputs;
  const agent = new Agent(engine, outputs, matching);
  const ev = agent.evaluatorFor<K8sAuditEvent>('k8s_audit');
  for (const e of events) ev.evaluate(toAuditEvent(e));
  return seen.map(key);
}

function key(a: Alert): string {
  return `${a.rule}|${a.priority}|${a.source}|${a.tags.join(',')}|${a.message}|${a.time}|${JSON.stringify(a.outputFields())}`;
}

function submit(pool: AuditWorkerPool, text: string, maxEventSize = 1 << 20): Promise<BatchAnswer> {
  const buf = Buffer.from(text);
  return new Promise((resolve) => pool.submit(buf, buf.length, maxEventSize, resolve));
}


const eventList = (items: unknown[]) => JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items });

describe('audit worker pool', () => {
  const pools: AuditWorkerPool[] = [];
  after(async () => {
    await Promise.all(pools.map((p) => p.close(1000)));
  });
  function makePool(engine: Engine, matching: 'first' | 'all', threads = 2, workerScript?: string) {
    const alerts: Alert[] = [];
    const logs: string[] = [];
    const pool = new AuditWorkerPool({ threads, recipe: rulesRecipe(engine, matching), onAlert: (a) => alerts.push(a), log: (m) => logs.push(m), workerScript });
    pools.push(pool);
    return { pool, alerts, logs };
  }

  test('threadiness: 0 is the CPU count up to 4, -1 none, n is n', () => {
    assert.equal(evaluationThreads(0), Math.min(4, os.availableParallelism()));
    assert.equal(evaluationThreads(-1), 0);
    assert.equal(evaluationThreads(3), 3);
  });

  test('alerts and counts from workers equal the main thread evaluation, with rules disabled on main disabled in workers', async () => {
    const events = someEvents();
    assert.ok(events.length > 30, `only ${events.length} events`);
    const engine = engineFrom([RULES]);
    // a selection the workers' own load would not make
    const disabled = engine.rules.find((r) => r.source === 'k8s_audit' && r.enabled && mainThreadAlerts(engine, events, 'all').some((k) => k.startsWith(`${r.name}|`)))!;
    assert.ok(disabled, 'no rule fires on the traces');
    engine.enableRules({ name: disabled.name }, false);
    for (const matching of ['all', 'first'] as const) {
      const expected = mainThreadAlerts(engine, events, matching);
      assert.ok(expected.length > 10);
      assert.ok(!expected.some((k) => k.startsWith(`${disabled.name}|`)));
      const { pool, alerts } = makePool(engine, matching);
      // one big batch and the rest split over both workers
      const answers = await Promise.all([submit(pool, eventList(events.slice(0, 20))), ...events.slice(20).map((e) => submit(pool, JSON.stringify(e)))]);
      for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a));
      const facts = answers.map((a) => (a.status === 200 ? a.facts : undefined));
      assert.deepEqual(facts[0], { rejected: 0, reasons: [], dropped: 0, events: 20, accepted: 20, failed: 0 });
      assert.equal(facts.reduce((n, f) => n + f!.accepted, 0), events.length);
      assert.deepEqual(alerts.map(key).sort(), [...expected].sort(), matching);
    }
  });

  test('with the default rules directory (syscall rules and macros beside the k8s_audit ones) the workers build the k8s_audit rules, sent without YAML, and alert as the main thread', async () => {
    const events = someEvents();
    const engine = engineFrom([path.join(ROOT, 'rules')]);
    assert.ok(engine.rules.some((r) => r.source === 'syscall'));
    const recipe = rulesRecipe(engine, 'all');
    // only the k8s_audit rules travel; every macro and list with them, and each file once
    const sent = recipe.collected.rules as { source: string }[];
    assert.equal(sent.length, engine.rules.filter((r) => r.source === 'k8s_audit').length);
    assert.ok(sent.every((r) => r.source === 'k8s_audit'));
    assert.deepEqual(recipe.collected.files.map((f) => path.basename(f.name)), ['falco_rules.yaml', 'k8s_audit_rules.yaml']);
    const expected = mainThreadAlerts(engine, events, 'all');
    assert.ok(expected.length > 10);
    const { pool, alerts, logs } = makePool(engine, 'all');
    const answers = await Promise.all(events.map((e) => submit(pool, JSON.stringify(e))));
    for (const a of answers) assert.equal(a.status, 200, `${JSON.stringify(a)}\n${logs.join('\n')}`);
    assert.deepEqual(alerts.map(key).sort(), [...expected].sort());
    // the second worker may still be building when the first has answered everything
    for (const end = Date.now() + 30_000; pool.readyWorkers < 2 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    assert.equal(pool.readyWorkers, 2, logs.join('\n'));
    assert.match(logs.join('\n'), /2 evaluation worker\(s\) built the rules in \d+\.\d s/);
  });

  test('without output fields asked for, alerts carry the same messages and no fields (asking for them then is an error)', async () => {
    const events = someEvents().slice(0, 20);
    const engine = engineFrom([RULES]);
    const expected = mainThreadAlerts(engine, events, 'all').map((k) => k.split('|').slice(0, 6).join('|'));
    const alerts: Alert[] = [];
    const pool = new AuditWorkerPool({ threads: 1, recipe: rulesRecipe(engine, 'all', false), onAlert: (a) => alerts.push(a), log: () => undefined });
    pools.push(pool);
    assert.equal((await submit(pool, eventList(events))).status, 200);
    assert.ok(expected.length > 0);
    assert.deepEqual(alerts.map((a) => `${a.rule}|${a.priority}|${a.source}|${a.tags.join(',')}|${a.message}|${a.time}`).sort(), [...expected].sort());
    assert.throws(() => alerts[0].outputFields(), /no output fields: the rules recipe did not ask for them/);
  });

  test('a body that is not a batch is a 400; oversize events are dropped and counted; non-events rejected', async () => {
    const { pool } = makePool(engineFrom([RULES]), 'first', 1);
    const bad = await submit(pool, '{"kind":"EventList","items":[');
    assert.equal(bad.status, 400);
    assert.match((bad as { error: string }).error, /malformed JSON/);
    const big = { ...someEvents()[0], annotations: { pad: 'x'.repeat(3000) } };
    const small = someEvents()[1];
    const mixed = await submit(pool, eventList([small, big, { kind: 'Nope' }]), 2000);
    assert.equal(mixed.status, 200);
    const f = (mixed as { facts: { accepted: number; dropped: number; rejected: number; reasons: string[] } }).facts;
    assert.equal(f.accepted, 1);
    assert.equal(f.dropped, 1);
    assert.equal(f.rejected, 1);
    assert.match(f.reasons[0], /^items\[2\]: not an audit event/);
  });

  test('a small body (sharing its ArrayBuffer) is copied, not taken from its owner', async () => {
    const { pool } = makePool(engineFrom([RULES]), 'first', 1);
    const text = JSON.stringify(someEvents()[0]);
    const shared = Buffer.from(`xx${text}`).subarray(2);
    assert.notEqual(shared.byteOffset, 0);
    const owner = shared.buffer;
    const before = owner.byteLength;
    const a = await new Promise<BatchAnswer>((resolve) => pool.submit(shared, shared.length, 1 << 20, resolve));
    assert.equal(a.status, 200, JSON.stringify(a));
    assert.equal(owner.byteLength, before, 'the shared ArrayBuffer was transferred away');
    assert.equal(shared.toString(), text);
    // a Buffer owning its whole ArrayBuffer moves to the worker
    const own = Buffer.from(new ArrayBuffer(text.length));
    own.write(text);
    const b = await new Promise<BatchAnswer>((resolve) => pool.submit(own, own.length, 1 << 20, resolve));
    assert.equal(b.status, 200);
    assert.equal(own.buffer.byteLength, 0, 'an owned ArrayBuffer is transferred, not copied');
  });

  test('rules that differ from the main thread: the worker is not used and batches fail with 500', async () => {
    const engine = engineFrom([RULES]);
    const recipe = rulesRecipe(engine, 'first');
    const logs: string[] = [];
    const pool = new AuditWorkerPool({ threads: 1, recipe: { ...recipe, enabled: [...recipe.enabled, 'no such rule'] }, onAlert: () => undefined, log: (m) => logs.push(m) });
    pools.push(pool);
    const a = await submit(pool, JSON.stringify(someEvents()[0]));
    assert.equal(a.status, 500);
    assert.match(logs.join('\n'), /enabled rules differ from the main thread's \(\d+ on the main thread, \d+ in the worker: it lacks 'no such rule'\); not using it/);
    assert.equal(pool.usable, false);
    // a correct recipe (a reload) brings it back
    pool.updateRules(recipe);
    assert.equal(pool.usable, true);
    assert.equal((await submit(pool, JSON.stringify(someEvents()[0]))).status, 200);
  });

  test('the same number of enabled rules but not the same rules is a difference too', async () => {
    const engine = engineFrom([RULES]);
    const recipe = rulesRecipe(engine, 'first');
    const swapped = [...recipe.enabled];
    swapped[3] = 'a rule the worker does not have';
    const logs: string[] = [];
    const pool = new AuditWorkerPool({ threads: 1, recipe: { ...recipe, enabled: swapped }, onAlert: () => undefined, log: (m) => logs.push(m) });
    pools.push(pool);
    assert.equal((await submit(pool, JSON.stringify(someEvents()[0]))).status, 500);
    assert.match(logs.join('\n'), /rule 4 is 'a rule the worker does not have' on the main thread, '[^']+' in the worker/);
    assert.equal(enabledDifference(['a', 'b'], ['a', 'b']), undefined);
    assert.match(enabledDifference(['a'], ['a', 'b'])!, /it also has 'b'/);
  });

  test('a reload to rules the worker cannot build alike: batches queued behind it are not evaluated with other rules', async () => {
    const engine = engineFrom([RULES]);
    const recipe = rulesRecipe(engine, 'first');
    const { pool, logs } = makePool(engine, 'first', 1);
    assert.equal((await submit(pool, JSON.stringify(someEvents()[0]))).status, 200);
    pool.updateRules({ ...recipe, enabled: [...recipe.enabled, 'no such rule'] });
    // queued right behind the rules message, before the worker's answer to it can arrive
    const a = await submit(pool, JSON.stringify(someEvents()[0]));
    assert.equal(a.status, 500, JSON.stringify(a));
    assert.match(logs.join('\n'), /it lacks 'no such rule'\); not using it/);
  });

  test('a worker that dies while closing, before it took the batches waiting for it, fails them at once', async () => {
    const { pool } = makePool(engineFrom([RULES]), 'first', 1);
    // submitted while the worker still loads its rules: the batch waits in the pool
    const answer = submit(pool, JSON.stringify(someEvents()[0]));
    assert.equal(pool.pendingBatches, 1);
    const closed = pool.close(20_000);
    // the worker dies from outside (as an out-of-memory kill would end it) while close waits
    void (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots[0].worker.terminate();
    const t0 = Date.now();
    const a = await answer;
    await closed;
    assert.equal(a.status, 500);
    assert.ok(Date.now() - t0 < 5000, `close took ${Date.now() - t0} ms`);
  });

  test('a worker that dies answers its in-flight batch 500, is restarted, and the next batch works', async () => {
    const { pool, logs } = makePool(engineFrom([RULES]), 'first', 1, CRASHING_WORKER);
    const ev = JSON.stringify(someEvents()[0]);
    assert.equal((await submit(pool, ev)).status, 200);
    const dead = await submit(pool, JSON.stringify({ ...someEvents()[0], auditID: CRASH_MARK }));
    assert.equal(dead.status, 500);
    assert.match((dead as { error: string }).error, /worker died \(auditWorker: crash requested by a test\)/);
    assert.equal(pool.crashes, 1);
    assert.match(logs.join('\n'), /audit worker 0 died .*; restarting it/);
    assert.equal((await submit(pool, ev)).status, 200);
    assert.equal(pool.readyWorkers, 1);
  });

  test('a reload changes what workers alert on', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-pool-'));
    const rules = path.join(dir, 'r.yaml');
    const rule = (out: string) => `- rule: Configmap touched\n  desc: t\n  condition: ka.target.resource=configmaps\n  output: ${out} %ka.target.name\n  priority: WARNING\n  source: k8s_audit\n`;
    fs.writeFileSync(rules, rule('before'));
    const { pool, alerts } = makePool(engineFrom([rules]), 'first', 2);
    const cm = someEvents().find((e) => (e.objectRef as { resource?: string } | undefined)?.resource === 'configmaps')!;
    assert.equal((await submit(pool, JSON.stringify(cm))).status, 200);
    fs.writeFileSync(rules, rule('after'));
    pool.updateRules(rulesRecipe(engineFrom([rules]), 'first'));
    // two batches, so both workers have swapped engines
    assert.equal((await submit(pool, JSON.stringify(cm))).status, 200);
    assert.equal((await submit(pool, JSON.stringify(cm))).status, 200);
    assert.deepEqual(
      alerts.map((a) => a.message.split(' ')[0]),
      ['before', 'after', 'after'],
    );
    fs.rmSync(dir, { recursive: true });
  });

  test('close waits for batches in flight and emits their alerts first', async () => {
    const { pool, alerts } = makePool(engineFrom([RULES]), 'all', 2);
    const events = someEvents();
    const expected = mainThreadAlerts(engineFrom([RULES]), events, 'all').length;
    const answers = events.map((e) => submit(pool, JSON.stringify(e)));
    await pool.close(10000);
    const got = await Promise.all(answers);
    assert.ok(got.every((a) => a.status === 200));
    assert.equal(alerts.length, expected);
    assert.equal((await submit(pool, JSON.stringify(events[0]))).status, 500);
  });
  test("a rule error in a worker goes to the pool's ruleErrorLog (the main thread's logger), not the worker's stderr", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-worker-rule-error-'));
    const rules = path.join(dir, 'rules.yaml');
    fs.writeFileSync(rules, '- rule: Created\n  desc: d\n  condition: ka.verb = create\n  output: created\n  priority: WARNING\n  source: k8s_audit\n');
    const engine = engineFrom([rules]);
    fs.rmSync(dir, { recursive: true });
    const ruleErrors: string[] = [];
    const logs: string[] = [];
    const pool = new AuditWorkerPool({ threads: 1, recipe: rulesRecipe(engine, 'all'), onAlert: () => undefined, log: (m) => logs.push(m), ruleErrorLog: (m) => ruleErrors.push(m), workerScript: FAILING_FIELD_WORKER });
    pools.push(pool);
    const event = (verb: string) => JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', verb, stage: 'ResponseComplete', stageTimestamp: '2024-01-01T00:00:00Z', objectRef: { resource: 'pods' } });
    for (let i = 0; i < 10; i++) assert.equal((await submit(pool, event(FAIL_VERB))).status, 200);
    assert.equal((await submit(pool, event('create'))).status, 200);
    // the first failure, then the tenth, as RuleErrors says them
    assert.equal(ruleErrors.length, 2, ruleErrors.join('\n'));
    assert.match(ruleErrors[0], /^audit worker 0: rule 'Created': its condition failed on a k8s_audit event of type pods and was taken as no match: ka.verb failed as the test asked$/);
    assert.match(ruleErrors[1], /^audit worker 0: rule 'Created': its condition has failed 10 times/);
    assert.ok(!logs.some((l) => l.includes('its condition')), logs.join('\n'));
  });
});
