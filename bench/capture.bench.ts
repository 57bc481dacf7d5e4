// npm run bench:capture -- the cost and throughput of syscall capture, in one run:
// 1. live: the C generator (bench/syscallGenerator.c: open/read/close/stat and
//    an occasional connect to a loopback listener, one process per CPU) with
//    and without the agent capturing open/openat/close/socket/connect, every
//    event decoded (bench/eventWalker.ts), no rules; runs alternate to average
//    out noise. Prints ops/s both ways, ratio, events/s, drops, agent CPU.
// 2. pre-filled ring: the generator fills a large ring nobody drains, then
//    user space drains and decodes it flat out -- the user-space ceiling,
//    split into native drain (ring -> batch) and JS decode; meanwhile the
//    kernel's BPF run-time stats give the probe's cost per syscall and event.
// 3. redis-benchmark against a private redis-server with and without the agent
//    capturing the default set (state tracking's syscalls plus the security
//    set below), alternating.
// The last line is a JSON summary for scripts/run-bench.js.
// Knobs: BENCH_SECONDS (per live run, 3), BENCH_ROUNDS (alternations, 3),
// BENCH_WORKERS (generator processes, CPUs), BENCH_REDIS_REQUESTS (200000).
import os from 'node:os';
import { startCapture } from '../src/sources/syscall/capture';
import { EventView } from '../src/sources/syscall/decode';
import { STATE_SYSCALLS } from '../src/sources/syscall/index';
import { Probe } from '../src/sources/syscall/probe';
import { slotsFor } from '../src/sources/syscall/syscallTable';
import { positiveKnob } from './envKnob';
import { eventWalker, EventWalker } from './eventWalker';
import { ensureRedis, redisBenchmark, startRedis } from './redisLoad';
import { fmt, mean, median } from './stats';
import { buildGenerator, GenResult, runGenerator } from './syscallGenerator';

const SECONDS = positiveKnob('BENCH_SECONDS', 3);
const ROUNDS = Math.round(positiveKnob('BENCH_ROUNDS', 3));
const WORKERS = Math.round(positiveKnob('BENCH_WORKERS', os.cpus().length));
const REDIS_REQUESTS = Math.round(positiveKnob('BENCH_REDIS_REQUESTS', 200000));
const CONNECT_EVERY = 64;
const PREFILL_SECONDS = 4;

// what the generator does that the probe can report (it has no read or stat events)
const GEN_SET = ['open', 'openat', 'close', 'socket', 'connect'];
// security-relevant calls default rules watch: process and privilege changes,
// file writes/renames/deletes, network setup, kernel modules, bpf, namespaces
const SECURITY_SET = ['execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork', 'procexit', 'open', 'openat', 'openat2', 'creat', 'connect', 'accept', 'accept4', 'bind', 'listen', 'socket', 'rename', 'renameat', 'renameat2', 'unlink', 'unlinkat', 'chmod', 'fchmodat', 'setuid', 'setgid', 'setresuid', 'setresgid', 'ptrace', 'mount', 'unshare', 'setns', 'init_module', 'finit_module', 'bpf', 'memfd_create'];
const DEFAULT_SET = [...new Set([...STATE_SYSCALLS, ...SECURITY_SET])].sort();


interface Captured<T> {
  result: T;
  walker: EventWalker;
  seen: number;
  dropped: number;
  seconds: number;
  /** agent process CPU time over the window, in cores */
  cpu: number;
}

async function withCapture<T>(syscalls: string[], work: () => Promise<T>): Promise<Captured<T>> {
  const walker = eventWalker();
  const cap = startCapture({ syscalls, ringBytes: 64 * 1024 * 1024 }, (v, n) => walker.walk(v, n));
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  try {
    const result = await work();
    cap.drainNow();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const st = cap.stats();
    return { result, walker, seen: st.total.seen, dropped: st.total.dropped, seconds, cpu: (cpu.user + cpu.system) / 1e6 / seconds };
  } finally {
    cap.stop();
  }
}

