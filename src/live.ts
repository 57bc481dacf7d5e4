// Live mode: runs the enabled sources (the audit webserver, syscall capture)
// in this process until SIGINT/SIGTERM or the -M duration, then prints the
// summary. A source that cannot start is reported and the others go on.
import type { Agent } from './agent';
import { type ConfigTree, get } from './config';
import { startWebserver, WEBSERVER_DEFAULTS, type Webserver, type WebserverConfig } from './server/webserver';
import { AuditWorkerPool, evaluationThreads, rulesRecipe } from './server/auditWorkerPool';
import { checkWebserverConfig } from './server/webserverConfig';
import { toAuditEvent, type K8sAuditEvent } from './sources/k8s_audit';
import { VERSION } from './version';
import { type Engine, ENGINE_VERSION } from './engine/engine';
import { LineWriter } from './outputs/lineWriter';
import { clockTime } from './outputs/timeFormat';
import { batchHandler, StateTracker, type SyscallEvent } from './sources/syscall';
import { syscallsToCapture } from './sources/syscall/captureSet';

export { syscallsToCapture };
import { startCapture, type Capture } from './sources/syscall/capture';
import { EventView } from './sources/syscall/decode';
import { paramText } from './sources/syscall/fields/argText';

export interface LiveOptions {
  config: ConfigTree;
  sources: string[];
  verbose: boolean;
  durationSeconds?: number;
  allEvents: boolean;
  dumpEvents: boolean;
  webserverEnabled: boolean;
  /** loads the rules again (SIGHUP); undefined when they have errors, which it has reported */
  reloadEngine?: () => Engine | undefined;
}

/** How long shutdown waits for evaluation workers to answer the batches they hold. */
const WORKER_DRAIN_MS = 5000;

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Running {
  name: string;
  /** may finish later (the webserver waits for its evaluation workers) */
  stop(): void | Promise<void>;
  /** the rules were reloaded: adapt to what the new rules need */
  rulesChanged?(): void;
}

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

function startAudit(agent: Agent, config: ConfigTree): Running {
  const cfg: WebserverConfig = { ...WEBSERVER_DEFAULTS, ...get<Partial<WebserverConfig>>(config, 'webserver', {}) };
  const evaluator = agent.evaluatorFor<K8sAuditEvent>('k8s_audit');
  const sink = { accept: (obj: Record<string, unknown>) => evaluator.evaluate(toAuditEvent(obj)) };
  const versions = { vigil: VERSION, engine: ENGINE_VERSION };
  // the pool is sized from the config before startWebserver would check it
  checkWebserverConfig(cfg);
  const threads = evaluationThreads(cfg.threadiness);
  const where = threads > 0 ? `, evaluating in ${threads} worker thread(s)` : ', evaluating on the main thread';
  if (threads === 0) {
    const server: Webserver = startWebserver(cfg, sink, versions);
    log(`k8s_audit: webserver listening on ${cfg.listen_address}:${server.port}${cfg.k8s_audit_endpoint}${cfg.ssl_enabled ? ' (TLS)' : ''}${where}`);
    return { name: 'k8s_audit webserver', stop: () => server.close() };
  }
  const withFields = agent.outputs.format.json && agent.outputs.format.includeOutputFields;
  const pool = new AuditWorkerPool({
    threads,
    recipe: rulesRecipe(agent.engine, agent.ruleMatching, withFields),
    onAlert: (a) => agent.emitAlert(a),
    log,
    fallback: sink,
  });
  let server: Webserver;
  try {
    server = startWebserver(cfg, pool, versions);
  } catch (e) {
    void pool.close(0);
    throw e;
  }
  log(`k8s_audit: webserver listening on ${cfg.listen_address}:${server.port}${cfg.k8s_audit_endpoint}${cfg.ssl_enabled ? ' (TLS)' : ''}${where}`);
  return {
    name: 'k8s_audit webserver',
    // the workers load the reloaded rules and swap engines between batches
    rulesChanged: () => pool.updateRules(rulesRecipe(agent.engine, agent.ruleMatching, withFields)),
    stop: async () => {
      server.close();
      // batches the workers hold are answered, and their alerts emitted, before the outputs close
      await pool.close(WORKER_DRAIN_MS);
    },
  };
}

/** One event as a line, sysdig-like: `num time cpu proc (tid) dir type args`; a value the probe cut ends in "...". */
export function dumpLine(e: SyscallEvent): string {
  const v = e.view;
  const params = v.info?.params;
  let args = '';
  for (let i = 0; i < v.nparams; i++) args += ` ${params?.[i]?.name ?? `p${i}`}=${paramText(v, i) ?? '<NA>'}${v.truncated(i) ? '...' : ''}`;
  return `${e.num} ${clockTime(v.ts)} - ${e.thread?.comm ?? '<NA>'} (${v.tid}) ${v.info?.dir ?? '?'} ${v.name}${args}`;
}

