// npm run bench:capture -- the cost and throughput of syscall capture, in one run:
// 1. live: the C generator (bench/syscallGenerator.c: open/read/close/stat and
//    an occasional connect to a loopback listener, one process per CPU) with
//    and without the agent capturing open/openat/close/socket/connect, every
//    event decoded (bench/eventWalker.ts), no rules; runs alternate to average
//    out noise. Prints ops/s both ways, ratio, events/s, drops, agent CPU.
// 2. live high rate: the generator's close mode (close(-1) in a tight loop, the
//    cheapest syscall the probe reports) on 1 and on CPUs processes, with and
//    without the agent capturing only close through the agent's default ring
//    size, every event decoded. Prints generated and decoded events/s, drops,
//    agent CPU and events per agent CPU-second, against the 1M/s target.
// 3. pre-filled ring: the generator fills a large ring nobody drains, then
//    user space drains and decodes it flat out -- the user-space ceiling,
//    split into native drain (ring -> batch) and JS decode; meanwhile the
//    kernel's BPF run-time stats give the probe's cost per syscall and event.
// 4. idle cost: a getppid() loop (a syscall no rule wants) with and without
//    the agent capturing the default rules' set, in alternating pairs; the
//    added CPU time per call is what every syscall a host makes pays for the
//    agent. Measured with the exit hooks as the agent chooses them and, in
//    the same run, with every exit through the generic sys_exit hook (the
//    probe's hooks before per-syscall exits) for comparison.
// 5. redis-benchmark against a private redis-server with and without the agent
//    capturing what the default rules need (rules/falco_rules.yaml through
//    syscallsToCapture, as the agent does), in short paired runs whose order
//    alternates (without/with, then with/without); the median of the pair
//    ratios is the result, min and max show the noise. redis-server's CPU
//    time per request, paired the same way, is the steadier measure of the
//    probe's cost when other work shares the machine.
// The last line is a JSON summary for scripts/run-bench.js.
// Knobs: BENCH_SECONDS (per live run, 3), BENCH_ROUNDS (alternations, 3),
// BENCH_IDLE_PAIRS (getppid pairs, 8), BENCH_PARTS (comma list of live, rate,
// prefill, idle, redis; all by default),
// BENCH_WORKERS (generator processes, CPUs), BENCH_RATE_ROUNDS (high-rate
// runs per process count, 2), BENCH_REDIS_PAIRS (20), BENCH_REDIS_REQUESTS
// (per test per run, 20000: many short pairs ride out bursts of other work), BENCH_REDIS_PIPELINE (1), BENCH_REDIS_PIN
// (same: server and client on the last CPU; split: server on the last CPU,
// client on the first; none).
import fs from 'node:fs';
import os from 'node:os';
import { startCapture } from '../src/sources/syscall/capture';
import { syscallsToCapture } from '../src/sources/syscall/captureSet';
import { EventView } from '../src/sources/syscall/decode';
import { EVENTS } from '../src/sources/syscall/eventTable';
import { DEFAULT_RING_BYTES, Probe, type ExitHook } from '../src/sources/syscall/probe';
import { slotsFor } from '../src/sources/syscall/syscallTable';
import { loadDefaultSyscallRules } from './defaultSyscallRules';
import { positiveKnob } from './envKnob';
import { eventWalker, EventWalker, typeCounts } from './eventWalker';
import { ensureRedis, redisBenchmark, RedisBenchOptions, startRedis } from './redisLoad';
import { fmt, mean, median, quantile } from './stats';
import { buildGenerator, GenResult, runGenerator } from './syscallGenerator';
import { tracefsEvents } from './tracefsFloor';

