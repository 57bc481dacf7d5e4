// Live mode: starts the enabled sources (each source's start function sits
// next to it), runs them in this process until SIGINT/SIGTERM or the -M
// duration, reloads the rules on SIGHUP, then prints the summary. A source
// that cannot start is reported and the others go on.
import type { Agent } from './agent';
import type { ConfigTree } from './config';
import type { Engine } from './engine/engine';
import type { RuleMatching } from './evaluation/sourceEvaluator';
import type { Outputs } from './outputs/outputs';
import { type Watching, watchFiles } from './fileWatch';
import { LineWriter } from './outputs/lineWriter';
import { startAudit } from './sources/k8s_audit/startAudit';
import type { RunningSource } from './sources/runningSource';
import { startSyscall } from './sources/syscall/startSyscall';
import { builtinSources } from './sources';
import { fieldsChecksum } from './engine/fieldsChecksum';
import { ENGINE_VERSION } from './engine/engine';
import { VERSION } from './version';
import { type GrpcServerConfig, grpcServerConfig } from './outputs/grpc/grpcServerConfig';
import type { GrpcServer } from './outputs/grpc/grpcServer';
import type { AgentMetrics } from './metrics/agentMetrics';
import { metricsConfig } from './metrics/metricsConfig';
import { startSnapshots } from './metrics/metricsSnapshots';
import { type DropVerdict, syscallEventDropsConfig } from './sources/syscall/syscallEventDrops';
import { InternalAlert } from './outputs/internalAlert';
import { logger } from './log';

export interface LiveOptions {
  config: ConfigTree;
  sources: string[];
  verbose: boolean;
  durationSeconds?: number;
  allEvents: boolean;
  /** -w: record the syscall capture to this scap file */
  writeFile?: string;
  dumpEvents: boolean;
  webserverEnabled: boolean;
  /** a probe artifact to load (--probe) */
  probe?: string;
  /**
   * Builds the configuration and rules again (SIGHUP, watch_config_files);
   * undefined when either has errors, which it has reported. Nothing changes
   * until it answers, and then everything it answers changes at once.
   */
  reload?: (signal: AbortSignal) => Promise<Reloaded | undefined>;
  /** the files and directories whose changes call for a reload (watch_config_files), asked again after each reload; undefined: none */
  watch?: () => { files: string[]; dirs: string[] } | undefined;
}

/** What a reload puts in place. */
export interface Reloaded {
  engine: Engine;
  ruleMatching: RuleMatching;
  /** new alert outputs, when their settings changed */
  outputs?: Outputs;
}

/** The longest a stop may take, all steps together (request drain, workers, outputs). */
const STOP_LIMIT_MS = 30_000;

const HELD_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1'];

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const log = logger.at('info');

/** The gRPC server (Falco's outputs and version APIs); a server that cannot start is logged and the agent goes on, as Falco does. */
function startGrpc(agent: Agent, cfg: GrpcServerConfig | undefined): Promise<GrpcServer | undefined> | undefined {
  if (!cfg) return undefined;
  const versions = { version: VERSION, engineVersion: ENGINE_VERSION, engineFieldsChecksum: fieldsChecksum(builtinSources()) };
  // @grpc/grpc-js and protobufjs are loaded only when the server runs
  const { startGrpcServer } = require('./outputs/grpc/grpcServer') as typeof import('./outputs/grpc/grpcServer');
  return startGrpcServer(cfg, agent.outputs.grpcChannel, versions).then(
    (server) => {
      log(`grpc: serving Falco's outputs and version APIs on ${server.address}${cfg.bindAddress.startsWith('unix:') ? '' : ' (mutual TLS)'}${agent.outputs.grpcChannel ? '' : '; grpc_output is off, so no alerts are queued for it'}`);
      return server;
    },
    (e: unknown) => {
      logger.error(`grpc: the server could not start on ${cfg.bindAddress}: ${(e as Error)?.message ?? String(e)}`);
      return undefined;
    },
  );
}

const CRITICAL = 2;

/** syscall_event_drops' actions: log, the internal alert Falco raises (its rule name and priority), exit */
function dropActions(agent: Agent, fatal: (why: string) => void): (v: DropVerdict) => void {
  return (v) => {
    const what = `${v.dropped} syscall event(s) dropped by the probe in the last second (${(v.ratio * 100).toFixed(2)}% of ${v.seen + v.dropped}; ring buffer full)`;
    if (v.actions.includes('log')) logger.warning(`syscall: ${what}`);
    if (v.actions.includes('alert')) {
      const fields = { n_drops: v.dropped, n_evts: v.seen + v.dropped, drop_ratio: Number(v.ratio.toFixed(6)) };
      agent.emit(new InternalAlert('Falco internal: syscall event drop', CRITICAL, `Falco internal: syscall event drop. ${v.dropped} system calls dropped in last second.`, fields));
    }
    if (v.actions.includes('exit')) fatal(`syscall_event_drops: ${what}; exiting as its actions say`);
  };
}

