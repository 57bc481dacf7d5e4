// Reads processes from /proc: all of them at start (seeding the process and
// fd tables), and single ones later for a tid the events did not introduce.
// Each read is best effort: a process may exit while it is being read.
import fs from 'node:fs';
import path from 'node:path';
import { containerRefFromCgroupFile } from './containerId';
import { FdInfo } from './fdInfo';
import { cwdAfter } from './pathConcat';
import { readSockets } from './procNet';
import { MAX_ENV, MAX_ENV_BYTES, NO_LOGINUID, ThreadInfo } from './threadInfo';
import type { ThreadTable } from './threadTable';

const CLK_TCK = 100;

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function link(file: string): string | undefined {
  try {
    return fs.readlinkSync(file);
  } catch {
    return undefined;
  }
}

let bootNs: bigint | undefined;
/** the boot time, nanoseconds since the epoch (from /proc/stat btime) */
export function bootTimeNs(procRoot = '/proc'): bigint {
  if (bootNs !== undefined) return bootNs;
  const m = /^btime (\d+)$/m.exec(read(path.join(procRoot, 'stat')) ?? '');
  bootNs = m ? BigInt(m[1]) * 1_000_000_000n : 0n;
  return bootNs;
}

/** the fields of /proc/PID/stat after `(comm)`, which may itself hold spaces and parens */
export function parseStat(text: string): { comm: string; rest: string[] } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  return { comm: text.slice(open + 1, close), rest: text.slice(close + 2).trim().split(' ') };
}

function statusField(status: string, key: string): string[] | undefined {
  const m = new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(status);
  return m ? m[1].trim().split(/\s+/) : undefined;
}

/** bounded NUL-separated list (environ) */
export function boundedList(text: string, maxItems: number, maxBytes: number): string[] {
  const out: string[] = [];
  let bytes = 0;
  for (const s of text.split('\0')) {
    if (s === '') continue;
    if (out.length >= maxItems || bytes + s.length > maxBytes) break;
    out.push(s);
    bytes += s.length;
  }
  return out;
}

/** an fd link target as Vigil's FdInfo (`socket:[123]`, `pipe:[9]`, `anon_inode:[eventfd]`, `/path`) */
export function fdFromLink(target: string, sockets: Map<string, FdInfo> | undefined): FdInfo {
  if (target.startsWith('/')) {
    const deleted = target.endsWith(' (deleted)') ? target.slice(0, -10) : target;
    return new FdInfo(deleted.startsWith('/memfd:') ? 'memfd' : 'file', deleted);
  }
  const m = /^(\w+):\[?([^\]]*)\]?$/.exec(target);
  if (!m) return new FdInfo('unknown', target);
  const [, kind, id] = m;
  if (kind === 'socket') {
    const s = sockets?.get(id);
    if (s) return s.clone();
    const f = new FdInfo('unknown', target);
    f.ino = id;
    f.inode = Number(id) || 0;
    return f;
  }
  if (kind === 'pipe') {
    const f = new FdInfo('pipe', target);
    f.ino = id;
    f.inode = Number(id) || 0;
    return f;
  }
  if (kind === 'anon_inode') {
    const type = id === 'eventfd' ? 'event' : id === 'eventpoll' ? 'eventpoll' : id === 'signalfd' ? 'signalfd' : id === 'inotify' ? 'inotify'
      : id === 'timerfd' ? 'timerfd' : id.startsWith('bpf') ? 'bpf' : id === 'pidfd' ? 'pidfd' : id === 'io_uring' ? 'io_uring' : 'unknown';
    return new FdInfo(type, id);
  }
  return new FdInfo('unknown', target);
}

/**
 * Fill a thread from /proc (`dir` is /proc/PID or /proc/PID/task/TID).
 * Returns false when the process is gone.
 */