const CPUS = os.cpus().length;
const SECONDS = positiveKnob('BENCH_SECONDS', 3);
const ROUNDS = Math.round(positiveKnob('BENCH_ROUNDS', 3));
const WORKERS = Math.round(positiveKnob('BENCH_WORKERS', CPUS));
const RATE_ROUNDS = Math.round(positiveKnob('BENCH_RATE_ROUNDS', 2));
const REDIS_PAIRS = Math.round(positiveKnob('BENCH_REDIS_PAIRS', 20));
const REDIS_REQUESTS = Math.round(positiveKnob('BENCH_REDIS_REQUESTS', 20000));
const REDIS_PIPELINE = Math.round(positiveKnob('BENCH_REDIS_PIPELINE', 1));
const REDIS_PIN = pinKnob();
const IDLE_PAIRS = Math.round(positiveKnob('BENCH_IDLE_PAIRS', 8));
const IDLE_SECONDS = 1.5;
const PARTS = new Set((process.env.BENCH_PARTS || 'live,rate,prefill,idle,redis').split(',').map((x) => x.trim()));
const CONNECT_EVERY = 64;
const PREFILL_SECONDS = 4;
const RATE_TARGET = 1e6;

function pinKnob(): 'same' | 'split' | 'none' {
  const v = process.env.BENCH_REDIS_PIN || 'same';
  if (v !== 'same' && v !== 'split' && v !== 'none') throw new Error(`BENCH_REDIS_PIN must be same, split or none, got '${v}'`);
  return v === 'split' && CPUS < 2 ? 'same' : v;
}

// what the generator does that the probe can report (it has no read or stat events)
const GEN_SET = ['open', 'openat', 'close', 'socket', 'connect'];
const CLOSE_EXIT = EVENTS.find((e) => e?.name === 'close' && e.dir === '<')?.code ?? -1;

interface Captured<T> {
  result: T;
  walker: EventWalker;
  seen: number;
  dropped: number;
  /** from just before work() until everything it caused was drained and decoded */
  seconds: number;
  /** agent process CPU time over the window, in cores (the addon's watcher thread included) */
  cpu: number;
  /** events still in the ring when work() ended, decoded afterwards */
  tail: number;
}

async function withCapture<T>(syscalls: string[], ringBytes: number, work: () => Promise<T>, walker = eventWalker(), exitHook: ExitHook = 'auto'): Promise<Captured<T> & { hooks: string }> {
  const cap = startCapture({ syscalls, ringBytes, exitHook }, (v, n) => walker.walk(v, n));
  const hooks = cap.probe.describeHooks();
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  try {
    const result = await work();
    const before = walker.events;
    cap.drainNow();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const st = cap.stats();
    return { result, walker, seen: st.total.seen, dropped: st.total.dropped, seconds, cpu: (cpu.user + cpu.system) / 1e6 / seconds, tail: walker.events - before, hooks };
  } finally {
    cap.stop();
  }
}

async function livePart(bin: string): Promise<Record<string, number>> {
  const without: number[] = [];
  const withAgent: Captured<GenResult>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    without.push((await runGenerator(bin, SECONDS, WORKERS, CONNECT_EVERY)).opsPerSec);
    withAgent.push(await withCapture(GEN_SET, 64 * 1024 * 1024, () => runGenerator(bin, SECONDS, WORKERS, CONNECT_EVERY)));
  }
  const base = median(without);
  const withOps = median(withAgent.map((w) => w.result.opsPerSec));
  const evps = mean(withAgent.map((w) => w.walker.events / w.seconds));
  const dropped = withAgent.reduce((a, w) => a + w.dropped, 0);
  const cpu = mean(withAgent.map((w) => w.cpu));
  const paths = withAgent.reduce((a, w) => a + w.walker.paths, 0);
  const ratio = withOps / base;
  console.log(`live (${WORKERS} generator processes, connect every ${CONNECT_EVERY} iterations, ${ROUNDS} x ${SECONDS}s each way, alternating; medians):`);
  console.log(`  generator: ${fmt(base)} ops/s without the agent, ${fmt(withOps)} with (ratio ${ratio.toFixed(3)}); runs without: ${without.map(fmt).join(', ')}; with: ${withAgent.map((w) => fmt(w.result.opsPerSec)).join(', ')}`);
  console.log(`  agent: ${fmt(evps)} events/s drained and decoded (${fmt(paths)} path strings read), ${dropped} dropped of ${fmt(withAgent.reduce((a, w) => a + w.seen, 0))} sent, agent CPU ${(cpu * 100).toFixed(0)}% of one core`);
  return { genOpsWithout: Math.round(base), genOpsWith: Math.round(withOps), genRatio: Number(ratio.toFixed(3)), eventsPerSec: Math.round(evps), dropped, agentCpu: Number(cpu.toFixed(3)) };
}