export function runLive(agent: Agent, opts: LiveOptions): Promise<number> {
  // settings are checked before anything starts
  const grpcConfig = grpcServerConfig(opts.config);
  const metricsCfg = metricsConfig(opts.config);
  const drops = syscallEventDropsConfig(opts.config);
  // a signal that comes while the sources start (they say they listen before the handlers below are
  // in place) is held and acted on once they are, instead of ending the process as its default does
  const early: NodeJS.Signals[] = [];
  const holdEarly = (sig: NodeJS.Signals): void => void early.push(sig);
  for (const sig of HELD_SIGNALS) process.on(sig, holdEarly);
  // prom-client is loaded only when metrics are on
  const metrics: AgentMetrics | undefined = metricsCfg.enabled ? new (require('./metrics/agentMetrics') as typeof import('./metrics/agentMetrics')).AgentMetrics(agent, metricsCfg) : undefined;
  const running: RunningSource[] = [];
  let failed = false;
  let requestStop: ((why: string) => void) | undefined;
  const fatal = (why: string): void => {
    failed = true;
    logger.error(why);
    requestStop?.(why);
  };
  if (opts.sources.includes('k8s_audit') && opts.webserverEnabled) {
    try {
      running.push(startAudit(agent, opts.config, log, metricsCfg.prometheus ? metrics : undefined));
    } catch (e) {
      failed = true;
      logger.error(`k8s_audit: the webserver could not start: ${(e as Error).message}`);
    }
  }
  if (opts.sources.includes('syscall')) {
    try {
      const dump = opts.dumpEvents ? new LineWriter(1, false) : undefined;
      running.push(startSyscall(agent, { config: opts.config, verbose: opts.verbose, allEvents: opts.allEvents, dump, writeFile: opts.writeFile, probe: opts.probe, drops: { config: drops, act: dropActions(agent, fatal) }, metrics }, log));
    } catch (e) {
      failed = true;
      logger.error(`syscall: capture could not start: ${(e as Error).message}`);
    }
  }
  if (running.length === 0) {
    for (const sig of HELD_SIGNALS) process.off(sig, holdEarly);
    logger.error('no source is running (all disabled or failed to start); exiting');
    return Promise.resolve(1);
  }
  const grpc = startGrpc(agent, grpcConfig);
  const stopSnapshots = metrics ? startSnapshots(metrics, agent, log) : () => undefined;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let watching: Watching | undefined;
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
      // the stop is bounded: each step has its own limit, and this catches whatever still hangs
      setTimeout(() => {
        logger.error(`stopping took more than ${STOP_LIMIT_MS / 1000} s; exiting now`);
        process.exit(1);
      }, STOP_LIMIT_MS).unref();
      stopSnapshots();
      process.off('SIGHUP', onReload);
      watching?.close();
      stopped.abort();
      if (opts.verbose) log(`stopping: ${why}`);
      // a source that fails to stop must not cost the alerts already accepted
      await Promise.all(
        running.map(async (r) => {
          try {
            await r.stop();
          } catch (e) {
            failed = true;
            logger.error(`${r.name}: stopping failed: ${(e as Error).message}`);
          }
        }),
      );
      await agent.outputs.close();
      await (await grpc)?.close();
      for (const line of agent.outputs.lossReport()) logger.warning(line);
      process.stdout.write(agent.summary());
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGUSR1', onReopen);
      resolve(failed ? 1 : 0);
    };
    const onSignal = (sig: NodeJS.Signals): void => void stop(sig);
    requestStop = (why) => void stop(why);
    // SIGHUP reloads the rules, as with Falco; rules with errors leave the running ones in place.
    // The events keep flowing while a reload builds; a SIGHUP during one asks for one more after it.
    let reloading = false;
    let reloadAgain = false;
    // a reload still building when the agent stops is abandoned, not waited for
    const stopped = new AbortController();
    const reload = async (): Promise<void> => {
      let next: Reloaded | undefined;
      try {
        next = await opts.reload?.(stopped.signal);
      } catch (e) {
        logger.error(`rules reload: ${(e as Error).message}`);
      }
      if (stopping) return;
      if (!next) {
        logger.error('rules reload failed; the configuration and rules loaded before stay in effect');
        return;
      }
      // one synchronous step: no event is evaluated or alert emitted between these
      const oldOutputs = next.outputs ? agent.outputs : undefined;
      if (next.outputs) agent.outputs = next.outputs;
      agent.replaceEngine(next.engine, next.ruleMatching);
      // the files of the new configuration are watched before the line says it is in effect
      rewatch();
      log(`rules reloaded: ${next.engine.rules.filter((r) => r.enabled).length} enabled rule(s)${next.outputs ? '; outputs rebuilt' : ''}`);
      for (const r of running) r.rulesChanged?.();
      if (oldOutputs && next.outputs) {
        const replaced = next.outputs;
        void oldOutputs.handOver(replaced).catch((e: unknown) => logger.error(`outputs: closing the replaced outputs failed: ${(e as Error)?.message ?? String(e)}`));
      }
    };
    const rewatch = (): void => {
      watching?.close();
      const w = opts.watch?.();
      watching = w ? watchFiles(w.files, w.dirs, (file) => {
        log(`watch_config_files: ${file} changed; reloading`);
        onReload();
      }, log) : undefined;
    };
    const onReload = (): void => {
      if (reloading) {
        reloadAgain = true;
        return;
      }
      reloading = true;
      void reload().finally(() => {
        reloading = false;
        if (stopping) return;
        if (reloadAgain) {
          reloadAgain = false;
          onReload();
        }
      });
    };
    // SIGUSR1 closes and opens file outputs and kept-alive programs again, as with Falco (log rotation)
    const onReopen = (): void => {
      agent.outputs.reopen();
      if (opts.verbose) log('outputs reopened (SIGUSR1)');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onReload);
    process.on('SIGUSR1', onReopen);
    for (const sig of HELD_SIGNALS) process.off(sig, holdEarly);
    rewatch();
    for (const sig of early) process.emit(sig, sig);
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
