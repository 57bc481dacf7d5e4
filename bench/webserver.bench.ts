// `npm run bench:webserver`: audit EventList batches (10 and 400 events of
// the realistic mix, and 400 of the alert-heavy one: bench/auditBatches.ts)
// POSTed over loopback to the uWebSockets.js server and, in the same run, to
// the same decoding and engine behind Node's `http`; plus the rate at which
// JSON.parse alone gets through the same bodies, sampled between rounds. Twice: with evaluation in
// worker threads (webserver.threadiness auto; the http baseline hands its
// bodies to the same kind of pool, so uws/http compares the HTTP layers) and
// on the main thread (both servers decode and evaluate on their own thread). The load generator (wrk, or
// autocannon: bench/loadRun.ts) runs in a child process and loads each server for
// WEBSERVER_BENCH_WARMUP seconds (6) before every counted round. WEBSERVER_BENCH_SECONDS sets the
// load time per server and batch size (default 10; 60 for the RSS-flatness
// check), split into WEBSERVER_BENCH_ROUNDS rounds (default 4) that alternate
// the servers, so a change in the machine's other load hits both alike;
// WEBSERVER_BENCH_CONNECTIONS_10 / _400 set the client's connections;
// WEBSERVER_BENCH_CASES, _MODES and _THREADS run a part of it (see below). Each
// server's CPU time per event is printed too: on a shared machine it moves
// much less than events/s. Memory is reported as RSS, heap and external by
// quarter and as what a full GC leaves after each round less before it, the
// figure a leak cannot hide from.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Engine } from '../src/engine/engine';
import { builtinSources } from '../src/sources';
import type { AuditEvaluation } from '../src/server/auditEvaluation';
import { AuditWorkerPool, evaluationThreads, rulesRecipe } from '../src/server/auditWorkerPool';
import type { AuditSink } from '../src/server/evaluationQueue';
import { MainThreadEvaluation } from '../src/server/mainThreadEvaluation';
import { checkWebserverConfig } from '../src/server/webserverConfig';
import { startWebserver, WEBSERVER_DEFAULTS } from '../src/server/webserver';
import { k8sAuditSource, toAuditEvent, type K8sAuditEvent } from '../src/sources/k8s_audit';
import { type AuditMix, eventListBodies } from './auditBatches';
import { positiveKnob } from './envKnob';
import { loadClient, runLoad } from './loadRun';

/** Seconds of load per server and batch size, split into ROUNDS alternating rounds. */
const SECONDS = positiveKnob('WEBSERVER_BENCH_SECONDS', 10);
const ROUNDS = Math.round(positiveKnob('WEBSERVER_BENCH_ROUNDS', 4));
/**
 * Seconds of load before each round's counted part. Short ones flatter uws:
 * after the bench's full GCs and an idle pause, the http server takes longer
 * to get back to speed (6 s brings uws/http close to its steady state).
 */
const WARMUP = positiveKnob('WEBSERVER_BENCH_WARMUP', 6);
/**
 * Concurrent connections per batch size. With 10-event batches and 4
 * connections each waiting for its answer, both servers were bound by the
 * client's round trips (neither used a whole core); 16 stand for several API
 * servers posting to one agent, and keep the server under test busy.
 */
const CONNECTIONS = {
  10: Math.round(positiveKnob('WEBSERVER_BENCH_CONNECTIONS_10', 16)),
  400: Math.round(positiveKnob('WEBSERVER_BENCH_CONNECTIONS_400', 4)),
} as const;
const ROOT = path.resolve(__dirname, '..');

/**
 * What is posted: the realistic mix at both sizes; the real-shaped mix (full
 * request and response objects, about 1.9 KB and 0.65 alerts an event) at
 * both sizes, whose 400-event case is held to 0.8x of JSON.parse; the
 * alert-heavy mix (about 0.8 alerts an event) shows the alert path under
 * stress and has no target.
 */
const CASES: readonly { size: 10 | 400; mix: AuditMix; key: string }[] = [
  { size: 10, mix: 'realistic', key: 'b10' },
  { size: 400, mix: 'realistic', key: 'b400' },
  { size: 10, mix: 'real-shaped', key: 'b10_real' },
  { size: 400, mix: 'real-shaped', key: 'b400_real' },
  { size: 400, mix: 'alert-heavy', key: 'b400_alert_heavy' },
];