/**
 * Fill a big ring with nobody draining, then drain and decode it as fast as
 * one thread can: what user space can take, apart from the generator.
 */
async function prefilledPart(bin: string, genWithout: number): Promise<Record<string, number>> {
  const probe = new Probe({ ringBytes: 256 * 1024 * 1024 });
  try {
    // kernel side: every program's run time over the events they sent
    probe.enableRunStats();
    const k1 = probe.runStats();
    probe.setSlots(slotsFor(GEN_SET));
    const enterMode = probe.enterMode;
    const hooks = probe.describeHooks();
    const gen = await runGenerator(bin, PREFILL_SECONDS, WORKERS, CONNECT_EVERY);
    probe.setSlots(slotsFor([]));
    const k2 = probe.runStats();
    const st = probe.stats();
    const exitRuns = k2.sysExit.runs - k1.sysExit.runs;
    const exitNs = k2.sysExit.ns - k1.sysExit.ns;
    const enterRuns = k2.sysEnter.runs - k1.sysEnter.runs;
    const enterNs = k2.sysEnter.ns - k1.sysEnter.ns;
    const procNs = k2.process.ns - k1.process.ns;
    const eventNs = (exitNs + enterNs + procNs) / st.total.seen;
    const view = new EventView(probe.buffer);
    const walker = eventWalker();
    let drainNs = 0n;
    let decodeNs = 0n;
    let bytes = 0;
    for (;;) {
      const t0 = process.hrtime.bigint();
      const n = probe.drain();
      const t1 = process.hrtime.bigint();
      if (n === 0) break;
      walker.walk(view, n);
      decodeNs += process.hrtime.bigint() - t1;
      drainNs += t1 - t0;
      bytes += n;
    }
    const total = Number(drainNs + decodeNs) / 1e9;
    const evps = walker.events / total;
    const nsDrain = Number(drainNs) / walker.events;
    const nsDecode = Number(decodeNs) / walker.events;
    console.log(`kernel side (BPF run-time stats, which add two clock reads per run; hooks: ${hooks}): ${eventNs.toFixed(0)} ns per event built and sent (all programs' time over ${fmt(st.total.seen)} events); exit programs ${fmt(exitRuns)} runs, ${(exitNs / exitRuns).toFixed(0)} ns per run; enter programs (${enterMode}) ${fmt(enterRuns)} runs, ${enterRuns > 0 ? (enterNs / enterRuns).toFixed(0) : '-'} ns per run`);
    console.log(`pre-filled ring (generator ${PREFILL_SECONDS}s at ${fmt(gen.opsPerSec)} ops/s, ratio ${(gen.opsPerSec / genWithout).toFixed(3)} to the live runs without the agent, with the probe attached but not drained; ${fmt(st.total.seen)} events sent, ${st.total.dropped} dropped):`);
    console.log(`  drained and decoded ${fmt(walker.events)} events (${(bytes / 1048576).toFixed(1)} MiB, ${(bytes / walker.events).toFixed(0)} B/event) in ${(total * 1000).toFixed(0)} ms: ${fmt(evps)} events/s on one thread; per event ${nsDrain.toFixed(0)} ns native drain + ${nsDecode.toFixed(0)} ns JS decode`);
    return { prefillEvents: walker.events, prefillEventsPerSec: Math.round(evps), prefillDrainNs: Number(nsDrain.toFixed(1)), prefillDecodeNs: Number(nsDecode.toFixed(1)), prefillDropped: st.total.dropped, genOpsProbeOnly: Math.round(gen.opsPerSec), kernelNsPerEvent: Number(eventNs.toFixed(1)), kernelNsPerExitRun: Number((exitNs / exitRuns).toFixed(1)), kernelEnterRuns: enterRuns, kernelNsPerEnterRun: enterRuns > 0 ? Number((enterNs / enterRuns).toFixed(1)) : 0 };
  } finally {
    probe.close();
  }
}

interface RateRun {
  workers: number;
  alone: GenResult;
  cap: Captured<GenResult>;
  /** decoded events per second of the window */
  evps: number;
}

/**
 * Live at the highest rate this machine makes: close(-1) in a tight loop,
 * captured through the agent's default ring and decoded as it comes.
 */
