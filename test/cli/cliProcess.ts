// Runs the real `vigil` command (dist/cli.js) for the CLI tests: to the end
// (run), or as a live agent whose output is watched (startLive).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(ROOT, 'dist/cli.js');
export const FIX = path.join(__dirname, 'fixtures');

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env: opts.env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

export interface Live {
  child: ChildProcess;
  out(): string;
  err(): string;
  /** resolves with [code, signal] when the agent exits */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** A live agent with the audit webserver only, on a free loopback port, alerts not sent to syslog. */
export function startLive(args: readonly string[], opts: { cwd?: string } = {}): Live {
  const child = spawn(
    process.execPath,
    [CLI, '--enable-source', 'k8s_audit', '-o', 'webserver.listen_address=127.0.0.1', '-o', 'webserver.listen_port=0', '-o', 'syslog_output.enabled=false', ...args],
    { cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
  return { child, out: () => stdout, err: () => stderr, exited };
}

/** Waits for `cond`, checking every 20 ms; fails naming `what` after `ms`. */
export async function until(what: string, cond: () => boolean, ms = 20000, detail: () => string = () => ''): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${detail() ? `; ${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The port the agent's webserver listens on, once it says so. */
export async function listeningPort(live: Live): Promise<number> {
  await until('the webserver to listen', () => /webserver listening on [^:]+:(\d+)\//.test(live.err()), 20000, live.err);
  return Number(/webserver listening on [^:]+:(\d+)\//.exec(live.err())![1]);
}

/** Stops the agent with SIGTERM (SIGKILL after 30 s) and returns how it exited. */
export async function stop(live: Live): Promise<[number | null, NodeJS.Signals | null]> {
  if (live.child.exitCode === null && live.child.signalCode === null) live.child.kill('SIGTERM');
  const timer = setTimeout(() => live.child.kill('SIGKILL'), 30000);
  try {
    return await live.exited;
  } finally {
    clearTimeout(timer);
  }
}
