// Between the state blocks of a capture and the tracker's tables: a process
// list entry as a ThreadInfo and back, an fd list entry as an FdInfo and back.
// The reader seeds the tables with these; the writer snapshots them.
import { isV4Mapped, ipv6Text } from '../ipv6Text';
import { containerIdFromCgroupEntries } from '../state/containerId';
import { FdInfo, type FdType } from '../state/fdInfo';
import { cwdAfter } from '../state/pathConcat';
import { NO_LOGINUID, ThreadInfo } from '../state/threadInfo';
import type { ThreadTable } from '../state/threadTable';
import { L4_NAMES, type ScapFd, ScapFdType, type ScapThread } from './stateBlocks';

/** the exec flags libs' proclist carries as separate booleans (PPM_EXE_*) */
const EXE_WRITABLE = 1 << 0;
const EXE_UPPER_LAYER = 1 << 1;
const EXE_FROM_MEMFD = 1 << 2;
const EXE_LOWER_LAYER = 1 << 3;

/** Add a process list entry to the table; threads share their process's fd table. */
export function seedThread(threads: ThreadTable, s: ScapThread): ThreadInfo {
  const main = s.pid !== s.tid ? threads.get(s.pid) : undefined;
  const t = threads.create(s.tid, main?.fds);
  t.pid = s.pid;
  t.ppid = s.ptid;
  t.vtid = s.vtid >= 0 ? s.vtid : s.tid;
  t.vpid = s.vpid >= 0 ? s.vpid : s.pid;
  t.sid = s.sid >= 0 ? s.sid : 0;
  t.vpgid = s.vpgid >= 0 ? s.vpgid : 0;
  t.comm = s.comm;
  t.exe = s.exe;
  t.exepath = s.exepath;
  t.args = s.args;
  t.cwd = cwdAfter('', s.cwd);
  t.uid = s.uid;
  t.gid = s.gid;
  t.loginuid = s.loginuid;
  t.tty = s.tty;
  t.env = s.env;
  t.containerId = s.cgroups.length > 0 ? containerIdFromCgroupEntries(s.cgroups) ?? 'host' : 'host';
  t.exeCtime = s.exeCtime;
  t.exeMtime = s.exeMtime;
  t.exeFlags = (s.exeWritable ? EXE_WRITABLE : 0) | (s.exeUpperLayer ? EXE_UPPER_LAYER : 0) | (s.exeFromMemfd ? EXE_FROM_MEMFD : 0) | (s.exeLowerLayer ? EXE_LOWER_LAYER : 0);
  t.exeWritable = s.exeWritable;
  // as libs: an entry from before the capability sets were written has them all zero
  t.capInheritable = s.capInheritable;
  t.capPermitted = s.capPermitted;
  t.capEffective = s.capEffective;
  t.complete = true;
  return t;
}

const FD_TYPES: Partial<Record<number, FdType>> = {
  [ScapFdType.File]: 'file', [ScapFdType.FileV2]: 'file', [ScapFdType.Directory]: 'directory', [ScapFdType.Fifo]: 'pipe',
  [ScapFdType.UnixSock]: 'unix', [ScapFdType.Event]: 'event', [ScapFdType.Signalfd]: 'signalfd', [ScapFdType.Eventpoll]: 'eventpoll',
  [ScapFdType.Inotify]: 'inotify', [ScapFdType.Timerfd]: 'timerfd', [ScapFdType.Netlink]: 'netlink', [ScapFdType.Bpf]: 'bpf',
  [ScapFdType.Userfaultfd]: 'userfaultfd', [ScapFdType.IoUring]: 'io_uring', [ScapFdType.Memfd]: 'memfd', [ScapFdType.Pidfd]: 'pidfd',
};

function ipText(b: Buffer): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return ipv6Text(groups);
}

/** An fd list entry as the tracker's FdInfo. */
export function fdFromScap(s: ScapFd): FdInfo {
  switch (s.type) {
    case ScapFdType.Ipv4Sock:
    case ScapFdType.Ipv6Sock: {
      // as libs loads them: both ends IPv4-mapped is an IPv4 connection
      const mapped = s.type === ScapFdType.Ipv6Sock && s.sip!.length === 16 && s.dip!.length === 16 && isV4Mapped(s.sip!) && isV4Mapped(s.dip!);
      const f = new FdInfo(s.type === ScapFdType.Ipv4Sock || mapped ? 'ipv4' : 'ipv6', '');
      f.l4proto = L4_NAMES[s.l4proto ?? 0];
      const sip = mapped ? s.sip!.subarray(12) : s.sip!;
      const dip = mapped ? s.dip!.subarray(12) : s.dip!;
      f.setTuple(ipText(sip), s.sport!, ipText(dip), s.dport!, false);
      f.inode = s.ino;
      return f;
    }
    case ScapFdType.Ipv4ServSock:
    case ScapFdType.Ipv6ServSock: {
      const v6 = s.type === ScapFdType.Ipv6ServSock;
      const f = new FdInfo(v6 ? 'ipv6' : 'ipv4', '');
      f.l4proto = L4_NAMES[s.l4proto ?? 0];
      f.setListening(ipText(s.sip!), s.sport!);
      f.inode = s.ino;
      return f;
    }
    default: {
      const f = new FdInfo(FD_TYPES[s.type] ?? 'unknown', s.name);
      f.openFlags = s.openFlags;
      f.dev = s.dev;
      f.inode = s.ino;
      if (s.type === ScapFdType.UnixSock) f.ino = (s.source ?? 0n).toString(16);
      if (s.type === ScapFdType.Fifo) f.ino = String(s.ino);
      return f;
    }
  }
}