async function ratePart(bin: string): Promise<Record<string, number | string>> {
  const counts = [...new Set([1, CPUS])];
  const runs: RateRun[] = [];
  console.log(`live high rate (generator close mode: close(-1) in a tight loop; agent captures only close, ${DEFAULT_RING_BYTES / 1048576} MiB ring (the agent's default), every event decoded; ${RATE_ROUNDS} x ${SECONDS}s each way per process count, alternating):`);
  for (const workers of counts) {
    for (let r = 0; r < RATE_ROUNDS; r++) {
      const alone = await runGenerator(bin, SECONDS, workers, 0, 'close');
      const cap = await withCapture(['close'], DEFAULT_RING_BYTES, () => runGenerator(bin, SECONDS, workers, 0, 'close'));
      runs.push({ workers, alone, cap, evps: cap.walker.events / cap.seconds });
    }
    const mine = runs.filter((x) => x.workers === workers);
    for (const x of mine) {
      const c = x.cap;
      const closes = c.walker.byType[CLOSE_EXIT];
      // zero drops means every close(-1) the generator made was decoded; fewer would be a silent loss
      const missing = c.result.ops - closes;
      const check = missing > 0 ? `MISSING ${fmt(missing)} of the generator's ${fmt(c.result.ops)} close calls` : `all ${fmt(c.result.ops)} of the generator's close calls decoded (+${fmt(-missing)} other processes' closes)`;
      console.log(`  ${workers} process${workers > 1 ? 'es' : ''}: generated ${fmt(x.alone.opsPerSec)} events/s alone, ${fmt(c.result.opsPerSec)} with the agent; drained and decoded ${fmt(x.evps)} events/s (${fmt(c.walker.events)} in ${c.seconds.toFixed(2)} s, ${fmt(c.tail)} left in the ring at the end); ${c.dropped} dropped; agent CPU ${c.cpu.toFixed(2)} cores, ${fmt(c.walker.events / (c.cpu * c.seconds))} events per agent CPU-second; ${check}`);
    }
  }
  const clean = runs.filter((x) => x.cap.dropped === 0 && x.cap.result.ops <= x.cap.walker.byType[CLOSE_EXIT]);
  const best = clean.reduce<RateRun | undefined>((a, x) => (!a || x.evps > a.evps ? x : a), undefined);
  const fastest = runs.reduce((a, x) => (x.evps > a.evps ? x : a));
  const maxAlone = Math.max(...runs.map((x) => x.alone.opsPerSec));
  const drops = runs.reduce((a, x) => a + x.cap.dropped, 0);
  let verdict: string;
  if (best && best.evps >= RATE_TARGET) verdict = `met: ${fmt(best.evps)} events/s drained and decoded live with 0 drops (${best.workers} generator process${best.workers > 1 ? 'es' : ''})`;
  else if (maxAlone < RATE_TARGET) verdict = `not shown: this machine's generator makes at most ${fmt(maxAlone)} events/s even without the agent; highest zero-drop rate ${best ? fmt(best.evps) : 'none'} events/s`;
  else verdict = `NOT met: highest rate ${fmt(fastest.evps)} events/s with ${fastest.cap.dropped} drops; highest zero-drop rate ${best ? fmt(best.evps) : 'none'} events/s`;
  console.log(`  target >= ${fmt(RATE_TARGET)} events/s drained and decoded with 0 drops: ${verdict}`);
  const agentCapacity = median(runs.map((x) => x.cap.walker.events / (x.cap.cpu * x.cap.seconds)));
  return {
    rateBestZeroDropEventsPerSec: Math.round(best?.evps ?? 0),
    rateBestWorkers: best?.workers ?? 0,
    rateMaxEventsPerSec: Math.round(fastest.evps),
    rateDropped: drops,
    rateGenAloneMax: Math.round(maxAlone),
    rateAgentCpu: Number((best ?? fastest).cap.cpu.toFixed(3)),
    rateEventsPerAgentCpuSec: Math.round(agentCapacity),
    rateTargetMet: best !== undefined && best.evps >= RATE_TARGET ? 'yes' : 'no',
  };
}

