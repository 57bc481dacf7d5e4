// npm run soak: the agent under mixed load for SOAK_SECONDS (default 600):
// syscalls (a child opening a marker file in a loop; needs root and BTF, else
// skipped, said loudly) and audit webhooks from 8 kept-alive clients, with bad
// requests mixed in (malformed JSON, wrong media type, oversize bodies,
// conflicting lengths, a body that trickles). Every 10 s it prints the agent's
// RSS, audit latency percentiles and acknowledged-vs-alerted counts; at the
// end it stops the agent with SIGTERM, writes a PNG chart (vega-lite rendered
// to SVG headless, then to PNG by resvg) and fails if RSS grew after the
// warm-up or any acknowledged event has no alert.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const WARMUP_S = Math.min(60, SECONDS / 4);
const OUT_DIR = process.env.SOAK_OUT ?? path.join(ROOT, 'soak-out');
const CLIENTS = 8;
const EVENTS_PER_BATCH = 10;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-soak-'));
const marker = path.join(tmp, 'soak-marker');
fs.writeFileSync(marker, 'x');
const rules = path.join(tmp, 'rules.yaml');
fs.writeFileSync(
  rules,
  `- rule: Soak audit event
  desc: every audit event of the soak
  condition: ka.verb = create
  output: audit id=%ka.auditid
  priority: WARNING
  source: k8s_audit
- rule: Soak marker open
  desc: the soak's syscall child opening its marker
  condition: evt.type in (open, openat) and fd.name = ${marker}
  output: syscall open by %proc.name
  priority: NOTICE
`,
);
const syscalls = process.getuid?.() === 0 && fs.existsSync('/sys/kernel/btf/vmlinux');
if (!syscalls) console.log('SOAK: NOT running syscall load: needs root and /sys/kernel/btf/vmlinux; audit load only');

const args = [path.join(ROOT, 'dist/cli.js'), '-r', rules, '-o', 'webserver.listen_address=127.0.0.1', '-o', 'webserver.listen_port=0', '-o', 'webserver.max_batch_size=1048576'];
if (!syscalls) args.push('--disable-source', 'syscall');
const agent = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
let stderr = '';
const alerted = new Set<string>();
let syscallAlerts = 0;
let partial = '';
agent.stdout!.on('data', (c: Buffer) => {
  const text = partial + c.toString();
  const lines = text.split('\n');
  partial = lines.pop()!;
  for (const l of lines) {
    const m = / audit id=(\S+)/.exec(l);
    if (m) alerted.add(m[1]);
    else if (l.includes('syscall open by')) syscallAlerts++;
  }
});
agent.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
const exited = new Promise<number | null>((r) => agent.on('exit', (code) => r(code)));

function rssMb(): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${agent.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

const acked: string[] = [];
const non2xx: Record<string, number> = {};
let latencies: number[] = [];
let badSent = 0;
let running = true;
let seq = 0;

function post(port: number, keepAlive: http.Agent, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/k8s-audit', method: 'POST', agent: keepAlive, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

async function auditClient(port: number, k: number): Promise<void> {
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
  while (running) {
    const ids = Array.from({ length: EVENTS_PER_BATCH }, () => `s${k}-${seq++}`);
    const items = ids.map((id) => ({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: id, stage: 'ResponseComplete', verb: 'create', user: { username: 'soak' }, objectRef: { resource: 'configmaps', namespace: 'soak', name: id } }));
    const t0 = performance.now();
    const status = await post(port, keepAlive, JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items }), { 'content-type': 'application/json' });
    latencies.push(performance.now() - t0);
    if (status >= 200 && status < 300) for (const id of ids) acked.push(id);
    else non2xx[status] = (non2xx[status] ?? 0) + 1;
  }
  keepAlive.destroy();
}

