// The k8s_audit source in live mode: the webserver that receives the API
// server's audit webhooks, with its events evaluated in worker threads or, with
// webserver.threadiness -1, on this thread. Alerts are emitted by the Agent
// either way.
import type { Agent } from '../../agent';
import { type ConfigTree, get } from '../../config';
import { ENGINE_VERSION } from '../../engine/engine';
import { PostedAlert } from '../../evaluation/ruleAlert';
import type { AuditEvaluation } from '../../server/auditEvaluation';
import { AuditWorkerPool, evaluationThreads, rulesRecipe } from '../../server/auditWorkerPool';
import { MainThreadEvaluation } from '../../server/mainThreadEvaluation';
import { type MetricsEndpoint, startWebserver, type Webserver } from '../../server/webserver';
import { checkWebserverConfig, WEBSERVER_DEFAULTS, type WebserverConfig } from '../../server/webserverConfig';
import { logger } from '../../log';
import { VERSION } from '../../version';
import type { Log, RunningSource } from '../runningSource';
import { type K8sAuditEvent, toAuditEvent } from './event';

/** How long shutdown waits for evaluation workers to answer the batches they hold. */
const WORKER_DRAIN_MS = 5000;
/**
 * How long shutdown waits for the requests being read or evaluated when it
 * began; the rest have their connections closed unanswered (no 2xx, so the
 * API server sends them again).
 */
const REQUEST_DRAIN_MS = 10_000;

/** `metrics`: served on GET /metrics (webserver.prometheus_metrics_enabled with metrics.enabled) */
export function startAudit(agent: Agent, config: ConfigTree, log: Log, metrics?: MetricsEndpoint): RunningSource {
  const cfg: WebserverConfig = { ...WEBSERVER_DEFAULTS, ...get<Partial<WebserverConfig>>(config, 'webserver', {}) };
  checkWebserverConfig(cfg);
  const evaluator = agent.evaluatorFor<K8sAuditEvent>('k8s_audit');
  const onThisThread = new MainThreadEvaluation({
    accept: (obj) => evaluator.evaluate(toAuditEvent(obj)),
    // the server's own alerts (an event dropped unevaluated)
    alert: (data) => agent.emit(new PostedAlert(data)),
  });
  const threads = evaluationThreads(cfg.threadiness);
  const recipe = () => rulesRecipe(agent.engine, agent.ruleMatching, agent.alertsNeedFields);
  // a pool left with no worker falls back to this thread
  const pool = threads > 0 ? new AuditWorkerPool({ threads, recipe: recipe(), onAlert: (a) => agent.emit(a), log, ruleErrorLog: logger.warning, fallback: onThisThread }) : undefined;
  const evaluation: AuditEvaluation = pool ?? onThisThread;
  let server: Webserver;
  try {
    server = startWebserver(cfg, evaluation, { vigil: VERSION, engine: ENGINE_VERSION }, { log, metrics });
  } catch (e) {
    void evaluation.close(0);
    throw e;
  }
  const where = threads > 0 ? `, evaluating in ${threads} worker thread(s)` : ', evaluating on the main thread';
  log(`k8s_audit: webserver listening on ${cfg.listen_address}:${server.port}${cfg.k8s_audit_endpoint}${cfg.ssl_enabled ? ' (TLS)' : ''}${where}${metrics ? ', Prometheus metrics on /metrics' : ''}`);
  return {
    name: 'k8s_audit webserver',
    // the workers load the reloaded rules and swap engines between batches; the main thread's evaluator already moved (Agent.replaceEngine)
    rulesChanged: pool ? () => pool.updateRules(recipe()) : undefined,
    stop: async () => {
      // every request answered 2xx has been evaluated and its alerts emitted before the outputs close
      await server.drain(REQUEST_DRAIN_MS);
      await evaluation.close(WORKER_DRAIN_MS);
    },
  };
}