/**
 * What the agent adds to a syscall it does not report: a getppid() loop on
 * one process, CPU time per call (the workers' user + system time, steadier
 * under other load than calls per second), alone and with the agent
 * capturing the default rules' set; each pair alternates its order.
 */
async function idlePart(bin: string): Promise<Record<string, number | string>> {
  const captureSet = syscallsToCapture(loadDefaultSyscallRules().ruleset.eventTypes(), false);
  if (captureSet === 'all') throw new Error('the default rules ask for every syscall; this bench expects a set');
  // the syscalls this kernel has no exit tracepoint for keep the generic hook attached
  const probe = new Probe({ ringBytes: 1 << 16 });
  probe.setSlots(slotsFor(captureSet));
  const noTracepoint = probe.exitHooks.genericSyscalls;
  probe.close();
  const tracepointSet = captureSet.filter((s) => !noTracepoint.includes(s));
  const nsPerCall = (g: GenResult): number => (g.cpuSeconds * 1e9) / g.ops;
  const alone = (): Promise<GenResult> => runGenerator(bin, IDLE_SECONDS, 1, 0, 'getppid');
  type Way = { name: string; set: string[]; hook: ExitHook; added: number[]; hooks: string };
  const ways: Way[] = [
    { name: "the agent's own hooks", set: captureSet, hook: 'auto', added: [], hooks: '' },
    { name: 'every exit through the generic sys_exit hook (the probe before per-syscall exits)', set: captureSet, hook: 'sys_exit', added: [], hooks: '' },
  ];
  if (noTracepoint.length > 0) ways.push({ name: `the agent's own hooks, without ${noTracepoint.join(', ')} (no tracepoint here: they keep the generic hook attached)`, set: tracepointSet, hook: 'auto', added: [], hooks: '' });
  // the floor under per-syscall tracepoints: the kernel's syscall-work slow path alone
  const floorEvents = ['syscalls/sys_enter_openat', 'syscalls/sys_exit_openat'];
  const floor = tracefsEvents(floorEvents);
  if ('why' in floor) console.log(`  (the kernel's tracepoint floor is not measured: ${floor.why})`);
  else ways.push({ name: `no agent, only ${floorEvents.join(' and ')} enabled through tracefs (no BPF program: the kernel's own cost of any syscall tracepoint, the floor for per-syscall hooks)`, set: [], hook: 'auto', added: [], hooks: 'tracefs only' });
  const base: number[] = [];
  for (let p = 0; p < IDLE_PAIRS; p++) {
    for (const w of ways) {
      const withAgent = async (): Promise<number> => {
        if (w.set.length === 0 && !('why' in floor)) return nsPerCall(await floor.withEnabled(alone));
        const c = await withCapture(w.set, DEFAULT_RING_BYTES, alone, eventWalker(), w.hook);
        w.hooks = c.hooks;
        return nsPerCall(c.result);
      };
      let a: number;
      let b: number;
      if (p % 2 === 0) {
        a = nsPerCall(await alone());
        b = await withAgent();
      } else {
        b = await withAgent();
        a = nsPerCall(await alone());
      }
      base.push(a);
      w.added.push(b - a);
    }
  }
  const list = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(' ');
  console.log(`idle cost (getppid() loop on 1 process, ${IDLE_PAIRS} alternating pairs x ${IDLE_SECONDS}s per way; CPU ns per call; the agent captures the default rules' ${captureSet.length} syscalls):`);
  console.log(`  without the agent: median ${median(base).toFixed(1)} ns per call`);
  for (const w of ways) console.log(`  added with ${w.name}: median ${median(w.added).toFixed(1)} ns per call (pairs: ${list(w.added)}); hooks: ${w.hooks}`);
  const out: Record<string, number | string> = { idleNsBase: Number(median(base).toFixed(1)), idleNsAdded: Number(median(ways[0].added).toFixed(1)), idleNsAddedSysExit: Number(median(ways[1].added).toFixed(1)) };
  const tpOnly = ways.find((w) => w.set === tracepointSet && w.set !== captureSet);
  if (tpOnly) out.idleNsAddedTracepointsOnly = Number(median(tpOnly.added).toFixed(1));
  const fl = ways.find((w) => w.hooks === 'tracefs only');
  if (fl) out.idleNsKernelFloor = Number(median(fl.added).toFixed(1));
  if (!('why' in floor)) floor.close();
  return out;
}

