// npm run bench:sources -- do the two sources that share the agent's process
// starve each other? The real agent (dist/cli.js: default rules, both
// sources, webserver.threadiness auto, alerts written to stdout) runs three
// phases, each with a fresh agent, alternating over BENCH_ROUNDS rounds:
//   syscall: the C generator (bench/syscallGenerator.c, open/read/close/stat,
//            one process) alone;
//   audit:   realistic 400-event EventList batches POSTed by wrk or autocannon
//            (bench/loadRun.ts, 4 connections) alone;
//   both:    the two at once.
// Meanwhile this process asks GET /healthz every 20 ms: the answer comes from
// the agent's main thread, which also drains the ring buffer and evaluates the
// syscall events, so its latency shows whether audit load holds that thread.
// Prints per phase: the generator's rate, the syscall events the agent
// evaluated and dropped (its exit line), audit events/s and latency, /healthz
// latency and the agent's CPU over the counted load; then each load's rate
// with both running against alone. With both, the generator starts when the
// audit client starts counting, so the two loads overlap for all of it.
// On 2 CPUs the two loads share the same cores, so both rates fall; what
// would be starvation is one source near zero, drops, or /healthz stalling.
// Knobs: BENCH_SECONDS (10), BENCH_ROUNDS (2), BENCH_THREADINESS (the
// agent's webserver.threadiness; -1 evaluates audit events on the main
// thread, beside the syscall source); BENCH_SLOW_PINGS=1 prints
// each /healthz answer over 50 ms with when it came.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { eventListBodies } from './auditBatches';
import { positiveKnob } from './envKnob';
import { type Load, loadClient, runLoad } from './loadRun';
import { fmt, median, quantile } from './stats';
import { buildGenerator, type GenResult, runGenerator } from './syscallGenerator';

const SECONDS = positiveKnob('BENCH_SECONDS', 10);
const ROUNDS = Math.round(positiveKnob('BENCH_ROUNDS', 2));
const ROOT = path.resolve(__dirname, '..');
const CONNECTIONS = 4;
/** webserver.threadiness for the agent; unset: its default (worker threads) */
const THREADINESS = process.env.BENCH_THREADINESS;
const CONNECT_EVERY = 64;

type Phase = 'syscall' | 'audit' | 'both';

interface PhaseResult {
  /** syscall events the agent evaluated over its life (the generator's and every other process's) */
  syscallEvaluated: number;
  syscallDropped: number;
  /** the syscall workload's own rate and iterations (each iteration is several captured syscalls) */
  generatorOps: number;
  generatorCalls: number;
  auditEps: number;
  auditP99: number;
  healthzP50: number;
  healthzP99: number;
  healthzMax: number;
  /** agent CPU over the load, in cores */
  agentCores: number;
  alertBytes: number;
  /** resident memory once started and settled, and its peak over the phase (VmHWM), in MiB: the DaemonSet's requests and limits */
  rssIdleMiB: number;
  rssPeakMiB: number;
}

interface Agent {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  stdoutBytes: () => number;
}

function startAgent(): Promise<Agent> {
  const args = [path.join(ROOT, 'dist/cli.js'), '-o', 'webserver.listen_address=127.0.0.1', '-o', 'webserver.listen_port=0'];
  if (THREADINESS !== undefined) args.push('-o', `webserver.threadiness=${THREADINESS}`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let outBytes = 0;
  child.stdout!.on('data', (c: Buffer) => (outBytes += c.length));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    const end = Date.now() + 60_000;
    const poll = setInterval(() => {
      const port = /webserver listening on 127\.0\.0\.1:(\d+)/.exec(err);
      if (port && /syscall: capturing/.test(err)) {
        clearInterval(poll);
        resolve({ child, port: Number(port[1]), stderr: () => err, stdoutBytes: () => outBytes });
      } else if (child.exitCode !== null || Date.now() > end) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`the agent did not start both sources:\n${err}`));
      }
    }, 50);
  });
}

function stopAgent(a: Agent): Promise<{ evaluated: number; dropped: number }> {
  return new Promise((resolve, reject) => {
    a.child.on('exit', () => {
      const m = /syscall: (\d+) events evaluated, \d+ seen by the probe, (\d+) dropped/.exec(a.stderr());
      if (!m) return reject(new Error(`no syscall exit line from the agent:\n${a.stderr()}`));
      resolve({ evaluated: Number(m[1]), dropped: Number(m[2]) });
    });
    a.child.kill('SIGINT');
  });
}