/** WEBSERVER_BENCH_CASES=b10,b400 runs only those cases (keys above); all by default. */
const ONLY = (process.env.WEBSERVER_BENCH_CASES ?? '').split(',').filter((k) => k !== '');
for (const k of ONLY) if (!CASES.some((c) => c.key === k)) throw new Error(`WEBSERVER_BENCH_CASES: no case '${k}' (${CASES.map((c) => c.key).join(', ')})`);

const RULES = path.join(ROOT, 'rules/k8s_audit_rules.yaml');

function engineSink(): { sink: AuditSink; alerts: () => number } {
  const engine = new Engine([k8sAuditSource]);
  const res = engine.loadRulesFiles([RULES]);
  if (res.errors.length > 0) throw new Error(`rules: ${res.errors[0].format()}`);
  const ruleset = engine.ruleset<K8sAuditEvent>('k8s_audit');
  let alerts = 0;
  let chars = 0;
  return {
    sink: {
      accept(obj) {
        const evt = toAuditEvent(obj);
        ruleset.match(evt, 'all', (rule) => {
          alerts++;
          chars += rule.output.render(evt).length;
        });
      },
    },
    alerts: () => alerts + (chars < 0 ? 1 : 0),
  };
}

/** A worker pool as the agent builds it (threadiness auto), counting the alerts posted back. */
function enginePool(threads: number): { pool: AuditWorkerPool; alerts: () => number } {
  const engine = new Engine(builtinSources());
  const res = engine.loadRulesFiles([RULES]);
  if (res.errors.length > 0) throw new Error(`rules: ${res.errors[0].format()}`);
  let alerts = 0;
  const pool = new AuditWorkerPool({ threads, recipe: rulesRecipe(engine, 'all', false), onAlert: () => alerts++, log: (m) => console.error(m) });
  return { pool, alerts: () => alerts };
}

/**
 * Node's http doing the same work: read the body, then hand it to the same
 * evaluation as the uws server (the worker pool, or decoding and evaluating
 * on this thread).
 */
function startHttpBaseline(evaluation: AuditEvaluation): Promise<{ port: number; idle(): boolean; close(): void }> {
  let inFlight = 0;
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      inFlight++;
      evaluation.submit(body, body.length, WEBSERVER_DEFAULTS.max_event_size, (a) => {
        inFlight--;
        if (a.status !== 200) res.writeHead(a.status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: a.error }));
        else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ accepted: a.facts.accepted, rejected: a.facts.rejected, dropped_oversize: a.facts.dropped }));
      });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, idle: () => inFlight === 0, close: () => server.close() })),
  );
}

/** A full collection; the bench runs itself under --expose-gc (see the end of the file). */
const fullGc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

/** MB with one decimal. */
const mb = (bytes: number): number => Math.round(bytes / 1e5) / 10;

/**
 * Live memory: what full collections leave of the JS heap plus Buffers and
 * other external memory. Two, a turn apart, so that closed sockets' handles
 * and weak callbacks that the first one queued are gone too.
 */
async function retainedBytes(): Promise<number> {
  fullGc();
  await new Promise((r) => setTimeout(r, 100));
  fullGc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Memory samples of one server over all its rounds, and what full GCs left after each round less before it. */
interface MemorySamples {
  rss: number[];
  heap: number[];
  external: number[];
  retainedGrowth: number;
}

/**
 * Samples memory while `run` goes. RSS alone says little about a leak: V8
 * lets the old generation grow for minutes before a major GC gives pages
 * back, so a 60 s window can catch the rise and miss the fall (or the
 * reverse: the http runs "shrank" by 40 MB). A full GC before the run clears
 * what earlier phases left, and one after shows what the run kept. The
 * samples cover the warm-up load too (WARMUP): the server holds the same
 * load then, so its memory belongs in the flatness check.
 */
async function withMemory<T>(into: MemorySamples, run: () => Promise<T>, idle: () => boolean): Promise<T> {
  const before = await retainedBytes();
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    into.rss.push(m.rss);
    into.heap.push(m.heapUsed);
    into.external.push(m.external);
  }, 250);
  const result = await run();
  clearInterval(timer);
  // batches still under evaluation when the client left are not kept: wait them out
  for (const end = Date.now() + 10_000; !idle() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
  if (!idle()) throw new Error('the server still has batches in hand 10 s after the load stopped');
  into.retainedGrowth += (await retainedBytes()) - before;
  return result;
}

