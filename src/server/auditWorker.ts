// An audit evaluation worker thread: decodes the bodies the main thread hands
// it (the same decodeAuditBody, the same size checks) and evaluates them
// against its own Engine, built from the main thread's rules recipe. Answers
// with the batch facts and the alerts as plain data; the main thread emits them.
import { parentPort } from 'node:worker_threads';
import { Engine, type CompiledRule } from '../engine/engine';
import { RuleErrors } from '../engine/ruleErrors';
import type { Ruleset } from '../engine/ruleset';
import { builtinSources } from '../sources';
import { type K8sAuditEvent, toAuditEvent } from '../sources/k8s_audit';
import { decodeAuditBody } from './auditBody';
import { enabledDifference } from './enabledDifference';
import type { BatchFacts, FromWorker, PostedAlertData, RulesRecipe, ToWorker } from './auditWorkerProtocol';

const port = parentPort;
if (!port) throw new Error('auditWorker.ts runs only as a worker thread (see auditWorkerPool.ts)');

let ruleset: Ruleset<K8sAuditEvent> | undefined;
let matching: 'first' | 'all' = 'first';
let withFields = true;

// the batch being evaluated; the match callback is built once
let alerts: PostedAlertData[] = [];
let current: K8sAuditEvent | undefined;
const onMatch = (rule: CompiledRule<K8sAuditEvent>): void => {
  const evt = current!;
  alerts.push({
    rule: rule.name,
    priority: rule.priority,
    source: rule.source,
    tags: rule.tags,
    message: rule.output.render(evt),
    time: ruleset!.source.time(evt),
    fields: withFields ? rule.output.fields(evt) : undefined,
  });
};

// a rule whose condition throws is no match; said on this worker's stderr, which is the process's
const ruleErrors = new RuleErrors((msg) => process.stderr.write(`audit worker: ${msg}\n`));
const onError = (rule: CompiledRule<K8sAuditEvent>, err: unknown): void => {
  ruleErrors.report(rule.name, err, 'k8s_audit', ruleset?.source.eventType?.(current!));
};

function post(msg: FromWorker): void {
  port!.postMessage(msg);
}

/** Builds the engine; returns it with the names of its enabled rules, or throws with the load errors. */
function loadRules(recipe: RulesRecipe): { ruleset: Ruleset<K8sAuditEvent>; enabled: string[] } {
  const engine = new Engine(builtinSources());
  const res = engine.loadRulesContent(recipe.files.map((f) => ({ name: f.name, content: f.content })));
  if (res.errors.length > 0) throw new Error(`rules do not load in the worker: ${res.errors[0].format()}`);
  const enabled = new Set(recipe.enabled);
  for (const r of engine.rules) {
    const want = enabled.has(r.name);
    if (r.enabled !== want) engine.enableRules({ name: r.name }, want);
  }
  const enabledNames = engine.rules.filter((r) => r.enabled).map((r) => r.name);
  // checked here, before the rules are installed: batches already queued behind them must not be evaluated with other rules
  const differs = enabledDifference(recipe.enabled, enabledNames);
  if (differs) throw new Error(`its enabled rules differ from the main thread's (${differs})`);
  return { ruleset: engine.ruleset<K8sAuditEvent>('k8s_audit'), enabled: enabledNames };
}

function evaluateBatch(id: number, body: ArrayBuffer, length: number, maxEventSize: number): FromWorker {
  if (!ruleset) return { type: 'done', id, status: 500, error: 'evaluation worker has no rules loaded' };
  const decoded = decodeAuditBody(Buffer.from(body, 0, length).toString('utf8'), maxEventSize);
  if ('error' in decoded) return { type: 'done', id, status: 400, error: decoded.error };
  const batch = decoded.batch;
  const facts: BatchFacts = { rejected: batch.rejected, reasons: batch.reasons, dropped: batch.dropped, events: batch.events.length, accepted: 0, failed: 0 };
  alerts = [];
  for (const obj of batch.events) {
    try {
      current = toAuditEvent(obj);
      ruleset.match(current, matching, onMatch, onError);
      facts.accepted++;
    } catch (err) {
      facts.failed++;
      if (facts.firstError === undefined) facts.firstError = (err as Error)?.message ?? String(err);
    }
  }
  current = undefined;
  const out = alerts;
  alerts = [];
  return { type: 'done', id, facts, alerts: out };
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'rules': {
      // a reload swaps engines between batches: messages are handled in order
      try {
        const loaded = loadRules(msg.recipe);
        ruleset = loaded.ruleset;
        matching = msg.recipe.ruleMatching;
        withFields = msg.recipe.withFields;
        post({ type: 'rules', gen: msg.gen, enabled: loaded.enabled });
      } catch (err) {
        ruleset = undefined;
        post({ type: 'rulesFailed', gen: msg.gen, error: (err as Error).message });
      }
      return;
    }
    case 'batch':
      if (msg.crashForTest) {
        setImmediate(() => {
          throw new Error('auditWorker: crash requested by a test');
        });
        return;
      }
      post(evaluateBatch(msg.id, msg.body, msg.length, msg.maxEventSize));
      return;
  }
});
