// npm run bench:capture -- the cost of syscall capture, in one run:
// 1. a C syscall generator (open/read/close, stat, socket/connect/close) with
//    and without the agent attached (capturing open/openat/close/socket/connect,
//    decoding every event, no rules): ops/s both ways, ratio, events/s, drops;
// 2. redis-benchmark against a local redis-server, with and without the agent
//    capturing the default set, when redis is installed.
// The last line is a JSON summary for scripts/run-bench.js.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startCapture, Capture } from '../src/sources/syscall/capture';
import { forEachEvent, EventView } from '../src/sources/syscall/decode';

const root = path.resolve(__dirname, '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const GEN_SET = ['open', 'openat', 'close', 'socket', 'connect'];
// what the rules most need: process, file-open, network and privilege events
const DEFAULT_SET = ['execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork', 'procexit', 'open', 'openat', 'openat2', 'creat', 'connect', 'accept', 'accept4', 'bind', 'listen', 'socket', 'rename', 'renameat', 'renameat2', 'unlink', 'unlinkat', 'chmod', 'fchmodat', 'setuid', 'setgid', 'setresuid', 'setresgid', 'ptrace', 'mount', 'unshare', 'setns', 'init_module', 'finit_module', 'bpf', 'memfd_create'];

function buildGenerator(): string {
  const out = path.join(root, 'build', 'bench', 'syscallGenerator');
  const src = path.join(root, 'bench', 'syscallGenerator.c');
  if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    execFileSync('cc', ['-O2', '-o', out, src], { stdio: 'inherit' });
  }
  return out;
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

// async so the capture keeps draining on this thread while the generator runs
function runGenerator(bin: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = spawn(bin, [String(SECONDS), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`generator exited ${code}`))));
  });
}

/** decode every event: header plus its first parameter, as a rule engine would at least */
function counter(): { onBatch: (v: EventView, n: number) => void; events: () => number } {
  let events = 0;
  let sink = 0;
  return {
    onBatch: (view, n) => {
      events += forEachEvent(view, n, (v) => {
        sink += v.type + (v.int(0) ?? 0);
      });
      if (sink === -1) console.log(sink);
    },
    events: () => events,
  };
}

async function withCapture<T>(syscalls: string[], work: () => Promise<T>): Promise<{ result: T; events: number; dropped: number; seconds: number; cpu: number }> {
  const c = counter();
  const cap: Capture = startCapture({ syscalls, ringBytes: 64 * 1024 * 1024 }, c.onBatch);
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  try {
    const result = await work();
    cap.drainNow();
    const st = cap.stats();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    return { result, events: c.events(), dropped: st.total.dropped, seconds, cpu: (cpu.user + cpu.system) / 1e6 / seconds };
  } finally {
    cap.stop();
  }
}

function redisBench(port: number): number {
  const r = spawnSync('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-q', '-n', '200000', '-c', '50', '-t', 'set,get', '--csv'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`redis-benchmark failed: ${r.stderr}`);
  // "test","rps",...: add up the requests per second of the tests run
  return r.stdout.trim().split('\n').slice(1).reduce((sum, line) => sum + Number(line.split(',')[1].replace(/"/g, '')), 0);
}

async function redisPart(): Promise<Record<string, number | string>> {
  if (spawnSync('sh', ['-c', 'command -v redis-server && command -v redis-benchmark']).status !== 0) {
    console.log('redis: skipped, redis-server/redis-benchmark not installed (apt-get install redis-server redis-tools)');
    return { redis: 'skipped' };
  }
  const port = await closedPort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50 && spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().trim() !== 'PONG'; i++) await new Promise((r) => setTimeout(r, 100));
    const without = redisBench(port);
    // redis-benchmark runs synchronously, so the 64 MiB ring holds the run's
    // events and they are drained (and drops counted) when it ends
    const withAgent = await withCapture(DEFAULT_SET, async () => redisBench(port));
    const ratio = withAgent.result / without;
    console.log(`redis: ${without.toFixed(0)} req/s without, ${withAgent.result.toFixed(0)} with the agent (ratio ${ratio.toFixed(3)}), ${withAgent.events} events, ${withAgent.dropped} dropped`);
    return { redisWithout: Math.round(without), redisWith: Math.round(withAgent.result), redisRatio: Number(ratio.toFixed(3)), redisDropped: withAgent.dropped };
  } finally {
    server.kill();
  }
}

async function main(): Promise<void> {
  const bin = buildGenerator();
  const port = await closedPort();
  const base = await runGenerator(bin, port);
  const w = await withCapture(GEN_SET, () => runGenerator(bin, port));
  const ratio = w.result / base;
  const evps = w.events / w.seconds;
  console.log(`generator: ${base.toFixed(0)} ops/s without the agent, ${w.result.toFixed(0)} with (ratio ${ratio.toFixed(3)})`);
  console.log(`agent: ${evps.toFixed(0)} events/s drained and decoded, ${w.dropped} dropped, agent CPU ${(w.cpu * 100).toFixed(0)}% of one core`);
  const redis = await redisPart();
  console.log(JSON.stringify({ bench: 'capture', genOpsWithout: Math.round(base), genOpsWith: Math.round(w.result), genRatio: Number(ratio.toFixed(3)), eventsPerSec: Math.round(evps), dropped: w.dropped, ...redis }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
