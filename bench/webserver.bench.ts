// `npm run bench:webserver`: audit EventList batches (10 and 400 events)
// POSTed over loopback to the uWebSockets.js server and, in the same run, to
// the same decoding and engine behind Node's `http`; plus the rate at which
// JSON.parse alone gets through the same bodies. The load generator runs in
// a child process (bench/loadClient.ts). WEBSERVER_BENCH_SECONDS sets each
// run's length (default 10; 60 for the RSS-flatness check). Memory is
// reported per run as RSS, heap and external by quarter and as what a full GC
// leaves after the run less before it, the figure a leak cannot hide from.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Engine } from '../src/engine/engine';
import { decodeAuditBody } from '../src/server/auditBody';
import { EvaluationQueue } from '../src/server/evaluationQueue';
import { startWebserver, WEBSERVER_DEFAULTS, type AuditSink } from '../src/server/webserver';
import { k8sAuditSource, toAuditEvent, type K8sAuditEvent } from '../src/sources/k8s_audit';
import { eventListBodies } from './auditBatches';

const SECONDS = Number(process.env.WEBSERVER_BENCH_SECONDS ?? 10);
const CONNECTIONS = 4;
const ROOT = path.resolve(__dirname, '..');

function engineSink(): { sink: AuditSink; alerts: () => number } {
  const engine = new Engine([k8sAuditSource]);
  const res = engine.loadRulesFiles([path.join(ROOT, 'rules/k8s_audit_rules.yaml')]);
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

/** Node's http doing the same work: read the body, decode, evaluate through the same queue. */
function startHttpBaseline(sink: AuditSink): Promise<{ port: number; idle(): boolean; close(): void }> {
  const queue = new EvaluationQueue(sink, 5);
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const decoded = decodeAuditBody(Buffer.concat(parts).toString('utf8'), WEBSERVER_DEFAULTS.max_event_size);
      if ('error' in decoded) {
        res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: decoded.error }));
        return;
      }
      const b = decoded.batch;
      queue.submit(b.events, (r) => {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ accepted: r.accepted, rejected: b.rejected, dropped_oversize: b.dropped }));
      });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, idle: () => queue.pendingBatches === 0, close: () => server.close() })),
  );
}

interface Load {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  p50: number;
  p99: number;
}

function runLoad(url: string, bodiesFile: string): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'loadClient.ts'), url, bodiesFile, String(CONNECTIONS), String(SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Load) : reject(new Error(`load client exited ${code}`))));
  });
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

interface Memory {
  peakRssMb: number;
  /** mean of each quarter of the run */
  rssMb: number[];
  heapUsedMb: number[];
  externalMb: number[];
  /** RSS in the last quarter less the second, so warm-up is left out */
  rssGrowthMb: number;
  /** live memory after a full GC at the end of the run less at its start: what a leak leaves behind */
  retainedGrowthMb: number;
}

/**
 * Samples memory while `run` goes. RSS alone says little about a leak: V8
 * lets the old generation grow for minutes before a major GC gives pages
 * back, so a 60 s window can catch the rise and miss the fall (or the
 * reverse: the http runs "shrank" by 40 MB). A full GC before the run clears
 * what earlier phases left, and one after shows what the run kept.
 */
async function withMemory<T>(run: () => Promise<T>, idle: () => boolean): Promise<{ result: T; mem: Memory }> {
  const before = await retainedBytes();
  const rss: number[] = [];
  const heap: number[] = [];
  const external: number[] = [];
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss.push(m.rss);
    heap.push(m.heapUsed);
    external.push(m.external);
  }, 250);
  const result = await run();
  clearInterval(timer);
  // batches still under evaluation when the client left are not kept: wait them out
  for (const end = Date.now() + 10_000; !idle() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
  if (!idle()) throw new Error('the server still has batches in hand 10 s after the load stopped');
  const after = await retainedBytes();
  const quarters = (xs: number[]): number[] => {
    const q = Math.max(1, Math.floor(xs.length / 4));
    return [0, 1, 2, 3].map((k) => {
      const part = xs.slice(k * q, (k + 1) * q);
      return mb(part.reduce((a, b) => a + b, 0) / Math.max(1, part.length));
    });
  };
  const rssMb = quarters(rss);
  return {
    result,
    mem: {
      peakRssMb: mb(Math.max(...rss)),
      rssMb,
      heapUsedMb: quarters(heap),
      externalMb: quarters(external),
      rssGrowthMb: Math.round((rssMb[3] - rssMb[1]) * 10) / 10,
      retainedGrowthMb: mb(after - before),
    },
  };
}

