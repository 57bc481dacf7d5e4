// Builds and runs bench/syscallGenerator.c (open/read/close/stat and an
// occasional loopback connect, in worker processes), the load of
// bench:capture, bench:syscalls and bench:syscallReplay's recording; its
// 'close' mode (close(-1) in a tight loop) is bench:capture's high-rate load,
// its 'getppid' mode (a syscall the probe never reports) times what capture
// adds to every syscall.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
export const GENERATOR_BIN = path.join(root, 'build', 'bench', 'syscallGenerator');
const GENERATOR_SRC = path.join(root, 'bench', 'syscallGenerator.c');

/** compile the generator when missing or older than its source; returns its path */
export function buildGenerator(): string {
  if (!fs.existsSync(GENERATOR_BIN) || fs.statSync(GENERATOR_BIN).mtimeMs < fs.statSync(GENERATOR_SRC).mtimeMs) {
    fs.mkdirSync(path.dirname(GENERATOR_BIN), { recursive: true });
    execFileSync('cc', ['-O2', '-Wall', '-o', GENERATOR_BIN, GENERATOR_SRC], { stdio: 'inherit' });
  }
  return GENERATOR_BIN;
}

export interface GenResult {
  /** iterations per second over all workers (close and getppid modes: syscalls per second) */
  opsPerSec: number;
  /** iterations over all workers */
  ops: number;
  connects: number;
  /** CPU seconds (user + system) the worker processes used */
  cpuSeconds: number;
}

/** mix: open/read/close/stat (+ connects); close: close(-1) only; getppid: getppid() only */
export type GenMode = 'mix' | 'close' | 'getppid';

// async so a capture in this process keeps draining while the generator runs
/** `prefix`: a command that runs the generator (e.g. inside a container's cgroup) */
export function runGenerator(bin: string, seconds: number, workers: number, connectEvery: number, mode: GenMode = 'mix', prefix: string[] = []): Promise<GenResult> {
  return new Promise((resolve, reject) => {
    const argv = [...prefix, bin, String(seconds), String(workers), String(connectEvery), mode];
    const c = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('error', reject);
    c.on('exit', (code) => {
      const [opsPerSec, ops, connects, cpuSeconds] = out.trim().split(/\s+/).map(Number);
      if (code !== 0 || !(opsPerSec > 0) || !(ops > 0) || !(cpuSeconds >= 0)) return reject(new Error(`generator exited ${code} with output '${out.trim()}'`));
      resolve({ opsPerSec, ops, connects, cpuSeconds });
    });
  });
}
