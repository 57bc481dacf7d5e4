// The syscall source in live mode: the probe's capture (capture.ts), state
// seeded from /proc, each batch through the tracker to the evaluator
// (batchHandler.ts), the capture set following the rules on reload, and the
// exit line with the probe's counts.
import type { Agent } from '../../agent';
import type { ConfigTree } from '../../config';
import type { Log, RunningSource } from '../runningSource';
import { batchHandler } from './batchHandler';
import { type Capture, startCapture } from './capture';
import { syscallsToCapture } from './captureSet';
import { type ContainerInfo, containerStoreFromConfig, metaEvent } from './containers';
import { EventView } from './decode';
import { dumpLine } from './dumpLine';
import { SyscallEvent } from './state/syscallEvent';
import { hostPaths } from './state/hostRoot';
import { StateTracker } from './state/tracker';
import { UserDb } from './state/userDb';
import { DropWatch } from './dropWatch';
import { DEFAULT_RING_BYTES } from './probe';
import { DropMonitor, type DropVerdict, type SyscallEventDropsConfig } from './syscallEventDrops';
import type { SyscallMetricsSource } from '../../metrics/agentMetrics';
import { ScapWriter } from './scap/scapWriter';
import { captureConfig, RuleCapture } from './scap/ruleCapture';

export interface SyscallOptions {
  /** the configuration: `container_engines`, `capture.*` (Falco's rule captures) */
  config: ConfigTree;
  verbose: boolean;
  /** capture every syscall the probe knows, not only those the rules need (-A) */
  allEvents: boolean;
  /** where every captured event goes as a line (--dump-events); closed when the source stops */
  dump?: { write(line: string): void; close(): void };
  /** a probe artifact to load (--probe, npm run probe:build); without it the probe is chosen for this kernel */
  probe?: string;
  /** syscall_event_drops, and what to do when its threshold is crossed (log, alert, exit: the agent's part) */
  drops?: { config: SyscallEventDropsConfig; act(v: DropVerdict): void };
  /** the metrics read the capture's counters and the state table through this */
  metrics?: { setSyscall(src: SyscallMetricsSource | undefined): void };
  /** -w: record the capture to this scap file (state first, then every event) */
  writeFile?: string;
}

/**
 * VIGIL_SYSCALL_RING_BYTES: the probe's ring buffer size in bytes (a power of
 * two, at least a page; default 8 MiB). Falco's engine.*.buf_size_preset
 * sizes per-CPU buffers from 1 MiB up; this sizes Vigil's one ring, down to a
 * page, which the live tests use to make the probe drop.
 */
function ringBytesFromEnv(): number | undefined {
  const v = process.env.VIGIL_SYSCALL_RING_BYTES;
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v.trim())) throw new Error(`VIGIL_SYSCALL_RING_BYTES: expected a number of bytes, got '${v}'`);
  return Number(v);
}