function startSyscall(agent: Agent, opts: LiveOptions): Running {
  const evaluator = agent.evaluatorFor<SyscallEvent>('syscall');
  const syscalls = syscallsToCapture(evaluator.ruleset.eventTypes(), opts.allEvents);
  const tracker = new StateTracker(new EventView(new ArrayBuffer(0)));
  const dump = opts.dumpEvents ? new LineWriter(1, false) : undefined;
  const onEvent = dump
    ? (e: SyscallEvent): void => {
        dump.write(dumpLine(e));
        evaluator.evaluate(e);
      }
    : (e: SyscallEvent): void => evaluator.evaluate(e);
  // an event that throws is counted and skipped; the first is logged whole,
  // then the count with the latest error at 10, 100, 1000... failures
  let failed = 0;
  let undecodable = 0;
  let nextReport = 10;
  const onFailure = (err: unknown, v: EventView | undefined): void => {
    if (v) failed++;
    else undecodable++;
    const n = failed + undecodable;
    const what = v ? `a ${v.name} event (tid ${v.tid}) failed` : 'a batch could not be decoded, its remaining events are lost';
    if (n === 1) {
      log(`syscall: ${what}: ${(err as Error)?.stack ?? String(err)}; going on, failures are counted in the exit line`);
    } else if (n === nextReport) {
      nextReport *= 10;
      log(`syscall: ${failed} events failed evaluation and ${undecodable} batches were cut short so far; latest: ${what}: ${(err as Error)?.message ?? String(err)}`);
    }
  };
  // capture first, then read /proc: what changes meanwhile waits in the ring
  // buffer (drained only on a later turn) and is applied on top of the seed
  const capture: Capture = startCapture({ syscalls }, batchHandler(tracker, onEvent, onFailure));
  let seeded: number;
  try {
    seeded = tracker.seed();
  } catch (e) {
    capture.stop();
    throw e;
  }
  const what = syscalls === 'all' ? 'all syscalls' : `${syscalls.length} syscalls`;
  log(`syscall: capturing ${what} (${seeded} threads read from /proc)`);
  if (opts.verbose && syscalls !== 'all') log(`syscall: ${syscalls.join(', ')}`);
  return {
    name: 'syscall capture',
    rulesChanged: () => {
      const now = syscallsToCapture(evaluator.ruleset.eventTypes(), opts.allEvents);
      capture.setSyscalls(now);
      log(`syscall: now capturing ${now === 'all' ? 'all syscalls' : `${now.length} syscalls`}`);
      if (opts.verbose && now !== 'all') log(`syscall: ${now.join(', ')}`);
    },
    stop: () => {
      try {
        capture.drainNow();
      } catch (e) {
        // the stats, the probe's release and the exit line still follow
        log(`syscall: the last drain failed: ${(e as Error).message}`);
      }
      const st = capture.stats();
      capture.stop();
      dump?.close();
      const failures = failed + undecodable > 0 ? `, ${failed} events failed evaluation, ${undecodable} batches cut short by an undecodable event` : '';
      log(`syscall: ${evaluator.events} events evaluated, ${st.total.seen} seen by the probe, ${st.total.dropped} dropped, ${st.total.truncated} parameters truncated, ${st.total.ia32_unhandled} ia32 syscalls not decoded${failures}`);
    },
  };
}

export function runLive(agent: Agent, opts: LiveOptions): Promise<number> {
  const running: Running[] = [];
  let failed = false;
  if (opts.sources.includes('k8s_audit') && opts.webserverEnabled) {
    try {
      running.push(startAudit(agent, opts.config));
    } catch (e) {
      failed = true;
      log(`k8s_audit: the webserver could not start: ${(e as Error).message}`);
    }
  }
  if (opts.sources.includes('syscall')) {
    try {
      running.push(startSyscall(agent, opts));
    } catch (e) {
      failed = true;
      log(`syscall: capture could not start: ${(e as Error).message}`);
    }
  }
  if (running.length === 0) {
    log('no source is running (all disabled or failed to start); exiting');
    return Promise.resolve(1);
  }
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let stopping = false;
    const stop = async (why: string): Promise<void> => {
      // a second signal while sources finish (workers answering their batches)
      // must not kill the process before the alerts are written and the summary printed
      if (stopping) {
        log(`${why}: already stopping, waiting for the sources to finish`);
        return;
      }
      stopping = true;
      if (timer) clearTimeout(timer);
      process.off('SIGHUP', onReload);
      if (opts.verbose) log(`stopping: ${why}`);
      // a source that fails to stop must not cost the alerts already accepted
      await Promise.all(
        running.map(async (r) => {
          try {
            await r.stop();
          } catch (e) {
            failed = true;
            log(`${r.name}: stopping failed: ${(e as Error).message}`);
          }
        }),
      );
      agent.outputs.close();
      process.stdout.write(agent.summary());
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(failed ? 1 : 0);
    };
    const onSignal = (sig: NodeJS.Signals): void => void stop(sig);
    // SIGHUP reloads the rules, as with Falco; rules with errors leave the running ones in place
    const onReload = (): void => {
      let engine: Engine | undefined;
      try {
        engine = opts.reloadEngine?.();
      } catch (e) {
        log(`rules reload: ${(e as Error).message}`);
      }
      if (!engine) {
        log('rules reload failed; the rules loaded before stay in effect');
        return;
      }
      agent.replaceEngine(engine);
      log(`rules reloaded: ${engine.rules.filter((r) => r.enabled).length} enabled rule(s)`);
      for (const r of running) r.rulesChanged?.();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onReload);
    if (opts.durationSeconds !== undefined) {
      // setTimeout fires at once for delays above 2^31-1 ms, so a long -M waits in steps
      const deadline = Date.now() + opts.durationSeconds * 1000;
      const arm = (): void => {
        const left = deadline - Date.now();
        timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(() => void stop(`-M ${opts.durationSeconds}s elapsed`), Math.max(0, left));
      };
      arm();
    }
  });
}
