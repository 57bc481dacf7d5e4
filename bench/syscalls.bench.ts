// npm run bench:syscalls -- the agent's whole syscall path (capture, decode,
// process/fd state, the full default ruleset) under load, in one run:
// 1. the C generator of bench:capture (bench/syscallGenerator.c: open/read/
//    close/stat and an occasional connect, one process per CPU) with and
//    without the agent, alternating;
// 2. redis-benchmark against a private redis-server with and without it.
// The agent runs in this process exactly as `vigil` wires it (src/live.ts):
// the syscalls the rules' event types name plus state tracking's, every event
// through StateTracker and the syscall ruleset; alerts are counted, not printed.
// Prints events/s evaluated, drops, the agent's CPU (this process, in cores)
// and each workload's throughput ratio; the last line is a JSON summary.
// 3. the generator inside one of 100 containers (bench/containerNode.ts: Docker
//    cgroups and a Docker API describing them), with and without the agent
//    and its container metadata path (store, lookups, container.* fields):
//    the lookups happen once per container and are amortised over the runs.
// Knobs: BENCH_SECONDS (per generator run, 3), BENCH_ROUNDS (alternations, 3),
// BENCH_WORKERS (generator processes, CPUs), BENCH_REDIS_REQUESTS (200000),
// BENCH_CONTAINERS (containers on the node, 100; 0 skips part 3).
import os from 'node:os';
import { syscallsToCapture } from '../src/sources/syscall/captureSet';
import { batchHandler, StateTracker, type SyscallEvent } from '../src/sources/syscall';
import { startCapture } from '../src/sources/syscall/capture';
import { EventView } from '../src/sources/syscall/decode';
import { ContainerStore } from '../src/sources/syscall/containers';
import { DockerEngine } from '../src/sources/syscall/containers/engines/dockerEngine';
import { startContainerNode } from './containerNode';
import { loadDefaultSyscallRules } from './defaultSyscallRules';
import { positiveKnob } from './envKnob';
import { ensureRedis, redisBenchmark, startRedis } from './redisLoad';
import { fmt, mean, median } from './stats';
import { buildGenerator, runGenerator } from './syscallGenerator';

const SECONDS = positiveKnob('BENCH_SECONDS', 3);
const ROUNDS = Math.round(positiveKnob('BENCH_ROUNDS', 3));
const WORKERS = Math.round(positiveKnob('BENCH_WORKERS', os.cpus().length));
const REDIS_REQUESTS = Math.round(positiveKnob('BENCH_REDIS_REQUESTS', 200000));
const CONNECT_EVERY = 64;
const CONTAINERS = Math.round(positiveKnob('BENCH_CONTAINERS', 100, true));

/** the agent's syscall path with the default rules, built once */
function buildAgent(): { syscalls: string[] | 'all'; ruleCount: number; evaluate: (e: SyscallEvent) => void; counts: { events: number; alerts: number } } {
  const { engine, ruleset } = loadDefaultSyscallRules();
  const counts = { events: 0, alerts: 0 };
  const onMatch = (): void => {
    counts.alerts++;
  };
  return {
    syscalls: syscallsToCapture(ruleset.eventTypes(), false),
    ruleCount: engine.rules.filter((r) => r.source === 'syscall').length,
    counts,
    evaluate: (e) => {
      counts.events++;
      ruleset.match(e, 'first', onMatch);
    },
  };
}

interface Run<T> {
  result: T;
  events: number;
  alerts: number;
  seen: number;
  dropped: number;
  seconds: number;
  cpu: number;
}

async function withAgent<T>(work: () => Promise<T>, containers?: ContainerStore): Promise<Run<T>> {
  const agent = buildAgent();
  const tracker = new StateTracker({ containers });
  const cap = startCapture({ syscalls: agent.syscalls, ringBytes: 64 * 1024 * 1024 }, batchHandler(tracker, agent.evaluate));
  try {
    tracker.seed();
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const result = await work();
    cap.drainNow();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const st = cap.stats();
    return { result, events: agent.counts.events, alerts: agent.counts.alerts, seen: st.total.seen, dropped: st.total.dropped, seconds, cpu: (cpu.user + cpu.system) / 1e6 / seconds };
  } finally {
    cap.stop();
  }
}