export function startSyscall(agent: Agent, opts: SyscallOptions, log: Log): RunningSource {
  const evaluator = agent.evaluatorFor<SyscallEvent>('syscall');
  // a recording holds every syscall the probe knows, whatever the rules need
  const captureAll = opts.allEvents || opts.writeFile !== undefined;
  const syscalls = syscallsToCapture(evaluator.ruleset.eventTypes(), captureAll);
  const host = hostPaths(process.env.HOST_ROOT);
  if (process.env.HOST_ROOT) log(`syscall: host files under HOST_ROOT=${process.env.HOST_ROOT} (${host.procRoot}, ${host.passwd})`);
  // container and container_removed events go to the rules whose event types name them, on their own
  // SyscallEvent: they arrive from runtime answers and timers, between batches
  const onContainer = (kind: 'container' | 'container_removed', info: ContainerInfo): void => {
    const types = evaluator.ruleset.eventTypes();
    if (types !== 'all' && !types.has(kind)) return;
    const bytes = metaEvent(kind, info, BigInt(Date.now()) * 1_000_000n);
    const view = new EventView(bytes);
    view.moveTo(0, bytes.byteLength);
    metaEv.view = view;
    metaEv.container = info;
    metaEv.num = tracker.event.num;
    try {
      onEvent(metaEv);
    } catch (err) {
      onFailure(err, view);
    }
  };
  const containers = containerStoreFromConfig(opts.config, log, onContainer, process.env.HOST_ROOT);
  const tracker = new StateTracker({ procRoot: host.procRoot, users: new UserDb(host.passwd, host.group), containers });
  const metaEv = new SyscallEvent(tracker.threads, tracker.users);
  metaEv.containers = containers;
  const dump = opts.dump;
  let writer: ScapWriter | undefined;
  // Falco's rule captures (capture.enabled, rules with capture: true)
  const captureCfg = captureConfig(opts.config);
  const ruleCapture = captureCfg.enabled ? new RuleCapture(captureCfg, log) : undefined;
  if (ruleCapture) evaluator.alertObserver = (rule, e) => ruleCapture.onAlert(rule, e);
  const evaluateOnly = dump
    ? (e: SyscallEvent): void => {
        dump.write(dumpLine(e));
        evaluator.evaluate(e);
      }
    : (e: SyscallEvent): void => evaluator.evaluate(e);
  const evaluate = ruleCapture
    ? (e: SyscallEvent): void => {
        evaluateOnly(e);
        ruleCapture.afterEvent(e);
      }
    : evaluateOnly;
  const onEvent = opts.writeFile === undefined
    ? evaluate
    : (e: SyscallEvent): void => {
        if (writer !== undefined) {
          try {
            writer.writeEvent(e.view);
          } catch (err) {
            // a full disk ends the recording, not the agent
            log(`syscall: recording to ${writer.path} stopped: ${(err as Error).message}`);
            void writer.close().catch(() => undefined);
            writer = undefined;
          }
        }
        evaluate(e);
      };
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
  let capture: Capture;
  let ringBytes: number | undefined;
  try {
    ringBytes = ringBytesFromEnv();
    capture = startCapture({ syscalls, probe: opts.probe, ringBytes }, batchHandler(tracker, onEvent, onFailure));
  } catch (e) {
    containers.close();
    if (ringBytes !== undefined && (e as { code?: string }).code === 'BAD_OPTION') throw new Error(`VIGIL_SYSCALL_RING_BYTES: ${(e as Error).message}`);
    throw e;
  }
  let seeded: number;
  try {
    seeded = tracker.seed();
  } catch (e) {
    capture.stop();
    containers.close();
    throw e;
  }
  if (opts.writeFile !== undefined) {
    try {
      writer = new ScapWriter(opts.writeFile);
      // the state the events apply to comes first, as libs writes it
      writer.writeState({ threads: tracker.threads, users: tracker.users.userEntries(), groups: tracker.users.groupEntries() });
    } catch (e) {
      capture.stop();
      containers.close();
      throw new Error(`cannot record to ${opts.writeFile}: ${(e as Error).message}`);
    }
  }
  const what = syscalls === 'all' ? 'all syscalls' : `${syscalls.length} syscalls`;
  log(`syscall: capturing ${what} (${seeded} threads read from /proc)${writer ? `, recording to ${writer.path}` : ''}`);
  opts.metrics?.setSyscall({
    stats: () => capture.stats(),
    ringBytes: ringBytes ?? DEFAULT_RING_BYTES,
    threads: () => tracker.threads.size,
    procReads: () => tracker.procReads,
  });
  if (opts.verbose && syscalls !== 'all') log(`syscall: ${syscalls.join(', ')}`);
  if (capture.choice) log(`syscall: probe: ${capture.choice.variant}: ${capture.choice.why}`);
  log(`syscall: probe hooks: ${capture.probe.describeHooks()}`);
  // one watch of the probe's drop counters: said on stderr, and syscall_event_drops checked each second
  const monitor = opts.drops ? new DropMonitor(opts.drops.config, Date.now()) : undefined;
  const onPoll = (seen: number, dropped: number): void => {
    const v = monitor?.check(seen, dropped, Date.now());
    if (v) opts.drops?.act(v);
  };
  const drops = new DropWatch(() => capture.probe.stats(), { log, onPoll });
  drops.start();
  return {
    name: 'syscall capture',
    rulesChanged: () => {
      const now = syscallsToCapture(evaluator.ruleset.eventTypes(), captureAll);
      capture.setSyscalls(now);
      log(`syscall: now capturing ${now === 'all' ? 'all syscalls' : `${now.length} syscalls`}; probe hooks: ${capture.probe.describeHooks()}`);
      if (opts.verbose && now !== 'all') log(`syscall: ${now.join(', ')}`);
    },
    stop: async () => {
      try {
        capture.drainNow();
      } catch (e) {
        // the stats, the probe's release and the exit line still follow
        log(`syscall: the last drain failed: ${(e as Error).message}`);
      }
      drops.stop();
      const st = capture.stats();
      capture.stop();
      containers.close();
      const cs = containers.stats;
      if (opts.verbose) log(`containers: ${containers.size} known, ${cs.lookups} lookups, ${cs.described} described, ${cs.unknown} unknown to every runtime, ${cs.failures} runtime failures, ${cs.removed} removed`);
      dump?.close();
      const failures = failed + undecodable > 0 ? `, ${failed} events failed evaluation, ${undecodable} batches cut short by an undecodable event` : '';
      log(`syscall: ${evaluator.events} events evaluated, ${st.total.seen} seen by the probe, ${st.total.dropped} dropped, ${st.total.truncated} parameters truncated, ${st.total.ia32_unhandled} ia32 syscalls not decoded${failures}`);
      await ruleCapture?.close();
      if (writer !== undefined) {
        const w = writer;
        writer = undefined;
        try {
          await w.close();
          log(`syscall: ${w.stats.events} events recorded to ${w.path} (${w.stats.bytes} bytes before compression)`);
        } catch (e) {
          log(`syscall: recording to ${w.path} failed: ${(e as Error).message}`);
          throw e;
        }
      }
    },
  };
}