function parseRate(bodies: Buffer[], perBody: number): { fromString: number; fromBytes: number } {
  const texts = bodies.map((b) => b.toString('utf8'));
  const time = (f: (i: number) => void): number => {
    for (let i = 0; i < 200; i++) f(i % bodies.length);
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < 2000) f(n++ % bodies.length);
    return (n * perBody) / ((performance.now() - start) / 1000);
  };
  let sink = 0;
  const fromString = time((i) => (sink += (JSON.parse(texts[i]) as { items: unknown[] }).items.length));
  const fromBytes = time((i) => (sink += (JSON.parse(bodies[i].toString('utf8')) as { items: unknown[] }).items.length));
  return sink < 0 ? { fromString: 0, fromBytes: 0 } : { fromString, fromBytes };
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-wsbench-'));
  const { sink, alerts } = engineSink();
  const uws = startWebserver({ ...WEBSERVER_DEFAULTS, listen_address: '127.0.0.1', listen_port: 0 }, sink, { vigil: 'bench', engine: 'bench' });
  const node = await startHttpBaseline(sink);
  const summary: Record<string, unknown> = { seconds_per_run: SECONDS, connections: CONNECTIONS };
  try {
    for (const size of [10, 400]) {
      const bodies = eventListBodies(size, size === 10 ? 400 : 20);
      const file = path.join(tmp, `bodies-${size}.json`);
      fs.writeFileSync(file, JSON.stringify(bodies.map((b) => b.toString('utf8'))));
      const avgKb = Math.round(bodies.reduce((a, b) => a + b.length, 0) / bodies.length / 102.4) / 10;
      const parse = parseRate(bodies, size);
      console.log(`\n${size}-event batches (${avgKb} KiB a body): JSON.parse alone ${Math.round(parse.fromString)} events/s (with UTF-8 decoding ${Math.round(parse.fromBytes)})`);
      const rows: Record<string, number> = {};
      const uwsIdle = (): boolean => {
        const st = uws.stats();
        return st.pending_batches === 0 && st.bytes_reserved === 0 && st.waiting_for_budget === 0;
      };
      for (const [name, port, idle] of [['uws', uws.port, uwsIdle], ['http', node.port, node.idle]] as const) {
        const delay = monitorEventLoopDelay({ resolution: 1 });
        delay.enable();
        const { result, mem } = await withMemory(() => runLoad(`http://127.0.0.1:${port}/k8s-audit`, file), idle);
        delay.disable();
        const eps = (result.ok * size) / result.seconds;
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
        console.log(
          `  ${name.padEnd(4)} ${Math.round(eps)} events/s, ${Math.round(result.ok / result.seconds)} req/s, latency p50 ${result.p50} ms p99 ${result.p99} ms, ` +
            `event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms max ${(delay.max / 1e6).toFixed(1)} ms\n` +
            `       memory MB by quarter: RSS ${mem.rssMb.join(' / ')} (peak ${mem.peakRssMb}), heap used ${mem.heapUsedMb.join(' / ')}, external ${mem.externalMb.join(' / ')}; ` +
            `retained after full GC ${mem.retainedGrowthMb >= 0 ? '+' : ''}${mem.retainedGrowthMb} over the run`,
        );
        rows[`${name}_eps`] = Math.round(eps);
        rows[`${name}_p50_ms`] = result.p50;
        rows[`${name}_p99_ms`] = result.p99;
        rows[`${name}_peak_rss_mb`] = mem.peakRssMb;
        rows[`${name}_rss_growth_mb`] = mem.rssGrowthMb;
        rows[`${name}_retained_growth_mb`] = mem.retainedGrowthMb;
        rows[`${name}_loop_delay_max_ms`] = Math.round(delay.max / 1e5) / 10;
      }
      rows.parse_eps = Math.round(parse.fromString);
      rows.uws_over_parse = Math.round((rows.uws_eps / parse.fromString) * 100) / 100;
      rows.uws_over_http = Math.round((rows.uws_eps / rows.http_eps) * 100) / 100;
      console.log(`  uws / JSON.parse ${rows.uws_over_parse}x, uws / http ${rows.uws_over_http}x`);
      for (const [k, v] of Object.entries(rows)) summary[`b${size}_${k}`] = v;
    }
  } finally {
    uws.close();
    node.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const st = uws.stats();
  summary.alerts = alerts();
  summary.uws_longest_eval_turn_ms = Math.round(st.longest_eval_turn_ms * 10) / 10;
  summary.uws_peak_body_bytes = st.peak_bytes_reserved;
  console.log(JSON.stringify({ bench: 'webserver', ...summary }));
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