export function fillFromProc(t: ThreadInfo, dir: string, procRoot = '/proc'): boolean {
  const stat = parseStat(read(path.join(dir, 'stat')) ?? '');
  const status = read(path.join(dir, 'status'));
  if (!stat || status === undefined) return false;
  t.comm = stat.comm;
  t.ppid = Number(stat.rest[1]);
  t.sid = Number(stat.rest[3]);
  t.tty = Number(stat.rest[4]);
  t.startTs = bootTimeNs(procRoot) + (BigInt(stat.rest[19] ?? '0') * 1_000_000_000n) / BigInt(CLK_TCK);
  t.pid = Number(statusField(status, 'Tgid')?.[0] ?? t.tid);
  const uid = statusField(status, 'Uid');
  const gid = statusField(status, 'Gid');
  t.uid = Number(uid?.[1] ?? 0);
  t.gid = Number(gid?.[1] ?? 0);
  const nstid = statusField(status, 'NSpid');
  t.vtid = Number(nstid?.[nstid.length - 1] ?? t.tid);
  const nstgid = statusField(status, 'NStgid');
  t.vpid = Number(nstgid?.[nstgid.length - 1] ?? t.pid);
  const nspgid = statusField(status, 'NSpgid');
  t.vpgid = Number(nspgid?.[nspgid.length - 1] ?? stat.rest[2]);
  const caps = (name: string): bigint | undefined => {
    const hex = statusField(status, name)?.[0];
    return hex !== undefined && /^[0-9a-fA-F]+$/.test(hex) ? BigInt(`0x${hex}`) : undefined;
  };
  t.capInheritable = caps('CapInh');
  t.capPermitted = caps('CapPrm');
  t.capEffective = caps('CapEff');
  const loginuid = read(path.join(dir, 'loginuid'));
  t.loginuid = loginuid === undefined ? NO_LOGINUID : Number(loginuid.trim());
  const argv = (read(path.join(dir, 'cmdline')) ?? '').split('\0');
  if (argv.length > 0 && argv[argv.length - 1] === '') argv.pop();
  t.exe = argv[0] ?? '';
  t.args = argv.slice(1);
  const exe = link(path.join(dir, 'exe'));
  t.exepath = exe?.endsWith(' (deleted)') ? exe.slice(0, -10) : exe ?? '';
  const cwd = link(path.join(dir, 'cwd'));
  t.cwd = cwd === undefined ? '' : cwdAfter('', cwd);
  // as libs' /proc scan: the executable's inode times from stat, and the start minus its ctime
  try {
    const st = fs.statSync(path.join(dir, 'exe'), { bigint: true });
    t.exeCtime = st.ctimeNs;
    t.exeMtime = st.mtimeNs;
    t.exeCtimeToStart = BigInt.asUintN(64, t.startTs - st.ctimeNs);
  } catch {
    // a kernel thread or a process gone: no executable to stat
  }
  t.env = boundedList(read(path.join(dir, 'environ')) ?? '', MAX_ENV, MAX_ENV_BYTES);
  t.setContainer(containerRefFromCgroupFile(read(path.join(dir, 'cgroup')) ?? ''));
  t.complete = true;
  return true;
}

/** Fill the fd table of a process from /proc/PID/fd. */
export function readFds(t: ThreadInfo, dir: string, sockets: Map<string, FdInfo> | undefined): void {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(dir, 'fd'));
  } catch {
    return;
  }
  for (const n of names) {
    const fdPath = path.join(dir, 'fd', n);
    const target = link(fdPath);
    if (target === undefined) continue;
    const f = fdFromLink(target, sockets);
    if (f.type === 'file' || f.type === 'memfd') {
      // fd.dev and fd.ino of a file already open: what stat says through the fd (it may be gone by now)
      const st = fs.statSync(fdPath, { throwIfNoEntry: false });
      if (st) {
        f.dev = st.dev;
        f.inode = st.ino;
      }
    }
    t.fds.set(Number(n), f);
  }
}

/** Read one thread that events did not introduce; undefined when it is gone. */
export function readThread(table: ThreadTable, tid: number, procRoot = '/proc'): ThreadInfo | undefined {
  const dir = path.join(procRoot, String(tid));
  const t = table.create(tid);
  if (!fillFromProc(t, dir, procRoot)) {
    table.delete(tid);
    return undefined;
  }
  const main = t.pid !== tid ? table.get(t.pid) : undefined;
  if (main) t.fds = main.fds;
  else readFds(t, dir, undefined);
  return t;
}

/** Seed the table with every process in /proc (main threads; other threads share their tables). */
export function seedFromProc(table: ThreadTable, procRoot = '/proc'): number {
  const sockets = readSockets(procRoot);
  let n = 0;
  for (const name of fs.readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const t = table.create(pid);
    const dir = path.join(procRoot, name);
    if (!fillFromProc(t, dir, procRoot)) {
      table.delete(pid);
      continue;
    }
    readFds(t, dir, sockets);
    n++;
    let tasks: string[] = [];
    try {
      tasks = fs.readdirSync(path.join(dir, 'task'));
    } catch {
      continue;
    }
    for (const task of tasks) {
      const tid = Number(task);
      if (tid === pid) continue;
      const th = table.create(tid, t.fds);
      if (fillFromProc(th, path.join(dir, 'task', task), procRoot)) n++;
      else table.delete(tid);
    }
  }
  return n;
}
