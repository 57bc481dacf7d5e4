// npm run bench:concurrentBodies -- the audit webserver's memory under many
// big bodies at once (issue #12 item 6: 200 concurrent 12 MiB bodies took the
// agent to 1.51 GB). The real agent (dist/cli.js, default rules, syscall
// source off, loopback only) gets BENCH_CONNECTIONS (200) connections, each
// POSTing one EventList body of just under max_batch_size (12 MiB; events of
// bench/k8sAuditEvents.ts, what a cluster logs all day, few alerts) at full
// loopback speed, all at once. Its VmRSS is sampled every 20 ms and VmHWM
// read at the end, against the bound the README derives from the limits:
//   RSS at rest + 5 x max_batch_size (the bodies the budget holds: 4 x, plus
//   the small lane) x (1 + BENCH_DECODE_FACTOR (4): what decoding a held body
//   makes, as many times its size) + 512 KiB per connection (a socket read
//   with the headers).
// Any held body may be decoded while it waits for its turn to be evaluated
// (a worker's queue, or the main thread's), so the bound counts all of them.
// Prints the answers by status (503 + Retry-After is the designed answer to
// a request that waited 5 s for the budget) and the peak against the bound,
// per webserver.threadiness in BENCH_THREADINESS (default 0,-1).
import { spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeAuditEvents } from './k8sAuditEvents';
import { positiveKnob } from './envKnob';
import { agentReady, procStatusBytes } from './agentProcess';

const ROOT = path.resolve(__dirname, '..');
const CONNECTIONS = Math.round(positiveKnob('BENCH_CONNECTIONS', 200));
const DECODE_FACTOR = positiveKnob('BENCH_DECODE_FACTOR', 4);
const THREADINESS = (process.env.BENCH_THREADINESS ?? '0,-1').split(',').map(Number);
const MAX_BATCH = 12 * 1024 * 1024;
const HEADER_READ = 512 * 1024;
const MiB = 1024 * 1024;

/** an EventList of real-shaped events, as close under max_batch_size as whole events allow */
function bigBody(): Buffer {
  const events = makeAuditEvents(20000);
  const parts: string[] = [];
  let size = '{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[]}'.length;
  for (let i = 0; size + events[i % events.length].length + 1 < MAX_BATCH - 1024; i++) {
    parts.push(events[i % events.length]);
    size += events[i % events.length].length + 1;
  }
  return Buffer.from(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[${parts.join(',')}]}`);
}

/** one POST on its own connection: the status answered, or how it failed */
function postRaw(port: number, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    let head = '';
    let done = false;
    const finish = (what: string): void => {
      if (done) return;
      done = true;
      sock.destroy();
      resolve(what);
    };
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write(`POST /k8s-audit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      sock.write(body);
    });
    sock.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (m && head.includes('\r\n\r\n')) finish(m[1]);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => finish(head ? `partial answer (${e.code})` : `no answer (${e.code})`));
    sock.on('close', () => finish(head ? 'partial answer' : 'closed without an answer'));
  });
}

async function run(body: Buffer, threadiness: number): Promise<void> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli.js'), '--disable-source', 'syscall', '-o', 'webserver.listen_address=127.0.0.1', '-o', 'webserver.listen_port=0', '-o', `webserver.threadiness=${threadiness}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let alertBytes = 0;
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => (alertBytes += d.length));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const port = await agentReady(child, () => err);
    const workers = /evaluating in (\d+) worker/.exec(err);
    await new Promise((r) => setTimeout(r, 1000));
    const rest = procStatusBytes(child.pid!, 'VmRSS');
    let peakSampled = rest;
    const sampler = setInterval(() => {
      peakSampled = Math.max(peakSampled, procStatusBytes(child.pid!, 'VmRSS'));
    }, 20);
    const t0 = Date.now();
    const answers = await Promise.all(Array.from({ length: CONNECTIONS }, () => postRaw(port, body)));
    const secs = (Date.now() - t0) / 1000;
    clearInterval(sampler);
    const hwm = procStatusBytes(child.pid!, 'VmHWM');
    const counts = new Map<string, number>();
    for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
    const fixed = rest + 5 * MAX_BATCH + CONNECTIONS * HEADER_READ;
    const bound = fixed + DECODE_FACTOR * 5 * MAX_BATCH;
    // the peak beyond the rest of the bound, in held bodies
    const factor = (hwm - fixed) / (5 * MAX_BATCH);
    const mib = (n: number): string => `${(n / MiB).toFixed(0)} MiB`;
    console.log(
      `threadiness ${String(threadiness).padStart(2)}${workers ? ` (${workers[1]} workers)` : ''}: ${CONNECTIONS} x ${(body.length / MiB).toFixed(2)} MiB in ${secs.toFixed(1)} s; answers ${[...counts].map(([k, v]) => `${k}: ${v}`).join(', ')}; ` +
        `RSS at rest ${mib(rest)}, peak ${mib(hwm)} (VmHWM; sampled ${mib(peakSampled)}); bound ${mib(bound)} = rest + 5 x 12 MiB x (1 + ${DECODE_FACTOR}) + ${CONNECTIONS} x 512 KiB: ${hwm <= bound ? 'within' : 'EXCEEDED'} (the peak beyond rest, held bodies and header reads: ${factor.toFixed(1)} x the held bodies); alert output ${mib(alertBytes)}`,
    );
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function main(): Promise<void> {
  const body = bigBody();
  console.log(`concurrentBodies: ${CONNECTIONS} connections, body ${body.length} bytes; ${os.availableParallelism()} CPUs; load ${os.loadavg()[0].toFixed(2)}`);
  for (const t of THREADINESS) await run(body, t);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
