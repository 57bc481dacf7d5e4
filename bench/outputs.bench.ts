// npm run bench:outputs -- alerts formatted as Falco's JSON by the agent's
// Outputs and delivered by three channels: file_output (measured against a
// plain fs write stream writing the same, already formatted lines: the
// channel's cost over writing), http_output to a receiver on loopback, and
// grpc_output to a subscriber generated from Falco's proto. Targets: file
// within 1.5x of the plain stream; HTTP and gRPC at least 50k alerts/s. The
// HTTP receiver is then loaded by a raw HTTP client (wrk when installed, else
// autocannon) POSTing the same lines on as many connections: what one POST per
// alert can reach on this machine, measured in the same run.
// BENCH_ALERTS sets the count (default 1M); BENCH_CHANNELS (a comma-separated
// subset of file,http,grpc; default all) the channels measured;
// BENCH_GRPC_WINDOW the gRPC subscriber's HTTP/2 window in bytes (default grpc-js's).
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyOverride, builtinDefaults, type ConfigTree } from '../src/config';
import type { Alert } from '../src/outputs/alert';
import { formatAlert } from '../src/outputs/alertFormat';
import { startGrpcServer } from '../src/outputs/grpc/grpcServer';
import { grpcServerConfig } from '../src/outputs/grpc/grpcServerConfig';
import { Outputs } from '../src/outputs/outputs';
import { positiveKnob } from './envKnob';
import { loadClient, runLoad } from './loadRun';

const N = positiveKnob('BENCH_ALERTS', 1_000_000);
const CHANNELS = new Set((process.env.BENCH_CHANNELS || 'file,http,grpc').split(','));
for (const c of CHANNELS) if (!['file', 'http', 'grpc'].includes(c)) throw new Error(`BENCH_CHANNELS: unknown channel '${c}' (file, http, grpc)`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-outputs-'));
const RULES = ['Write below etc', 'Terminal shell in container', 'Read sensitive file untrusted', 'Outbound connection'];

const TAGS = [['filesystem', 'mitre_persistence'], ['container', 'shell'], ['filesystem'], ['network']];

/**
 * The i-th alert. The HTTP and gRPC parts make each as they emit it, as the
 * agent makes alerts from events: a list of a million alerts held for the
 * whole run would cost those parts the old-space GC the agent never pays.
 */
function alertAt(i: number): Alert {
  const k = i % RULES.length;
  const fields = { 'proc.name': 'bash', 'proc.pid': 1000 + (i % 5000), 'fd.name': `/etc/file${i % 977}`, 'user.name': 'root', 'container.id': 'host' };
  return {
    time: 1715679935_000000000n + BigInt(i) * 1000n,
    rule: RULES[k],
    priority: 4,
    source: 'syscall',
    tags: TAGS[k],
    message: `File below /etc opened for writing (file=/etc/file${i % 977} pid=${1000 + (i % 5000)} user=root command=bash)`,
    outputFields: () => ({ ...fields }),
  };
}

function alerts(n: number): Alert[] {
  return Array.from({ length: n }, (_, i) => alertAt(i));
}

function config(...o: string[]): ConfigTree {
  let c = builtinDefaults();
  for (const x of ['stdout_output.enabled=false', 'syslog_output.enabled=false', 'json_output=true', ...o]) c = applyOverride(c, x);
  return c;
}

function progress(what: string, done: number, t0: number): void {
  process.stderr.write(`\r${what}: ${done}/${N} (${Math.round(done / ((performance.now() - t0) / 1000))} alerts/s)   `);
}

function rate(n: number, ms: number): number {
  return Math.round(n / (ms / 1000));
}

async function fileChannel(list: Alert[]): Promise<{ channelMs: number; plainMs: number }> {
  // the baseline's lines: the same JSON, formatted before the clock starts
  const outs = new Outputs(config());
  const lines = list.map((a) => formatAlert(a, outs.format));
  const plainFile = path.join(dir, 'plain.jsonl');
  let t0 = performance.now();
  const ws = fs.createWriteStream(plainFile);
  for (let i = 0; i < lines.length; i++) {
    if (!ws.write(`${lines[i]}\n`)) await new Promise<void>((r) => ws.once('drain', () => r()));
  }
  await new Promise<void>((r) => ws.end(r));
  const plainMs = performance.now() - t0;

  const chanFile = path.join(dir, 'channel.jsonl');
  const o = new Outputs(config('file_output.enabled=true', 'file_output.keep_alive=true', `file_output.filename=${chanFile}`));
  t0 = performance.now();
  const BATCH = 10_000;
  for (let i = 0; i < list.length; i += BATCH) {
    for (let j = i; j < Math.min(i + BATCH, list.length); j++) o.emit(list[j]);
    // the agent emits a batch of events a turn; the channel writes at the end of each
    await new Promise((r) => setImmediate(r));
  }
  await o.close();
  const channelMs = performance.now() - t0;
  const a = fs.statSync(plainFile).size;
  const b = fs.statSync(chanFile).size;
  if (a !== b) throw new Error(`file channel wrote ${b} bytes, the plain stream ${a}`);
  return { channelMs, plainMs };
}

function child(kind: string, target: string): { proc: ChildProcess; lines: AsyncIterator<string>; ask(): void } {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'outputsReceivers.ts'), kind, target, String(N)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  proc.stdout!.on('data', (c) => {
    buf += c;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      queue.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    wake?.();
  });
  const lines: AsyncIterator<string> = {
    async next() {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      return { value: queue.shift()!, done: false };
    },
  };
  return { proc, lines, ask: () => proc.stdin!.write('?\n') };
}

