// `npm run bench:webserver`: audit EventList batches (10 and 400 events)
// POSTed over loopback to the uWebSockets.js server and, in the same run, to
// the same decoding and engine behind Node's `http`; plus the rate at which
// JSON.parse alone gets through the same bodies. The load generator runs in
// a child process (bench/loadClient.ts). WEBSERVER_BENCH_SECONDS sets each
// run's length (default 10; 60 for the RSS-flatness check).
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
function startHttpBaseline(sink: AuditSink): Promise<{ port: number; close(): void }> {
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
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, close: () => server.close() })));
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

/** Samples RSS while `run` goes; returns the result with peak RSS and the RSS of each quarter of the run. */
async function withRss<T>(run: () => Promise<T>): Promise<{ result: T; peakMb: number; quartersMb: number[] }> {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(process.memoryUsage.rss()), 100);
  const result = await run();
  clearInterval(timer);
  const q = Math.max(1, Math.floor(samples.length / 4));
  const quartersMb = [0, 1, 2, 3].map((k) => {
    const part = samples.slice(k * q, (k + 1) * q);
    return Math.round(part.reduce((a, b) => a + b, 0) / Math.max(1, part.length) / 1e5) / 10;
  });
  return { result, peakMb: Math.round(Math.max(...samples) / 1e5) / 10, quartersMb };
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
      for (const [name, port] of [['uws', uws.port], ['http', node.port]] as const) {
        const delay = monitorEventLoopDelay({ resolution: 1 });
        delay.enable();
        const { result, peakMb, quartersMb } = await withRss(() => runLoad(`http://127.0.0.1:${port}/k8s-audit`, file));
        delay.disable();
        const eps = (result.ok * size) / result.seconds;
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
        console.log(
          `  ${name.padEnd(4)} ${Math.round(eps)} events/s, ${Math.round(result.ok / result.seconds)} req/s, latency p50 ${result.p50} ms p99 ${result.p99} ms, ` +
            `peak RSS ${peakMb} MB (by quarter ${quartersMb.join(' / ')}), event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms max ${(delay.max / 1e6).toFixed(1)} ms`,
        );
        rows[`${name}_eps`] = Math.round(eps);
        rows[`${name}_p50_ms`] = result.p50;
        rows[`${name}_p99_ms`] = result.p99;
        rows[`${name}_peak_rss_mb`] = peakMb;
        rows[`${name}_rss_growth_mb`] = Math.round((quartersMb[3] - quartersMb[1]) * 10) / 10;
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

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