/** thread ids of a process, from /proc (empty once it is gone) */
function tidsOf(pid: number): number[] {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** on-CPU nanoseconds of all of a process's threads so far (/proc/PID/task/TID/schedstat) */
function cpuNsOf(pid: number): number {
  let ns = 0;
  for (const tid of tidsOf(pid)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns;
}

async function redisPart(): Promise<Record<string, number | string>> {
  const why = ensureRedis();
  if (why) {
    console.log(`redis: skipped, ${why}`);
    return { redis: 'skipped' };
  }
  const captureSet = syscallsToCapture(loadDefaultSyscallRules().ruleset.eventTypes(), false);
  if (captureSet === 'all') throw new Error('the default rules ask for every syscall; this bench expects a set');
  // same: both on one CPU, so a syscall's extra cost shows in throughput, not hidden in idle time
  const last = CPUS - 1;
  const serverCpu = REDIS_PIN === 'none' ? undefined : last;
  const clientCpu = REDIS_PIN === 'none' ? undefined : REDIS_PIN === 'same' ? last : 0;
  const server = await startRedis(serverCpu);
  // which process each captured event came from: redis-server's threads, redis-benchmark (one thread), the rest
  const serverTids = new Set(tidsOf(server.pid));
  const benchTids = new Set<number>();
  const byWho = { server: new Float64Array(EVENTS.length + 1), bench: new Float64Array(EVENTS.length + 1) };
  const tap = (v: EventView): void => {
    const tid = v.tid;
    const t = v.type < EVENTS.length ? v.type : EVENTS.length;
    if (serverTids.has(tid)) byWho.server[t]++;
    else if (benchTids.has(tid)) byWho.bench[t]++;
  };
  const opts: RedisBenchOptions = { cpu: clientCpu, pipeline: REDIS_PIPELINE, onPid: (pid) => benchTids.add(pid) };
  try {
    await redisBenchmark(server.port, Math.min(REDIS_REQUESTS, 20000), opts); // warm up
    for (const t of tidsOf(server.pid)) serverTids.add(t);
    const without: number[] = [];
    const withAgent: Captured<number>[] = [];
    const ratios: number[] = [];
    // redis-server's CPU time per request: what the probe adds to each of its
    // syscalls, far less moved by other work on the machine than req/s is
    const cpuWithout: number[] = [];
    const cpuWith: number[] = [];
    const cpuRatios: number[] = [];
    const perRequest = async <T>(run: () => Promise<T>, into: number[]): Promise<T> => {
      const c0 = cpuNsOf(server.pid);
      const r = await run();
      into.push((cpuNsOf(server.pid) - c0) / (2 * REDIS_REQUESTS));
      return r;
    };
    const walker = eventWalker(tap);
    const t0 = Date.now();
    for (let p = 0; p < REDIS_PAIRS; p++) {
      const runWithout = (): Promise<number> => perRequest(() => redisBenchmark(server.port, REDIS_REQUESTS, opts), cpuWithout);
      const runWith = (): Promise<Captured<number>> => withCapture(captureSet, DEFAULT_RING_BYTES, () => perRequest(() => redisBenchmark(server.port, REDIS_REQUESTS, opts), cpuWith), walker);
      let a: number;
      let b: Captured<number>;
      if (p % 2 === 0) {
        a = await runWithout();
        b = await runWith();
      } else {
        b = await runWith();
        a = await runWithout();
      }
      without.push(a);
      withAgent.push(b);
      ratios.push(b.result / a);
      cpuRatios.push(cpuWith[p] / cpuWithout[p]);
    }
    const wall = (Date.now() - t0) / 1000;
    const ratio = median(ratios);
    const dropped = withAgent.reduce((s, w) => s + w.dropped, 0);
    const seconds = withAgent.reduce((s, w) => s + w.seconds, 0);
    const cpu = withAgent.reduce((s, w) => s + w.cpu * w.seconds, 0) / seconds;
    const evps = walker.events / seconds;
    const list = (xs: [string, number][]): string => (xs.length ? xs.map(([n, c]) => `${n} ${fmt(c)}`).join(', ') : 'none');
    const pin = REDIS_PIN === 'none' ? 'not pinned' : REDIS_PIN === 'same' ? `server and client pinned to CPU ${last}` : `server pinned to CPU ${last}, client to CPU 0`;
    console.log(`redis (SET+GET req/s, ${fmt(REDIS_REQUESTS)} requests per test per run, 50 clients, pipeline ${REDIS_PIPELINE}, ${pin}, the agent unpinned; ${REDIS_PAIRS} pairs alternating without/with then with/without, ${wall.toFixed(0)} s):`);
    console.log(`  capture set of the default rules (${captureSet.length} syscalls): ${captureSet.join(' ')}`);
    console.log(`  pair ratios (with/without): ${ratios.map((r) => r.toFixed(3)).join(' ')}`);
    const quart = (xs: number[]): string => `${quantile(xs, 0.25).toFixed(3)}-${quantile(xs, 0.75).toFixed(3)}`;
    console.log(`  ratio median ${ratio.toFixed(3)}, middle half ${quart(ratios)}, min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}; req/s without: median ${fmt(median(without))} (${fmt(Math.min(...without))}-${fmt(Math.max(...without))}), with: median ${fmt(median(withAgent.map((w) => w.result)))} (${fmt(Math.min(...withAgent.map((w) => w.result)))}-${fmt(Math.max(...withAgent.map((w) => w.result)))})`);
    console.log(`  redis-server CPU per request: median ${(median(cpuWithout) * 1e-3).toFixed(2)} us without, ${(median(cpuWith) * 1e-3).toFixed(2)} us with; pair ratios (with/without) ${cpuRatios.map((r) => r.toFixed(3)).join(' ')}: median ${median(cpuRatios).toFixed(3)}, middle half ${quart(cpuRatios)}, min ${Math.min(...cpuRatios).toFixed(3)}, max ${Math.max(...cpuRatios).toFixed(3)} (a CPU-bound server's req/s ratio would be its inverse, ${(1 / median(cpuRatios)).toFixed(3)})`);
    console.log(`  agent during the with runs: ${fmt(evps)} events/s captured and decoded (${fmt(walker.events)} events, ${dropped} dropped), agent CPU ${(cpu * 100).toFixed(1)}% of one core`);
    console.log(`  from redis-server: ${list(typeCounts(byWho.server))}; from redis-benchmark: ${list(typeCounts(byWho.bench))}; the rest from other processes on the machine`);
    return {
      redisWithout: Math.round(median(without)),
      redisWith: Math.round(median(withAgent.map((w) => w.result))),
      redisRatio: Number(ratio.toFixed(3)),
      redisRatioMin: Number(Math.min(...ratios).toFixed(3)),
      redisRatioMax: Number(Math.max(...ratios).toFixed(3)),
      redisPairs: REDIS_PAIRS,
      redisServerCpuRatio: Number(median(cpuRatios).toFixed(3)),
      redisServerCpuRatioMin: Number(Math.min(...cpuRatios).toFixed(3)),
      redisServerCpuRatioMax: Number(Math.max(...cpuRatios).toFixed(3)),
      redisEventsPerSec: Math.round(evps),
      redisDropped: dropped,
    };
  } finally {
    server.stop();
  }
}

async function main(): Promise<void> {
  const bin = buildGenerator();
  const load = os.loadavg()[0];
  console.log(`machine: ${CPUS} CPUs, load average ${load.toFixed(2)} at start (other work on the machine skews the ratios)`);
  const t0 = Date.now();
  const live = PARTS.has('live') ? await livePart(bin) : {};
  const rate = PARTS.has('rate') ? await ratePart(bin) : {};
  const pre = PARTS.has('prefill') ? await prefilledPart(bin, live.genOpsWithout ?? NaN) : {};
  const idle = PARTS.has('idle') ? await idlePart(bin) : {};
  const redis = PARTS.has('redis') ? await redisPart() : {};
  const loadEnd = os.loadavg()[0];
  console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s; load average ${loadEnd.toFixed(2)} at the end`);
  console.log(JSON.stringify({ bench: 'capture', ...live, ...rate, ...pre, ...idle, ...redis, loadAvg: Number(load.toFixed(2)), loadAvgEnd: Number(loadEnd.toFixed(2)) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
