// redis for bench:capture: installs redis-server and redis-tools from Debian
// when missing (as root), runs a private server on a loopback port without
// persistence, and measures it with redis-benchmark. Either can be pinned to
// a CPU with taskset, so both arms of a comparison run on the same CPUs.
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import net from 'node:net';

const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** make sure redis-server and redis-benchmark exist; returns why not, or undefined */
export function ensureRedis(): string | undefined {
  if (have('redis-server') && have('redis-benchmark') && have('redis-cli')) return undefined;
  if (!process.geteuid || process.geteuid() !== 0) return 'redis-server/redis-benchmark are missing and installing them needs root';
  console.log('redis: installing redis-server and redis-tools (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // the package's own service would hold port 6379 and write to disk: keep it from starting
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = spawnSync('test', ['-e', policy]).status === 0;
  if (!hadPolicy) spawnSync('sh', ['-c', `printf '#!/bin/sh\\nexit 101\\n' > ${policy} && chmod +x ${policy}`]);
  try {
    const upd = spawnSync('apt-get', ['update', '-q'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (upd.status !== 0) return 'apt-get update failed';
    const inst = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'redis-server', 'redis-tools'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (inst.status !== 0) return 'apt-get install redis-server redis-tools failed';
  } finally {
    if (!hadPolicy) spawnSync('rm', ['-f', policy]);
  }
  return have('redis-server') && have('redis-benchmark') ? undefined : 'redis-server/redis-benchmark still missing after apt-get';
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface RedisServer {
  port: number;
  /** the server's process id (taskset execs it, so the pid is the server's) */
  pid: number;
  stop(): void;
}

/** argv that runs cmd on the given CPU (taskset), or cmd as is */
function pinned(cpu: number | undefined, cmd: string, args: string[]): [string, string[]] {
  return cpu === undefined ? [cmd, args] : ['taskset', ['-c', String(cpu), cmd, ...args]];
}

export async function startRedis(cpu?: number): Promise<RedisServer> {
  const port = await freePort();
  const [cmd, args] = pinned(cpu, 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no']);
  const child: ChildProcess = spawn(cmd, args, { stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  for (let i = 0; i < 100; i++) {
    if (exited) throw new Error(`redis-server on port ${port} exited at start (exit code ${child.exitCode})`);
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') {
      return { port, pid: child.pid ?? 0, stop: () => child.kill() };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill();
  throw new Error(`redis-server on port ${port} did not answer PING within 5 s`);
}

export interface RedisBenchOptions {
  /** CPU to pin redis-benchmark to (taskset -c) */
  cpu?: number;
  /** requests per pipeline (-P), 1 unless given */
  pipeline?: number;
  /** client connections (-c), 50 unless given */
  clients?: number;
  /** told redis-benchmark's pid (single-threaded: its only tid) once it started */
  onPid?: (pid: number) => void;
}

/**
 * One redis-benchmark run (SET and GET, 50 clients, no pipelining unless
 * asked); returns the two tests' requests per second added up. Async, so an
 * agent in this process keeps draining while it runs.
 */
export function redisBenchmark(port: number, requests: number, o: RedisBenchOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const argv = ['-h', '127.0.0.1', '-p', String(port), '-q', '-n', String(requests), '-c', String(o.clients ?? 50), '-P', String(o.pipeline ?? 1), '-t', 'set,get', '--csv'];
    const [cmd, args] = pinned(o.cpu, 'redis-benchmark', argv);
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (c.pid !== undefined) o.onPid?.(c.pid);
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('error', reject);
    c.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`redis-benchmark exited ${code}: ${err.trim()}`));
      // "test","rps",...: one line per test after the header
      const rows = out.trim().split('\n').slice(1);
      const rps = rows.map((l) => Number(l.split(',')[1]?.replace(/"/g, '')));
      if (rows.length !== 2 || rps.some((x) => !Number.isFinite(x) || x <= 0)) return reject(new Error(`redis-benchmark: unexpected output: ${out.trim()}`));
      resolve(rps[0] + rps[1]);
    });
  });
}
