// Shared by the live capture tests: whether this machine can run them, child
// processes to act from, cgroup hierarchies to place them in, and a
// plain-object copy of decoded events for assertions.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type StdioOptions } from 'node:child_process';
import { EventView } from '../../../src/sources/syscall/decode';

/** why live capture cannot run here, or undefined when it can */
export function liveSkipReason(): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.arch !== 'x64') return `the probe is x86_64 only (this is ${process.arch})`;
  if (!process.geteuid || process.geteuid() !== 0) return 'not root: loading the eBPF probe needs root';
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) return 'the kernel has no BTF (/sys/kernel/btf/vmlinux)';
  return undefined;
}

export interface ChildOptions {
  /** default: no stdin, output shown */
  stdio?: StdioOptions;
  /** default: this process's environment */
  env?: NodeJS.ProcessEnv;
}

/** spawn `cmd` and wait for it to exit: its pid (the tid its events carry) and exit code (null if a signal ended it) */
export function runChildExit(cmd: string, args: string[], opts: ChildOptions = {}): Promise<{ pid: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: opts.stdio ?? ['ignore', 'inherit', 'inherit'], env: opts.env });
    c.on('error', reject);
    c.on('exit', (code) => resolve({ pid: c.pid!, code }));
  });
}

/** spawn `cmd`, wait for it to exit, resolve its pid; with `mustSucceed`, reject unless it exits 0 */
export async function runChild(cmd: string, args: string[], opts: ChildOptions & { mustSucceed?: boolean } = {}): Promise<number> {
  const { pid, code } = await runChildExit(cmd, args, opts);
  if (opts.mustSucceed && code !== 0) throw new Error(`${cmd} exited with ${code}`);
  return pid;
}

const OVERLAYFS_MAGIC = 0x794c7630;

/**
 * A fresh temporary directory that is not on an overlay filesystem (the
 * system's temp dir, else /dev/shm): tests that check an open's overlay layer
 * bits, or mount an overlay over it, need a plain filesystem under them, and
 * a CI machine may itself run in a container.
 */
export function plainTmpDir(prefix: string): string {
  for (const base of [os.tmpdir(), '/dev/shm']) {
    try {
      if (fs.statfsSync(base).type !== OVERLAYFS_MAGIC) return fs.mkdtempSync(path.join(base, prefix));
    } catch {
      // no such base here: the next one
    }
  }
  throw new Error(`no temporary directory off overlayfs (${os.tmpdir()} and /dev/shm are overlays or missing)`);
}

/** the cgroup hierarchies here that take processes: the v2 root alone, v1's cpu, v2 mounted next to v1 */
export function cgroupRoots(): string[] {
  const base = '/sys/fs/cgroup';
  return [
    fs.existsSync(path.join(base, 'cgroup.controllers')) ? base : '', // v2 only
    path.join(base, 'cpu'), // v1
    path.join(base, 'unified'), // v2 next to v1
  ].filter((d) => d && fs.existsSync(path.join(d, 'cgroup.procs')));
}

export interface Rec {
  name: string;
  /** '>' enter, '<' exit */
  dir: string;
  type: number;
  tid: number;
  nparams: number;
  p: Record<string, unknown>;
}

/** copy the current event into a plain object (tests only: allocates) */
export function record(v: EventView): Rec {
  const p: Record<string, unknown> = {};
  const info = v.info;
  for (let i = 0; i < v.nparams; i++) {
    const pi = info?.params[i];
    if (!pi) continue;
    switch (pi.type) {
      case 'CHARBUF':
      case 'FSPATH':
      case 'FSRELPATH':
        p[pi.name] = v.str(i);
        break;
      case 'BYTEBUF':
        p[pi.name] = v.strList(i);
        break;
      case 'SOCKTUPLE':
        p[pi.name] = v.tuple(i);
        break;
      case 'SOCKADDR':
        p[pi.name] = v.sockaddr(i);
        break;
      default:
        p[pi.name] = v.int(i);
    }
  }
  return { name: v.name, dir: info?.dir ?? '?', type: v.type, tid: v.tid, nparams: v.nparams, p };
}