/** utime + stime of a process, in seconds */
function cpuSeconds(pid: number): number {
  const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** a /proc/PID/status memory line (VmRSS, VmHWM) in MiB */
function memoryMiB(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${key} in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

/** GET /healthz every 20 ms until stopped; when each was asked (performance.now()) and its latency in ms */
function pingHealthz(port: number): { stop: () => Promise<{ at: number; ms: number }[]> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: { at: number; ms: number }[] = [];
  let running = true;
  const started = performance.now();
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      http
        .get({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) times.push({ at: t0, ms: performance.now() - t0 });
            if (process.env.BENCH_SLOW_PINGS && performance.now() - t0 > 50) console.error(`slow /healthz ${(performance.now() - t0).toFixed(0)} ms at ${(t0 - started).toFixed(0)} ms`);
            resolve();
          });
        })
        .on('error', () => resolve());
    });
  const loop = (async () => {
    while (running) {
      await once();
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      agent.destroy();
      return times;
    },
  };
}

async function runPhase(phase: Phase, generator: string, bodiesFile: string): Promise<PhaseResult> {
  const agent = await startAgent();
  let ping: ReturnType<typeof pingHealthz> | undefined;
  try {
    // let the startup /proc walk and the workers' rule loading settle
    await new Promise((r) => setTimeout(r, 1000));
    const rssIdleMiB = memoryMiB(agent.child.pid!, 'VmRSS');
    ping = pingHealthz(agent.port);
    // the first answers come before any load: a stall at the start is then the load's, not the connection's
    await new Promise((r) => setTimeout(r, 300));
    // the window: from the start of the counted load to its end; with both, the generator starts when
    // the audit client starts counting (after its own start-up), so the two overlap for all SECONDS
    let cpu0 = 0;
    let out0 = 0;
    let t0 = 0;
    const open = (): void => {
      cpu0 = cpuSeconds(agent.child.pid!);
      out0 = agent.stdoutBytes();
      t0 = performance.now();
    };
    let gen: GenResult | undefined;
    let audit: Load | undefined;
    if (phase === 'syscall') {
      open();
      gen = await runGenerator(generator, SECONDS, 1, CONNECT_EVERY, 'mix');
    } else {
      let genRun: Promise<GenResult> | undefined;
      audit = await runLoad(`http://127.0.0.1:${agent.port}/k8s-audit`, bodiesFile, CONNECTIONS, SECONDS, 0, () => {
        open();
        if (phase === 'both') genRun = runGenerator(generator, SECONDS, 1, CONNECT_EVERY, 'mix');
      });
      gen = genRun ? await genRun : undefined;
    }
    const t1 = performance.now();
    const agentCores = (cpuSeconds(agent.child.pid!) - cpu0) / ((t1 - t0) / 1000);
    const alertBytes = agent.stdoutBytes() - out0;
    const pings = (await ping.stop()).filter((p) => p.at >= t0 && p.at <= t1).map((p) => p.ms);
    ping = undefined;
    const rssPeakMiB = memoryMiB(agent.child.pid!, 'VmHWM');
    const sys = await stopAgent(agent);
    if (audit && (audit.non2xx > 0 || audit.errors > 0)) throw new Error(`${phase}: ${audit.non2xx} non-2xx answers, ${audit.errors} errors`);
    if (pings.length === 0) throw new Error(`${phase}: /healthz never answered during the load`);
    return {
      syscallEvaluated: sys.evaluated,
      syscallDropped: sys.dropped,
      generatorOps: gen ? gen.opsPerSec : 0,
      generatorCalls: gen ? gen.ops : 0,
      auditEps: audit ? (audit.ok * 400) / audit.seconds : 0,
      auditP99: audit ? audit.p99 : 0,
      healthzP50: quantile(pings, 0.5),
      healthzP99: quantile(pings, 0.99),
      healthzMax: Math.max(...pings),
      agentCores,
      alertBytes,
      rssIdleMiB,
      rssPeakMiB,
    };
  } finally {
    // on any failure: no agent (and probe) left running behind the bench
    if (ping) await ping.stop();
    if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('bench:sources needs root: it runs the agent with live syscall capture (the eBPF probe). NOT RUN.');
    process.exit(1);
  }
  if (!fs.existsSync(path.join(ROOT, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: npm run build');
  const generator = buildGenerator();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-sources-'));
  const bodiesFile = path.join(tmp, 'bodies.json');
  fs.writeFileSync(bodiesFile, JSON.stringify(eventListBodies(400, 20, 'realistic').map((b) => b.toString('utf8'))));
  console.log(
    `the agent (dist/cli.js, default rules, both sources) under syscall load (1 generator process), audit load (400-event realistic batches, ${CONNECTIONS} connections) ` +
      `and both; ${ROUNDS} round(s) of ${SECONDS} s per phase, a fresh agent each; ${os.availableParallelism()} CPUs; load client ${loadClient()}`,
  );
  const results = new Map<Phase, PhaseResult[]>([
    ['syscall', []],
    ['audit', []],
    ['both', []],
  ]);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order: Phase[] = round % 2 === 0 ? ['syscall', 'audit', 'both'] : ['both', 'audit', 'syscall'];
      for (const phase of order) {
        const r = await runPhase(phase, generator, bodiesFile);
        results.get(phase)!.push(r);
        console.log(
          `  round ${round + 1} ${phase.padEnd(7)} syscall: generator ${fmt(r.generatorOps)} ops/s, agent evaluated ${fmt(r.syscallEvaluated)} events (${r.generatorCalls > 0 ? (r.syscallEvaluated / r.generatorCalls).toFixed(2) : '-'} per generator op), ${r.syscallDropped} dropped; ` +
            `audit ${fmt(r.auditEps)} events/s, p99 ${r.auditP99} ms; /healthz p50 ${r.healthzP50.toFixed(1)} p99 ${r.healthzP99.toFixed(1)} max ${r.healthzMax.toFixed(1)} ms; ` +
            `agent ${r.agentCores.toFixed(2)} cores, ${fmt(r.alertBytes / 1024)} KiB of alerts, RSS ${r.rssIdleMiB.toFixed(0)} MiB settled, ${r.rssPeakMiB.toFixed(0)} MiB peak`,
        );
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const med = (p: Phase, k: keyof PhaseResult): number => median(results.get(p)!.map((r) => r[k]));
  // the generator's rate with audit load against alone: its share of the CPUs (the agent keeps up when nothing is dropped)
  const syscallRatio = med('both', 'generatorOps') / med('syscall', 'generatorOps');
  const auditRatio = med('both', 'auditEps') / med('audit', 'auditEps');
  const dropsBoth = results.get('both')!.reduce((n, r) => n + r.syscallDropped, 0);
  console.log(
    `medians: syscall generator ${fmt(med('syscall', 'generatorOps'))} ops/s alone, ${fmt(med('both', 'generatorOps'))} with audit load (ratio ${syscallRatio.toFixed(2)}); ` +
      `audit ${fmt(med('audit', 'auditEps'))} events/s alone, ${fmt(med('both', 'auditEps'))} with syscall load (ratio ${auditRatio.toFixed(2)}); ` +
      `drops with both ${dropsBoth}; /healthz p99 ${med('syscall', 'healthzP99').toFixed(1)} / ${med('audit', 'healthzP99').toFixed(1)} / ${med('both', 'healthzP99').toFixed(1)} ms (syscall / audit / both)`,
  );
  console.log(
    JSON.stringify({
      bench: 'sources',
      seconds: SECONDS,
      rounds: ROUNDS,
      threadiness: THREADINESS ?? 'default',
      generator_ops_alone: Math.round(med('syscall', 'generatorOps')),
      generator_ops_both: Math.round(med('both', 'generatorOps')),
      syscall_ratio: Math.round(syscallRatio * 100) / 100,
      audit_eps_alone: Math.round(med('audit', 'auditEps')),
      audit_eps_both: Math.round(med('both', 'auditEps')),
      audit_ratio: Math.round(auditRatio * 100) / 100,
      dropped_both: dropsBoth,
      dropped_all: [...results.values()].flat().reduce((n, r) => n + r.syscallDropped, 0),
      healthz_p99_ms: { syscall: med('syscall', 'healthzP99'), audit: med('audit', 'healthzP99'), both: med('both', 'healthzP99') },
      healthz_max_ms: { syscall: med('syscall', 'healthzMax'), audit: med('audit', 'healthzMax'), both: med('both', 'healthzMax') },
      agent_cores: { syscall: med('syscall', 'agentCores'), audit: med('audit', 'agentCores'), both: med('both', 'agentCores') },
      agent_rss_settled_mib: Math.round(Math.max(...[...results.values()].flat().map((r) => r.rssIdleMiB))),
      agent_rss_peak_mib: Math.round(Math.max(...[...results.values()].flat().map((r) => r.rssPeakMiB))),
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