/** Means of the four quarters of `xs`, in MB. */
function quarters(xs: number[]): number[] {
  const q = Math.max(1, Math.floor(xs.length / 4));
  return [0, 1, 2, 3].map((k) => {
    const part = xs.slice(k * q, (k + 1) * q);
    return mb(part.reduce((a, b) => a + b, 0) / Math.max(1, part.length));
  });
}

/**
 * JSON.parse alone on the same bodies for about `ms`: events/s by the clock
 * and CPU µs per event, from the strings (`fromBytes`: decoding the UTF-8
 * bytes as well). One sample is taken before the rounds and one after each,
 * so the baseline sees the same machine as the servers; the bench uses their
 * median.
 */
function parseSample(bodies: Buffer[], texts: string[], perBody: number, ms: number, fromBytes = false): { eps: number; cpuUsPerEvent: number } {
  let sink = 0;
  const f = fromBytes ? (i: number) => (sink += (JSON.parse(bodies[i].toString('utf8')) as { items: unknown[] }).items.length) : (i: number) => (sink += (JSON.parse(texts[i]) as { items: unknown[] }).items.length);
  for (let i = 0; i < 50; i++) f(i % bodies.length);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) f(n++ % bodies.length);
  const cpu = process.cpuUsage(cpu0);
  const events = n * perBody;
  if (sink < 0) throw new Error('unreachable: item counts are never negative');
  return { eps: events / ((performance.now() - start) / 1000), cpuUsPerEvent: (cpu.user + cpu.system) / events };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r2 = (x: number): number => Math.round(x * 100) / 100;

interface ServerUnderTest {
  name: 'uws' | 'http';
  port: number;
  idle(): boolean;
}

/** What one server did over all its rounds at one batch size. */
interface Tally {
  ok: number;
  seconds: number;
  serverCpuSeconds: number;
  clientCpuSeconds: number;
  p50: number[];
  p99: number[];
  eps: number[];
  loopDelayMaxMs: number;
  mem: MemorySamples;
}