async function livePart(bin: string): Promise<Record<string, number>> {
  const without: number[] = [];
  const withAgent: Captured<GenResult>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    without.push((await runGenerator(bin, SECONDS, WORKERS, CONNECT_EVERY)).opsPerSec);
    withAgent.push(await withCapture(GEN_SET, () => runGenerator(bin, SECONDS, WORKERS, CONNECT_EVERY)));
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
    // kernel side first: what the syscall-exit program costs for a syscall it
    // does not report, then per reported event
    probe.enableRunStats();
    const r0 = probe.runStats().sysExit;
    await runGenerator(bin, 1, WORKERS, CONNECT_EVERY);
    const r1 = probe.runStats().sysExit;
    probe.setSlots(slotsFor(GEN_SET));
    const gen = await runGenerator(bin, PREFILL_SECONDS, WORKERS, CONNECT_EVERY);
    probe.setSlots(slotsFor([]));
    const r2 = probe.runStats().sysExit;
    const st = probe.stats();
    const idleNs = (r1.ns - r0.ns) / (r1.runs - r0.runs);
    const reportedRuns = r2.runs - r1.runs;
    const eventNs = (r2.ns - r1.ns - idleNs * (reportedRuns - st.total.seen)) / st.total.seen;
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
    console.log(`kernel side (BPF run-time stats, which add two clock reads per run): ${idleNs.toFixed(0)} ns per syscall not reported, ${eventNs.toFixed(0)} ns per event built and sent`);
    console.log(`pre-filled ring (generator ${PREFILL_SECONDS}s at ${fmt(gen.opsPerSec)} ops/s, ratio ${(gen.opsPerSec / genWithout).toFixed(3)} to the live runs without the agent, with the probe attached but not drained; ${fmt(st.total.seen)} events sent, ${st.total.dropped} dropped):`);
    console.log(`  drained and decoded ${fmt(walker.events)} events (${(bytes / 1048576).toFixed(1)} MiB, ${(bytes / walker.events).toFixed(0)} B/event) in ${(total * 1000).toFixed(0)} ms: ${fmt(evps)} events/s on one thread; per event ${nsDrain.toFixed(0)} ns native drain + ${nsDecode.toFixed(0)} ns JS decode`);
    return { prefillEvents: walker.events, prefillEventsPerSec: Math.round(evps), prefillDrainNs: Number(nsDrain.toFixed(1)), prefillDecodeNs: Number(nsDecode.toFixed(1)), prefillDropped: st.total.dropped, genOpsProbeOnly: Math.round(gen.opsPerSec), kernelNsIdle: Number(idleNs.toFixed(1)), kernelNsPerEvent: Number(eventNs.toFixed(1)) };
  } finally {
    probe.close();
  }
}

async function redisPart(): Promise<Record<string, number | string>> {
  const why = ensureRedis();
  if (why) {
    console.log(`redis: skipped, ${why}`);
    return { redis: 'skipped' };
  }
  const server = await startRedis();
  try {
    await redisBenchmark(server.port, Math.min(REDIS_REQUESTS, 20000)); // warm up
    const without: number[] = [];
    const withAgent: Captured<number>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      without.push(await redisBenchmark(server.port, REDIS_REQUESTS));
      withAgent.push(await withCapture(DEFAULT_SET, () => redisBenchmark(server.port, REDIS_REQUESTS)));
    }
    const base = median(without);
    const withRps = median(withAgent.map((w) => w.result));
    const ratio = withRps / base;
    const dropped = withAgent.reduce((a, w) => a + w.dropped, 0);
    const events = withAgent.reduce((a, w) => a + w.walker.events, 0);
    console.log(`redis (SET+GET req/s, ${REDIS_REQUESTS} requests each, 50 clients, default set of ${DEFAULT_SET.length} syscalls; medians):`);
    console.log(`  ${fmt(base)} without, ${fmt(withRps)} with the agent (ratio ${ratio.toFixed(3)}); runs without: ${without.map(fmt).join(', ')}; with: ${withAgent.map((w) => fmt(w.result)).join(', ')}; ${events} events, ${dropped} dropped`);
    return { redisWithout: Math.round(base), redisWith: Math.round(withRps), redisRatio: Number(ratio.toFixed(3)), redisDropped: dropped };
  } finally {
    server.stop();
  }
}

async function main(): Promise<void> {
  const bin = buildGenerator();
  const load = os.loadavg()[0];
  console.log(`machine: ${os.cpus().length} CPUs, load average ${load.toFixed(2)} at start (other work on the machine skews the ratios)`);
  const live = await livePart(bin);
  const pre = await prefilledPart(bin, live.genOpsWithout);
  const redis = await redisPart();
  console.log(JSON.stringify({ bench: 'capture', ...live, ...pre, ...redis, loadAvg: Number(load.toFixed(2)) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