/** a thread shares its process's fd table: libs' readers look at these clone flags to know it */
const PPM_CL_CLONE_FILES = 1 << 0;
const PPM_CL_CLONE_THREAD = 1 << 13;

/** A thread as a process list entry (for the writer). */
export function threadToScap(t: ThreadInfo): ScapThread {
  return {
    tid: t.tid, pid: t.pid, ptid: t.ppid, sid: t.sid, vpgid: t.vpgid, pgid: -1, comm: t.comm, exe: t.exe, exepath: t.exepath,
    args: [...t.args], cwd: t.cwd, fdlimit: 0, flags: t.tid !== t.pid ? PPM_CL_CLONE_FILES | PPM_CL_CLONE_THREAD : 0, uid: t.uid, gid: t.gid, env: [...t.env], vtid: t.vtid, vpid: t.vpid,
    cgroups: [], root: '/', pidnsInitStartTs: 0n, tty: t.tty, loginuid: t.loginuid ?? NO_LOGINUID,
    exeWritable: ((t.exeFlags ?? 0) & EXE_WRITABLE) !== 0 || t.exeWritable === true,
    capInheritable: t.capInheritable ?? 0n, capPermitted: t.capPermitted ?? 0n, capEffective: t.capEffective ?? 0n,
    exeUpperLayer: ((t.exeFlags ?? 0) & EXE_UPPER_LAYER) !== 0, exeLowerLayer: ((t.exeFlags ?? 0) & EXE_LOWER_LAYER) !== 0,
    exeFromMemfd: ((t.exeFlags ?? 0) & EXE_FROM_MEMFD) !== 0, exeIno: 0, exeCtime: t.exeCtime, exeMtime: t.exeMtime,
  };
}

/**
 * fd kinds as the writer stores them. bpf, userfaultfd, io_uring, memfd and
 * pidfd (types 17-21) came with libs 0.10; earlier readers, Debian's sysdig
 * among them, refuse a whole capture holding one, so they go as "unsupported"
 * with their name, which every reader takes.
 */
const SCAP_TYPES: Partial<Record<FdType, ScapFdType>> = {
  file: ScapFdType.FileV2, directory: ScapFdType.Directory, pipe: ScapFdType.Fifo, unix: ScapFdType.UnixSock, event: ScapFdType.Event,
  signalfd: ScapFdType.Signalfd, eventpoll: ScapFdType.Eventpoll, inotify: ScapFdType.Inotify, timerfd: ScapFdType.Timerfd,
  netlink: ScapFdType.Netlink, bpf: ScapFdType.Unsupported, userfaultfd: ScapFdType.Unsupported, io_uring: ScapFdType.Unsupported,
  memfd: ScapFdType.Unsupported, pidfd: ScapFdType.Unsupported, unknown: ScapFdType.Unsupported,
};

/** an address as libs stores it: 4 or 16 bytes in network order */
export function ipBytes(text: string, v6: boolean): Buffer {
  if (!v6) return Buffer.from(text.split('.').map((x) => Number(x) & 255));
  const out = Buffer.alloc(16);
  const [head, tail] = text.replace(/%.*$/, '').split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = [...h, ...new Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t].slice(0, 8);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) || 0, 2 * i));
  return out;
}

const L4_CODES: Readonly<Record<string, number>> = { tcp: 2, udp: 3, icmp: 4, raw: 5 };

/** An FdInfo as an fd list entry (for the writer); undefined for what libs' writer leaves out. */
export function fdToScap(fd: number, f: FdInfo): ScapFd | undefined {
  if (f.type === 'ipv4' || f.type === 'ipv6') {
    const v6 = f.type === 'ipv6';
    if (f.sip === undefined || f.sport === undefined) return undefined;
    const l4proto = L4_CODES[f.l4proto ?? ''] ?? 0;
    if (f.isServer && (f.cport === undefined || f.cport === 0)) {
      return { fd, ino: f.inode, type: v6 ? ScapFdType.Ipv6ServSock : ScapFdType.Ipv4ServSock, name: '', openFlags: 0, dev: 0, sip: ipBytes(f.sip, v6), sport: f.sport, l4proto };
    }
    return {
      fd, ino: f.inode, type: v6 ? ScapFdType.Ipv6Sock : ScapFdType.Ipv4Sock, name: '', openFlags: 0, dev: 0,
      sip: ipBytes(f.cip ?? (v6 ? '::' : '0.0.0.0'), v6), sport: f.cport ?? 0, dip: ipBytes(f.sip, v6), dport: f.sport, l4proto,
    };
  }
  const type = SCAP_TYPES[f.type];
  if (type === undefined) return undefined;
  const s: ScapFd = { fd, ino: f.inode, type, name: f.name, openFlags: f.openFlags, dev: f.dev };
  if (type === ScapFdType.UnixSock) {
    s.source = /^[0-9a-f]+$/i.test(f.ino) ? BigInt(`0x${f.ino}`) : 0n;
    s.dest = 0n;
  }
  return s;
}