async function main(): Promise<void> {
  // WEBSERVER_BENCH_THREADS: the pool's size instead of the agent's automatic one (webserver.threadiness N)
  const threads = process.env.WEBSERVER_BENCH_THREADS ? Math.round(positiveKnob('WEBSERVER_BENCH_THREADS', 1)) : evaluationThreads(0);
  const client = loadClient();
  const summary: Record<string, unknown> = { evaluation_threads_auto: threads, cpus: os.availableParallelism(), load_client: client };
  const why = process.env.LOAD_CLIENT ? 'LOAD_CLIENT' : client === 'wrk' ? 'installed' : 'wrk is not installed: scripts/setup-bench.sh installs it as root';
  console.log(`load client: ${client} (${why})${client === 'autocannon' ? '; autocannon takes about 100 µs of CPU a request from the 2 cores the servers share' : ''}`);
  // WEBSERVER_BENCH_MODES=workers or main: only that way of evaluating
  const modes = (['workers', 'main'] as const).filter((m) => !process.env.WEBSERVER_BENCH_MODES || process.env.WEBSERVER_BENCH_MODES.split(',').includes(m));
  if (modes.length === 0) throw new Error(`WEBSERVER_BENCH_MODES must name workers and/or main, got '${process.env.WEBSERVER_BENCH_MODES}'`);
  for (const mode of modes) {
    console.log(
      mode === 'workers'
        ? `\n=== evaluation in ${threads} worker thread(s) (webserver.threadiness auto): uws and the http baseline hand bodies to the same kind of pool; uws/http compares HTTP layers`
        : '\n=== evaluation on the main thread (webserver.threadiness -1): each server decodes and evaluates on its own thread',
    );
    if (mode === 'workers') {
      const { pool, alerts } = enginePool(threads);
      // both servers share one pool; they never run at the same time
      for (const end = Date.now() + 30_000; pool.readyWorkers < threads; ) {
        if (Date.now() > end) throw new Error('evaluation workers did not get ready in 30 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      try {
        await benchMode(pool, alerts, summary, 'workers_');
      } finally {
        await pool.close(10_000);
      }
    } else {
      const { sink, alerts } = engineSink();
      const evaluation = new MainThreadEvaluation(sink);
      try {
        await benchMode(evaluation, alerts, summary, 'main_');
      } finally {
        await evaluation.close();
      }
    }
  }
  console.log(JSON.stringify({ bench: 'webserver', ...summary }));
}

/** Both batch sizes, uws against http, with one way of evaluating; results go into `summary` under `prefix`. */
async function benchMode(evaluation: AuditEvaluation, alerts: () => number, summary: Record<string, unknown>, prefix: string): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-wsbench-'));
  const cfg = { ...WEBSERVER_DEFAULTS, listen_address: '127.0.0.1', listen_port: 0 };
  checkWebserverConfig(cfg);
  const uws = startWebserver(cfg, evaluation, { vigil: 'bench', engine: 'bench' });
  const node = await startHttpBaseline(evaluation);
  const servers: ServerUnderTest[] = [
    {
      name: 'uws',
      port: uws.port,
      idle: () => {
        const st = uws.stats();
        return st.pending_batches === 0 && st.bytes_reserved === 0 && st.waiting_for_budget === 0;
      },
    },
    { name: 'http', port: node.port, idle: node.idle },
  ];
  const roundSeconds = Math.max(1, Math.round(SECONDS / ROUNDS));
  summary.seconds_per_server = roundSeconds * ROUNDS;
  summary.rounds = ROUNDS;
  try {
    for (const { size, mix, key } of CASES.filter((c) => ONLY.length === 0 || ONLY.includes(c.key))) {
      const connections = CONNECTIONS[size];
      const bodies = eventListBodies(size, size === 10 ? 400 : 20, mix);
      const texts = bodies.map((b) => b.toString('utf8'));
      const file = path.join(tmp, `bodies-${key}.json`);
      fs.writeFileSync(file, JSON.stringify(texts));
      const avgKb = Math.round(bodies.reduce((a, b) => a + b.length, 0) / bodies.length / 102.4) / 10;
      const parse = [parseSample(bodies, texts, size, 1000)];
      const parseWithUtf8 = parseSample(bodies, texts, size, 1000, true);
      console.log(
        `\n${size}-event batches, ${mix} mix (${avgKb} KiB a body), ${connections} connections, ${ROUNDS} rounds of ${roundSeconds} s per server, ` +
          `alternating uws/http (ABBA) so both see the same load from other processes`,
      );
      const tallies = new Map<string, Tally>();
      for (const s of servers) {
        tallies.set(s.name, { ok: 0, seconds: 0, serverCpuSeconds: 0, clientCpuSeconds: 0, p50: [], p99: [], eps: [], loopDelayMaxMs: 0, mem: { rss: [], heap: [], external: [], retainedGrowth: 0 } });
      }
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? servers : [...servers].reverse();
        for (const s of order) {
          const t = tallies.get(s.name)!;
          const delay = monitorEventLoopDelay({ resolution: 1 });
          let cpu = { user: 0, system: 0 };
          const result = await withMemory(
            t.mem,
            async () => {
              let cpu0 = process.cpuUsage();
              const r = await runLoad(`http://127.0.0.1:${s.port}/k8s-audit`, file, connections, roundSeconds, WARMUP, () => {
                delay.enable();
                cpu0 = process.cpuUsage();
              });
              cpu = process.cpuUsage(cpu0);
              delay.disable();
              return r;
            },
            s.idle,
          );
          if (result.non2xx > 0 || result.errors > 0) throw new Error(`${s.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
          t.ok += result.ok;
          t.seconds += result.seconds;
          t.serverCpuSeconds += (cpu.user + cpu.system) / 1e6;
          t.clientCpuSeconds += result.cpuSeconds;
          t.p50.push(result.p50);
          t.p99.push(result.p99);
          t.eps.push((result.ok * size) / result.seconds);
          t.loopDelayMaxMs = Math.max(t.loopDelayMaxMs, delay.max / 1e6);
        }
        parse.push(parseSample(bodies, texts, size, 500));
      }
      const parseEps = median(parse.map((p) => p.eps));
      const parseCpuUs = median(parse.map((p) => p.cpuUsPerEvent));
      console.log(
        `  JSON.parse alone ${Math.round(parseEps)} events/s (median of ${parse.length} samples between rounds: ${parse.map((p) => Math.round(p.eps / 1000)).join(', ')}k; ` +
          `with UTF-8 decoding ${Math.round(parseWithUtf8.eps)}), ${parseCpuUs.toFixed(2)} CPU µs an event`,
      );
      const rows: Record<string, number> = {};
      for (const s of servers) {
        const t = tallies.get(s.name)!;
        const eps = (t.ok * size) / t.seconds;
        const cpuUs = (t.serverCpuSeconds * 1e6) / (t.ok * size);
        const rss = quarters(t.mem.rss);
        console.log(
          `  ${s.name.padEnd(4)} ${Math.round(eps)} events/s (rounds ${t.eps.map((x) => Math.round(x)).join(', ')}), ${Math.round(t.ok / t.seconds)} req/s, ` +
            `latency p50 ${median(t.p50)} ms p99 ${median(t.p99)} ms (median of rounds), event-loop delay max ${t.loopDelayMaxMs.toFixed(1)} ms\n` +
            `       server process CPU ${Math.round((t.serverCpuSeconds / t.seconds) * 100)}% (${cpuUs.toFixed(2)} µs an event), load client CPU ${Math.round((t.clientCpuSeconds / t.seconds) * 100)}%\n` +
            `       memory MB by quarter of its rounds: RSS ${rss.join(' / ')} (peak ${mb(Math.max(...t.mem.rss))}), heap used ${quarters(t.mem.heap).join(' / ')}, ` +
            `external ${quarters(t.mem.external).join(' / ')}; retained after full GC ${t.mem.retainedGrowth >= 0 ? '+' : ''}${mb(t.mem.retainedGrowth)} over its rounds`,
        );
        rows[`${s.name}_eps`] = Math.round(eps);
        rows[`${s.name}_p50_ms`] = median(t.p50);
        rows[`${s.name}_p99_ms`] = median(t.p99);
        rows[`${s.name}_cpu_us_per_event`] = r2(cpuUs);
        rows[`${s.name}_client_cpu_pct`] = Math.round((t.clientCpuSeconds / t.seconds) * 100);
        rows[`${s.name}_peak_rss_mb`] = mb(Math.max(...t.mem.rss));
        rows[`${s.name}_rss_growth_mb`] = Math.round((rss[3] - rss[1]) * 10) / 10;
        rows[`${s.name}_retained_growth_mb`] = mb(t.mem.retainedGrowth);
        rows[`${s.name}_loop_delay_max_ms`] = Math.round(t.loopDelayMaxMs * 10) / 10;
      }
      const u = tallies.get('uws')!;
      const h = tallies.get('http')!;
      const roundRatios = u.eps.map((e, k) => e / h.eps[k]);
      rows.connections = connections;
      rows.parse_eps = Math.round(parseEps);
      rows.parse_cpu_us_per_event = r2(parseCpuUs);
      rows.uws_over_parse = r2(rows.uws_eps / parseEps);
      rows.uws_over_http = r2(rows.uws_eps / rows.http_eps);
      rows.uws_over_http_round_min = r2(Math.min(...roundRatios));
      rows.uws_over_http_round_max = r2(Math.max(...roundRatios));
      // CPU per event is steadier than events/s on a shared machine: other load slows the clock-based rates, much less the CPU an event costs
      rows.parse_cpu_over_uws_cpu = r2(parseCpuUs / rows.uws_cpu_us_per_event);
      console.log(
        `  uws / JSON.parse ${rows.uws_over_parse}x (by CPU per event ${rows.parse_cpu_over_uws_cpu}x), ` +
          `uws / http ${rows.uws_over_http}x (rounds ${roundRatios.map(r2).join(', ')})`,
      );
      for (const [k, v] of Object.entries(rows)) summary[`${prefix}${key}_${k}`] = v;
    }
  } finally {
    uws.close();
    node.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const st = uws.stats();
  summary[`${prefix}alerts`] = alerts();
  summary[`${prefix}uws_longest_eval_turn_ms`] = Math.round(st.longest_eval_turn_ms * 10) / 10;
  summary[`${prefix}uws_peak_body_bytes`] = st.peak_bytes_reserved;
}

if (typeof (globalThis as { gc?: unknown }).gc === 'function') {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else {
  // the retained-memory figures need a full GC on demand: run again with it exposed
  const child = spawn(process.execPath, ['--expose-gc', ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
}
