// An audit evaluation worker thread: decodes the bodies the main thread hands
// it (the same decodeAuditBytes, the same size checks) and evaluates them with
// the same SourceEvaluator as the main thread, against its own Engine built
// from the main thread's rules recipe. Answers with the batch facts and the
// alerts as plain data; the main thread emits them.
import { parentPort } from 'node:worker_threads';
import { Engine } from '../engine/engine';
import { RuleErrors } from '../engine/ruleErrors';
import { type AlertData, alertData } from '../evaluation/ruleAlert';
import { SourceEvaluator } from '../evaluation/sourceEvaluator';
import { type K8sAuditEvent, k8sAuditSource, toAuditEvent } from '../sources/k8s_audit';
import type { BatchFacts } from './auditEvaluation';
import { decodeAuditBytes } from './auditBody';
import { droppedEventAlertData } from './droppedEventAlert';
import { enabledDifference } from './enabledDifference';
import type { FromWorker, RulesRecipe, ToWorker } from './auditWorkerProtocol';

const port = parentPort;
if (!port) throw new Error('auditWorker.ts runs only as a worker thread (see auditWorkerPool.ts)');

// a rule whose condition throws is no match; the lines RuleErrors says (the first, then at 10, 100, ...) go to the main thread's logger
const ruleErrors = new RuleErrors((msg) => post({ type: 'ruleError', msg }));

/** the alerts of the batch being evaluated */
let alerts: AlertData[] = [];
let withFields = true;
let evaluator: SourceEvaluator<K8sAuditEvent> | undefined;

function post(msg: FromWorker): void {
  port!.postMessage(msg);
}

/**
 * Builds the k8s_audit rules of the recipe from the main thread's merged
 * definitions (the YAML is read once, there); returns the evaluator
 * with the names of its enabled rules, or throws with the load errors.
 */
function loadRules(recipe: RulesRecipe): { evaluator: SourceEvaluator<K8sAuditEvent>; enabled: string[] } {
  const engine = new Engine([k8sAuditSource], { appends: recipe.appends, staticFields: recipe.staticFields });
  const res = engine.loadCollected(recipe.collected);
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
  const onAlert = (alert: Parameters<typeof alertData>[0]): void => void alerts.push(alertData(alert, withFields));
  return { evaluator: new SourceEvaluator(engine.ruleset<K8sAuditEvent>('k8s_audit'), recipe.ruleMatching, onAlert, ruleErrors), enabled: enabledNames };
}

function evaluateBatch(id: number, body: ArrayBuffer, length: number, maxEventSize: number): FromWorker {
  if (!evaluator) return { type: 'done', id, status: 500, error: 'evaluation worker has no rules loaded' };
  const decoded = decodeAuditBytes(Buffer.from(body, 0, length), length, maxEventSize);
  if ('error' in decoded) return { type: 'done', id, status: 400, error: decoded.error };
  const batch = decoded.batch;
  const facts: BatchFacts = { rejected: batch.rejected, reasons: batch.reasons, dropped: batch.dropped, events: batch.events.length, accepted: 0, failed: 0 };
  alerts = [];
  for (const obj of batch.droppedEvents) alerts.push(droppedEventAlertData(obj, maxEventSize, withFields));
  for (const obj of batch.events) {
    try {
      evaluator.evaluate(toAuditEvent(obj));
      facts.accepted++;
    } catch (err) {
      facts.failed++;
      if (facts.firstError === undefined) facts.firstError = (err as Error)?.message ?? String(err);
    }
  }
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
        evaluator = loaded.evaluator;
        withFields = msg.recipe.withFields;
        post({ type: 'rules', gen: msg.gen, enabled: loaded.enabled });
      } catch (err) {
        evaluator = undefined;
        post({ type: 'rulesFailed', gen: msg.gen, error: (err as Error).message });
      }
      return;
    }
    case 'batch':
      post(evaluateBatch(msg.id, msg.body, msg.length, msg.maxEventSize));
      return;
  }
});