/** One bad request of each kind in turn, a few a second. */
async function badClient(port: number): Promise<void> {
  const kinds = [
    () => post(port, new http.Agent(), '{"kind":"EventList","items":[', { 'content-type': 'application/json' }),
    () => post(port, new http.Agent(), '{}', { 'content-type': 'application/jsonfoo' }),
    () => post(port, new http.Agent(), ' '.repeat(2 * 1024 * 1024), { 'content-type': 'application/json' }),
    () =>
      new Promise<number>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => s.write('POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n0123456789'));
        s.on('data', () => s.destroy());
        s.on('error', () => undefined);
        s.on('close', () => resolve(0));
        setTimeout(() => s.destroy(), 5000);
      }),
    () =>
      new Promise<number>((resolve) => {
        // declares 512 KiB and trickles: the server cuts it off (408)
        const s = net.connect(port, '127.0.0.1', () => s.write('POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 524288\r\n\r\n['));
        const t = setInterval(() => s.write(' '), 200);
        s.on('error', () => undefined);
        s.on('close', () => {
          clearInterval(t);
          resolve(0);
        });
        setTimeout(() => s.destroy(), 20000);
      }),
  ];
  let i = 0;
  while (running) {
    void kinds[i++ % kinds.length]();
    badSent++;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function syscallChild(): ReturnType<typeof spawn> {
  const code = `const fs=require('fs');const f=process.argv[1];let n=0;setInterval(()=>{for(let i=0;i<200;i++){fs.closeSync(fs.openSync(f,'r'));n++;}},10);`;
  return spawn(process.execPath, ['-e', code, marker], { stdio: 'ignore' });
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Sample {
  t: number;
  rss: number;
  p50: number;
  p99: number;
  acked: number;
  alerted: number;
}

async function main(): Promise<number> {
  const port = await new Promise<number>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /webserver listening on [^:]+:(\d+)\//.exec(stderr);
      if (m) {
        clearInterval(t);
        resolve(Number(m[1]));
      }
    }, 50);
    void exited.then(() => reject(new Error(`agent exited: ${stderr}`)));
  });
  if (syscalls) {
    const end = Date.now() + 30000;
    while (!/syscall: capturing/.test(stderr) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  }
  const child = syscalls ? syscallChild() : undefined;
  const clients = Array.from({ length: CLIENTS }, (_, k) => auditClient(port, k));
  const bad = badClient(port);
  const samples: Sample[] = [];
  const started = Date.now();
  console.log(`SOAK: ${SECONDS} s, ${CLIENTS} audit clients x ${EVENTS_PER_BATCH}-event batches, bad requests 4/s${syscalls ? ', syscall child opening its marker' : ''}; warm-up ${WARMUP_S} s`);
  console.log('  t(s)  RSS(MB)  p50(ms)  p99(ms)  acked  alerted  syscall-alerts  non2xx');
  while ((Date.now() - started) / 1000 < SECONDS) {
    await new Promise((r) => setTimeout(r, 10000));
    const sorted = latencies.sort((a, b) => a - b);
    latencies = [];
    const s: Sample = { t: Math.round((Date.now() - started) / 1000), rss: rssMb(), p50: pct(sorted, 50), p99: pct(sorted, 99), acked: acked.length, alerted: alerted.size };
    samples.push(s);
    console.log(`${String(s.t).padStart(6)}  ${s.rss.toFixed(1).padStart(7)}  ${s.p50.toFixed(1).padStart(7)}  ${s.p99.toFixed(1).padStart(7)}  ${String(s.acked).padStart(6)}  ${String(s.alerted).padStart(7)}  ${String(syscallAlerts).padStart(14)}  ${JSON.stringify(non2xx)}`);
  }
  running = false;
  child?.kill();
  console.log('SOAK: stopping the agent (SIGTERM)');
  const stopAt = Date.now();
  agent.kill('SIGTERM');
  const code = await exited;
  console.log(`SOAK: agent exited ${((Date.now() - stopAt) / 1000).toFixed(1)} s after SIGTERM`);
  await Promise.race([Promise.all([...clients, bad]), new Promise((r) => setTimeout(r, 10000))]);
  const lost = acked.filter((id) => !alerted.has(id));

  const after = samples.filter((s) => s.t >= WARMUP_S && Number.isFinite(s.rss));
  const third = Math.max(1, Math.floor(after.length / 3));
  const early = Math.max(...after.slice(0, third).map((s) => s.rss));
  const late = Math.max(...after.slice(-third).map((s) => s.rss));
  // growth: the late third's peak over the early third's by more than 10% and 20 MB
  const grew = late > early * 1.1 && late - early > 20;

  fs.mkdirSync(OUT_DIR, { recursive: true });
  const png = path.join(OUT_DIR, 'soak.png');
  await chart(samples, png);
  console.log(`SOAK: agent exit code ${code}; ${acked.length} events acknowledged, ${alerted.size} alerted, ${lost.length} acknowledged without alert; ${badSent} bad requests; ${syscallAlerts} syscall alerts`);
  console.log(`SOAK: RSS after warm-up: early-third peak ${early.toFixed(1)} MB, late-third peak ${late.toFixed(1)} MB${grew ? ' (GREW)' : ''}; chart ${png}`);
  const dropLines = stderr.split('\n').filter((l) => /dropped by the probe|webserver: /.test(l));
  if (dropLines.length > 0) console.log(`SOAK: agent log lines about drops and refusals (last 5):\n  ${dropLines.slice(-5).join('\n  ')}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  const failed = code !== 0 || lost.length > 0 || grew || acked.length === 0;
  console.log(failed ? 'SOAK: FAILED' : 'SOAK: passed');
  return failed ? 1 : 0;
}

async function chart(samples: Sample[], file: string): Promise<void> {
  // loaded by name: vega-lite's typings resolve only under node16 module resolution, which this project does not use
  const load = (name: string): Promise<any> => import(name);
  const vegaLite = await load('vega-lite');
  const vega = await load('vega');
  const { Resvg } = await load('@resvg/resvg-js');
  const rows = samples.flatMap((s) => [
    { t: s.t, panel: 'agent RSS (MB)', series: 'RSS', value: s.rss },
    { t: s.t, panel: 'audit latency (ms)', series: 'p50', value: s.p50 },
    { t: s.t, panel: 'audit latency (ms)', series: 'p99', value: s.p99 },
    { t: s.t, panel: 'events', series: 'acknowledged', value: s.acked },
    { t: s.t, panel: 'events', series: 'alerted', value: s.alerted },
  ]);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: rows },
    facet: { row: { field: 'panel', type: 'nominal', title: null } },
    spec: {
      width: 700,
      height: 160,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'seconds' },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'series', type: 'nominal' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  const png = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true } }).render().asPng();
  fs.writeFileSync(file, png);
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`SOAK: ${(e as Error).stack ?? e}`);
    agent.kill('SIGKILL');
    process.exit(1);
  },
);