/** Emits every alert, keeping at most half the queue filled (so none is dropped), until the far end has them all. */
async function pump(what: string, o: Outputs, received: () => Promise<number>): Promise<number> {
  const ch = o.channels[o.channels.length - 1];
  const room = o.queue.capacity / 2;
  const t0 = performance.now();
  let i = 0;
  let lastShown = 0;
  while (i < N) {
    const n = Math.min(N - i, room - ch.queued);
    for (let k = 0; k < n; k++) o.emit(alertAt(i++));
    // with no room, wait as an agent waits for events: polling with setImmediate took a core from the far end
    await new Promise((r) => (n > 0 ? setImmediate(r) : setTimeout(r, 1)));
    if (i - lastShown >= 50_000) {
      progress(what, i, t0);
      lastShown = i;
    }
  }
  const got = await received();
  const ms = performance.now() - t0;
  process.stderr.write('\n');
  if (ch.stats.droppedTotal > 0) throw new Error(`${what}: ${ch.stats.droppedTotal} alerts dropped`);
  if (got !== N) throw new Error(`${what}: the far end got ${got} of ${N}`);
  return ms;
}

/** connections http_output keeps open with keep_alive (httpChannel.ts) */
const HTTP_CONNECTIONS = 4;
/** the raw client also on this many, to show what more connections would give */
const RAW_MANY_CONNECTIONS = 32;
const RAW_SECONDS = 5;

async function httpChannel(): Promise<{ ms: number; rawPerS: number; rawManyPerS: number; rawClient: string }> {
  const rx = child('http', '-');
  const port = Number((await rx.lines.next()).value.replace('port ', ''));
  const url = `http://127.0.0.1:${port}/falco`;
  const o = new Outputs(config('http_output.enabled=true', 'http_output.keep_alive=true', `http_output.url=${url}`));
  try {
    const ms = await pump('http', o, async () => Number((await rx.lines.next()).value));
    await o.close();
    const bodies = path.join(dir, 'http-bodies.json');
    fs.writeFileSync(bodies, JSON.stringify(alerts(1000).map((a) => formatAlert(a, o.format))));
    const rawClient = loadClient();
    process.stderr.write(`http: raw client (${rawClient}) against the same receiver, ${RAW_SECONDS} s on ${HTTP_CONNECTIONS} then on ${RAW_MANY_CONNECTIONS} connections\n`);
    const perS = async (connections: number): Promise<number> => {
      const raw = await runLoad(url, bodies, connections, RAW_SECONDS, 1, () => undefined, rawClient);
      if (raw.non2xx > 0 || raw.errors > 0) throw new Error(`raw client on ${connections} connections: ${raw.non2xx} non-2xx answers, ${raw.errors} errors`);
      return Math.round(raw.ok / raw.seconds);
    };
    return { ms, rawPerS: await perS(HTTP_CONNECTIONS), rawManyPerS: await perS(RAW_MANY_CONNECTIONS), rawClient };
  } finally {
    await o.close();
    rx.proc.kill();
  }
}