function report(label: string, without: number[], runs: Run<number>[], unit: string): Record<string, number> {
  const base = median(without);
  const withOps = median(runs.map((r) => r.result));
  const ratio = withOps / base;
  const evps = mean(runs.map((r) => r.events / r.seconds));
  const dropped = runs.reduce((a, r) => a + r.dropped, 0);
  const seen = runs.reduce((a, r) => a + r.seen, 0);
  const cpu = mean(runs.map((r) => r.cpu));
  // events per second of agent CPU: the rate one fully used core would sustain
  const perCore = mean(runs.map((r) => (r.cpu > 0 ? r.events / r.seconds / r.cpu : 0)));
  console.log(`${label}:`);
  console.log(`  ${fmt(base)} ${unit} without the agent, ${fmt(withOps)} with (ratio ${ratio.toFixed(3)}); without: ${without.map(fmt).join(', ')}; with: ${runs.map((r) => fmt(r.result)).join(', ')}`);
  console.log(`  agent: ${fmt(evps)} events/s evaluated (${fmt(perCore)} per core of agent CPU), ${dropped} dropped of ${fmt(seen)} sent, CPU ${(cpu * 100).toFixed(0)}% of one core, ${runs.reduce((a, r) => a + r.alerts, 0)} alerts`);
  return { without: Math.round(base), with: Math.round(withOps), ratio: Number(ratio.toFixed(3)), eventsPerSec: Math.round(evps), eventsPerCore: Math.round(perCore), dropped, agentCpu: Number(cpu.toFixed(3)) };
}

async function generatorPart(bin: string): Promise<Record<string, number>> {
  const without: number[] = [];
  const runs: Run<number>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    without.push((await runGenerator(bin, SECONDS, WORKERS, CONNECT_EVERY)).opsPerSec);
    runs.push(await withAgent(async () => (await runGenerator(bin, SECONDS, WORKERS, CONNECT_EVERY)).opsPerSec));
  }
  const res = report(`generator (${WORKERS} processes, ${ROUNDS} x ${SECONDS}s each way, alternating; medians)`, without, runs, 'ops/s');
  return Object.fromEntries(Object.entries(res).map(([k, v]) => [`gen_${k}`, v]));
}

async function containerPart(bin: string): Promise<Record<string, number | string>> {
  if (CONTAINERS === 0) return { containers: 'skipped' };
  const node = await startContainerNode(CONTAINERS);
  // one store for every run, as one long-running agent keeps its cache
  const store = new ContainerStore({ engines: [new DockerEngine('docker', node.socket)], log: (m) => console.log(m) });
  try {
    const without: number[] = [];
    const runs: Run<number>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const inside = node.inside(r % CONTAINERS);
      without.push((await runGenerator(bin, SECONDS, WORKERS, CONNECT_EVERY, 'mix', inside)).opsPerSec);
      runs.push(await withAgent(async () => (await runGenerator(bin, SECONDS, WORKERS, CONNECT_EVERY, 'mix', inside)).opsPerSec, store));
    }
    const res = report(`generator in a container of ${CONTAINERS}, container metadata on (${ROUNDS} x ${SECONDS}s each way; medians)`, without, runs, 'ops/s');
    const st = store.stats;
    const described = node.ids.filter((id) => store.get(id.slice(0, 12))?.described).length;
    console.log(`  containers: ${described} of ${CONTAINERS} described, ${st.lookups} lookups, ${node.requests()} runtime requests, ${st.failures} failures over ${ROUNDS} agent runs`);
    return { ...Object.fromEntries(Object.entries(res).map(([k, v]) => [`ctr_${k}`, v])), ctr_described: described, ctr_requests: node.requests() };
  } finally {
    store.close();
    await node.stop();
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
    await redisBenchmark(server.port, Math.min(REDIS_REQUESTS, 20000));
    const without: number[] = [];
    const runs: Run<number>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      without.push(await redisBenchmark(server.port, REDIS_REQUESTS));
      runs.push(await withAgent(() => redisBenchmark(server.port, REDIS_REQUESTS)));
    }
    const res = report(`redis (SET+GET, ${REDIS_REQUESTS} requests per run; medians)`, without, runs, 'req/s');
    return Object.fromEntries(Object.entries(res).map(([k, v]) => [`redis_${k}`, v]));
  } finally {
    server.stop();
  }
}

async function main(): Promise<void> {
  const bin = buildGenerator();
  const agent = buildAgent();
  const load = os.loadavg()[0];
  console.log(`machine: ${os.cpus().length} CPUs, load average ${load.toFixed(2)} at start; ${agent.ruleCount} default rules, capturing ${Array.isArray(agent.syscalls) ? agent.syscalls.length : 'all'} syscalls`);
  const gen = await generatorPart(bin);
  const ctr = await containerPart(bin);
  const redis = await redisPart();
  console.log(JSON.stringify({ bench: 'syscalls', rules: agent.ruleCount, ...gen, ...ctr, ...redis, loadAvg: Number(load.toFixed(2)) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