/**
 * What each process spent per alert, microseconds of CPU (the agent's
 * includes formatting), and how busy its event loop was (the rest of the time
 * it waited: for room in the queue, for data).
 */
interface GrpcCost {
  agentCpuUs: number;
  agentBusy: number;
  subscriberCpuUs: number;
  subscriberBusy: number;
}

async function grpcChannel(): Promise<{ ms: number; cost: GrpcCost }> {
  const sock = path.join(dir, 'vigil.sock');
  const c = config('grpc.enabled=true', 'grpc_output.enabled=true', `grpc.bind_address=unix://${sock}`);
  const o = new Outputs(c);
  const server = await startGrpcServer(grpcServerConfig(c)!, o.grpcChannel, { version: '0.0.0', engineVersion: '0.0.0', engineFieldsChecksum: '' });
  const rx = child('grpc', `unix://${sock}`);
  await rx.lines.next();
  try {
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const ms = await pump('grpc', o, async () => Number((await rx.lines.next()).value));
    const cpu = process.cpuUsage(cpu0);
    const agentBusy = performance.eventLoopUtilization(elu0).utilization;
    // the subscriber's line after its count: `cpu <microseconds> <event loop utilization>`
    const [, subCpu, subBusy] = (await rx.lines.next()).value.split(' ');
    return { ms, cost: { agentCpuUs: (cpu.user + cpu.system) / N, agentBusy, subscriberCpuUs: Number(subCpu) / N, subscriberBusy: Number(subBusy) } };
  } finally {
    rx.proc.stdin!.end();
    await o.close();
    await server.close();
    rx.proc.kill();
  }
}

async function main(): Promise<void> {
  console.log(`bench:outputs: ${N} alerts as Falco JSON; load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const result: Record<string, unknown> = { bench: 'outputs' };
  if (CHANNELS.has('file')) {
    const f = await fileChannel(alerts(N));
    const ratio = f.channelMs / f.plainMs;
    console.log(`file channel: ${rate(N, f.channelMs)} alerts/s (formatting included), plain write stream of the formatted lines: ${rate(N, f.plainMs)} lines/s; ratio ${ratio.toFixed(2)} (target <= 1.5)`);
    Object.assign(result, { file_ratio: Number(ratio.toFixed(2)), file_per_s: rate(N, f.channelMs) });
  }
  if (CHANNELS.has('http')) {
    const h = await httpChannel();
    console.log(`http channel: ${rate(N, h.ms)} alerts/s, one POST each, keep_alive, to a uWebSockets.js receiver on loopback (target >= 50000); a raw HTTP client (${h.rawClient}, ${HTTP_CONNECTIONS} connections, the same lines) against the same receiver: ${h.rawPerS} POST/s (ratio ${(rate(N, h.ms) / h.rawPerS).toFixed(2)} of it), on ${RAW_MANY_CONNECTIONS} connections ${h.rawManyPerS} POST/s`);
    Object.assign(result, { http_per_s: rate(N, h.ms), http_raw_client_per_s: h.rawPerS, http_raw_client_many_per_s: h.rawManyPerS });
  }
  if (CHANNELS.has('grpc')) {
    const g = await grpcChannel();
    const c = g.cost;
    console.log(`grpc channel: ${rate(N, g.ms)} alerts/s to a subscriber generated from Falco's outputs.proto over a unix socket (target >= 50000); CPU per alert: agent ${c.agentCpuUs.toFixed(1)} us (formatting included; event loop busy ${Math.round(c.agentBusy * 100)}%), subscriber ${c.subscriberCpuUs.toFixed(1)} us (event loop busy ${Math.round(c.subscriberBusy * 100)}%)`);
    Object.assign(result, { grpc_per_s: rate(N, g.ms), grpc_agent_cpu_us: Number(c.agentCpuUs.toFixed(1)), grpc_subscriber_cpu_us: Number(c.subscriberCpuUs.toFixed(1)) });
  }
  result.target = 'file<=1.5x, http>=50k/s, grpc>=50k/s';
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
