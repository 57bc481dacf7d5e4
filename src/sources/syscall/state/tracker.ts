// Keeps the process and fd tables current from the event stream, and resolves
// each event's thread and fd into the reused SyscallEvent before rules see it.
// Order per event: apply() (state before evaluation, as Falco updates on exit
// events), evaluation, then finish() (purges a thread whose exit was just seen).
import path from 'node:path';
import fs from 'node:fs';
import { AF_INET, AF_INET6, AF_UNIX, type EventView, type SockAddr, type SockTuple } from '../decode';
import { EVENTS, META_EVENT_CODES } from '../eventTable';
import { type ContainerRef, containerRefFromCgroupEntries, containerRefFromCgroupFile } from './containerId';
import { FdInfo, type FdType, PPM_FD_LOWER_LAYER, PPM_FD_UPPER_LAYER } from './fdInfo';
import { concatPaths, cwdAfter, dirOf, UNKNOWN_DIR } from './pathConcat';
import { orientSeededSockets } from './procNet';
import { fdFromLink, readThread, seedFromProc } from './procReader';
import { type ContainerLookup, SyscallEvent } from './syscallEvent';
import { NO_LOGINUID, type PendingEnter, type ThreadInfo } from './threadInfo';
import { ThreadTable } from './threadTable';
import { UserDb } from './userDb';

const AT_FDCWD = -100;
const PPM_O_DIRECTORY = 1 << 10;
const PPM_O_CLOEXEC = 1 << 12;
/** PPM_O_F_CREATED and above: flags only the exit knows (created, overlay layer) */
const EXIT_ONLY_FLAGS = ~((1 << 14) - 1);
/** creat has no flags parameter: its layer arrives in creat_flags (PPM_FD_UPPER_LAYER_CREAT, PPM_FD_LOWER_LAYER_CREAT) */
const PPM_FD_UPPER_LAYER_CREAT = 1 << 0;
const PPM_FD_LOWER_LAYER_CREAT = 1 << 1;
const PPM_CL_CLONE_FILES = 1 << 0;
const PPM_CL_CLONE_THREAD = 1 << 13;
const NO_ID = 4294967295;
/** the cgroups parameter of exec and clone events */
const CGROUPS_PARAM = 14;
/** the flags parameter of exec events (PPM_EXE_*) */
const EXE_FLAGS_PARAM = 19;
/** the pidns_init_start_ts parameter of clone events */
const PIDNS_INIT_START_PARAM = 20;

/** What apply() does per event code, decided once here instead of comparing names per event. */
const enum Act {
  UseFd, Enter, Clone, Exec, Exit, Open, OpenAt, Creat, Close, Dup, Socket, Connect, Accept, Listen, Pipe, Memfd, Bpf,
  Chdir, Fchdir, Setuid, Setresuid, Setgid, Setresgid, Capset, Send, Recv,
}
const ACT_BY_NAME: Readonly<Record<string, Act>> = {
  clone: Act.Clone, fork: Act.Clone, vfork: Act.Clone, clone3: Act.Clone, execve: Act.Exec, execveat: Act.Exec,
  procexit: Act.Exit, open: Act.Open, openat: Act.OpenAt, openat2: Act.OpenAt, creat: Act.Creat, close: Act.Close,
  dup: Act.Dup, dup2: Act.Dup, dup3: Act.Dup, socket: Act.Socket, connect: Act.Connect, accept: Act.Accept,
  accept4: Act.Accept, bind: Act.Listen, listen: Act.Listen, pipe: Act.Pipe, pipe2: Act.Pipe,
  memfd_create: Act.Memfd, bpf: Act.Bpf, chdir: Act.Chdir, fchdir: Act.Fchdir, setuid: Act.Setuid,
  setresuid: Act.Setresuid, setgid: Act.Setgid, setresgid: Act.Setresgid, capset: Act.Capset,
  sendto: Act.Send, sendmsg: Act.Send, recvfrom: Act.Recv, recvmsg: Act.Recv,
};
/** connect's result while a non-blocking connection is under way (-EINPROGRESS): libs counts it connected */
const EINPROGRESS = 115;
/** exec's capability sets (cap_inheritable, cap_permitted, cap_effective) and executable ctime */
const EXEC_CAPS_PARAM = 20;
const EXEC_CTIME_PARAM = 24;

/** per event code: the action, the parameter naming the event's fd (-1: none), and an open's name and flags parameters */
const ACTION = new Uint8Array(EVENTS.length);
const FD_PARAM = new Int16Array(EVENTS.length).fill(-1);
const NAME_PARAM = new Int16Array(EVENTS.length).fill(-1);
const FLAGS_PARAM = new Int16Array(EVENTS.length).fill(-1);
const DEV_PARAM = new Int16Array(EVENTS.length).fill(-1);
const INO_PARAM = new Int16Array(EVENTS.length).fill(-1);
const CREAT_FLAGS_PARAM = new Int16Array(EVENTS.length).fill(-1);
const TUPLE_PARAM = new Int16Array(EVENTS.length).fill(-1);
/** bind's address (listen has none) */
const ADDR_PARAM = new Int16Array(EVENTS.length).fill(-1);
for (const e of EVENTS) {
  if (!e) continue;
  // container events (made from runtime answers, or read from a capture) change no thread
  ACTION[e.code] = META_EVENT_CODES.has(e.code) ? Act.UseFd : e.dir === '>' && e.name !== 'procexit' ? Act.Enter : ACT_BY_NAME[e.name] ?? Act.UseFd;
  FD_PARAM[e.code] = e.paramIndex.get('fd') ?? e.paramIndex.get('oldfd') ?? e.paramIndex.get('fd1') ?? -1;
  NAME_PARAM[e.code] = e.paramIndex.get('name') ?? -1;
  FLAGS_PARAM[e.code] = e.paramIndex.get('flags') ?? -1;
  TUPLE_PARAM[e.code] = e.paramIndex.get('tuple') ?? -1;
  ADDR_PARAM[e.code] = e.paramIndex.get('addr') ?? -1;
  DEV_PARAM[e.code] = e.paramIndex.get('dev') ?? -1;
  INO_PARAM[e.code] = e.paramIndex.get('ino') ?? -1;
  CREAT_FLAGS_PARAM[e.code] = e.paramIndex.get('creat_flags') ?? -1;
}

/** What the tracker tells the container store: containers met, and containers whose init exited. */
export interface ContainerSink extends ContainerLookup {
  seen(ref: ContainerRef): void;
  removed(id: string): void;
}

export interface TrackerOptions {
  /** where /proc is; null when there is none to read (a capture file being replayed on another machine) */
  procRoot?: string | null;
  /** the container store; without one, container.* fields other than the id are <NA> */
  containers?: ContainerSink;
  maxThreads?: number;
  maxFdsPerProcess?: number;
  users?: UserDb;
}

/** `/dev/fd/3`, `/proc/self/fd/3`: the filename the kernel gives an exec through a file descriptor */
const FD_PATH = /^\/(?:dev|proc\/self)\/fd\/(\d+)$/;

function socketType(domain: number): FdType {
  return domain === AF_INET ? 'ipv4' : domain === AF_INET6 ? 'ipv6' : domain === AF_UNIX ? 'unix' : domain === 16 ? 'netlink' : 'unknown';
}

/**
 * A unix socket's fd.name as libs writes it from a socket tuple: the two
 * kernel socket addresses in hex, then the path (`ffff8881...->0 ` when the
 * peer and path are unknown); with no addresses, the path alone.
 */
function unixName(tuple: SockTuple): string {
  return tuple.source === undefined ? tuple.path ?? '' : `${tuple.source}->${tuple.dest} ${tuple.path}`;
}

/**
 * connect's destination as libs takes it: the exit's tuple when it differs
 * from the exit's address argument (the kernel's own data then), else the
 * address the enter read before the call; with no tuple at all, the enter's
 * address alone (source unknown).
 */
function connectTuple(tuple: SockTuple | undefined, exitAddr: SockAddr | undefined, enterAddr: SockAddr): SockTuple | undefined {
  const fam = enterAddr.family;
  if (fam !== AF_INET && fam !== AF_INET6 && fam !== AF_UNIX) return tuple;
  if (!tuple || tuple.family === undefined) {
    if (fam === AF_UNIX) return { family: fam, path: enterAddr.path ?? '' };
    return { family: fam, sip: fam === AF_INET ? '0.0.0.0' : '::', sport: 0, dip: enterAddr.ip, dport: enterAddr.port };
  }
  if (!exitAddr || exitAddr.family !== tuple.family || enterAddr.family !== tuple.family) return tuple;
  if (fam === AF_UNIX) return tuple.path === exitAddr.path ? { ...tuple, path: enterAddr.path } : tuple;
  if (tuple.dip !== exitAddr.ip || tuple.dport !== exitAddr.port) return tuple;
  return { ...tuple, dip: enterAddr.ip, dport: enterAddr.port };
}

export class StateTracker {
  readonly threads: ThreadTable;
  readonly users: UserDb;
  readonly event: SyscallEvent;
  private readonly procRoot: string | null;
  private readonly containers: ContainerSink | undefined;
  /** the last cgroups parameter read (a copy) and the container it named */
  private lastCgroups: Buffer | undefined;
  private lastCgroupsRef: ContainerRef | null | undefined;
  /** threads read back from /proc because an event named a tid the table lacked */
  procReads = 0;

  constructor(opts: TrackerOptions = {}) {
    this.procRoot = opts.procRoot === undefined ? '/proc' : opts.procRoot;
    this.threads = new ThreadTable(opts.maxThreads, opts.maxFdsPerProcess);
    this.users = opts.users ?? new UserDb();
    this.event = new SyscallEvent(this.threads, this.users);
    this.containers = opts.containers;
    if (opts.containers) this.event.containers = opts.containers;
  }

  /** Read every process from /proc; returns how many threads were read. */
  seed(): number {
    const n = this.procRoot === null ? 0 : seedFromProc(this.threads, this.procRoot);
    orientSeededSockets(this.threads);
    const sink = this.containers;
    if (sink) for (const t of this.threads.values()) if (t.container) sink.seen(t.container);
    return n;
  }

  /**
   * Update state from the event `v` is on and resolve its thread and fd into
   * the reused SyscallEvent, which reads `v` until the next apply. Any
   * producer's view will do (live capture, a capture file).
   */
  apply(v: EventView): SyscallEvent {
    const ev = this.event;
    ev.view = v;
    ev.num++;
    if (ev.firstTs === 0n) ev.firstTs = v.ts;
    ev.fd = undefined;
    ev.fdNum = -1;
    ev.fdNameChanged = false;
    // set again below; cleared first so that finish() after an apply that threw touches no other event's thread
    ev.thread = undefined;
    const tid = v.tid;
    const code = v.type;
    const act = v.info ? ACTION[code] : Act.UseFd;
    let t = this.threads.get(tid);
    if (act === Act.Clone && v.int(0) === 0) {
      t = this.cloneChild(v, tid);
    } else if (t === undefined) {
      t = this.unknownThread(tid);
    }
    ev.thread = t;
    if (!v.info) return ev;
    switch (act) {
      case Act.Enter:
        this.enter(v, t, code);
        break;
      case Act.Exec:
        if (v.int(0) === 0) this.exec(v, t);
        break;
      case Act.Exit:
        t.exited = true;
        // the container's init is gone, and the container with it
        if (t.container !== undefined && t.vpid === 1 && t.tid === t.pid) this.containers?.removed(t.containerId);
        break;
      case Act.Open:
      case Act.OpenAt:
      case Act.Creat:
        this.open(v, t, act, code);
        break;
      case Act.Close: {
        const fd = v.int(1) ?? -1;
        ev.fdNum = fd;
        ev.fd = t.fds.get(fd);
        if ((v.int(0) ?? -1) >= 0) t.fds.delete(fd);
        break;
      }
      case Act.Dup: {
        const oldfd = v.int(1) ?? -1;
        const res = v.int(0) ?? -1;
        ev.fdNum = oldfd;
        ev.fd = t.fds.get(oldfd);
        if (res >= 0) t.fds.dup(oldfd, res);
        break;
      }
      case Act.Socket:
        this.socket(v, t);
        break;
      case Act.Connect:
      case Act.Accept:
        this.connection(v, t, act === Act.Accept);
        break;
      case Act.Listen:
        if (this.useFd(v, t) && (v.int(0) ?? -1) >= 0) {
          ev.fd!.isServer = true;
          if (ADDR_PARAM[v.type] >= 0) this.bound(v, ADDR_PARAM[v.type]);
        }
        break;
      case Act.Pipe:
        this.pipe(v, t);
        break;
      case Act.Memfd: {
        const fd = v.int(0) ?? -1;
        const f = new FdInfo('memfd', `memfd:${v.str(1) ?? ''}`);
        ev.fdNum = fd;
        ev.fd = f;
        t.fds.set(fd, f);
        break;
      }
      case Act.Bpf: {
        const fd = v.int(0) ?? -1;
        ev.fdNum = fd;
        if (fd >= 0) {
          ev.fd = new FdInfo('bpf', 'bpf');
          t.fds.set(fd, ev.fd);
        }
        break;
      }
      case Act.Chdir:
        if (v.int(0) === 0) this.chdir(t, v.str(1) ?? '');
        break;
      case Act.Fchdir:
        if (this.useFd(v, t) && v.int(0) === 0) this.chdir(t, ev.fd!.name);
        break;
      case Act.Setuid:
      case Act.Setresuid:
        if (v.int(0) === 0) this.setId(t, 'uid', v.int(act === Act.Setuid ? 1 : 2));
        break;
      case Act.Setgid:
      case Act.Setresgid:
        if (v.int(0) === 0) this.setId(t, 'gid', v.int(act === Act.Setgid ? 1 : 2));
        break;
      case Act.Capset:
        if (v.int(0) === 0) this.setCaps(t, v, 1);
        break;
      case Act.Send:
      case Act.Recv:
        if (this.useFd(v, t)) this.datagram(v, act === Act.Recv);
        break;
      default:
        this.useFd(v, t);
    }
    return ev;
  }

  /** After evaluation: forget a thread whose exit was just seen. */
  finish(): void {
    const t = this.event.thread;
    if (t?.exited) this.threads.delete(t.tid);
  }

  /** resolve the event's fd parameter; true when the fd table knows it */
  private useFd(v: EventView, t: ThreadInfo): boolean {
    const i = FD_PARAM[v.type];
    if (i < 0) return false;
    const fd = v.int(i);
    if (fd === undefined) return false;
    this.event.fdNum = fd;
    this.event.fd = t.fds.get(fd);
    return this.event.fd !== undefined;
  }

  private unknownThread(tid: number): ThreadInfo {
    if (this.procRoot !== null) {
      this.procReads++;
      const t = readThread(this.threads, tid, this.procRoot);
      if (t) {
        if (t.container) this.containers?.seen(t.container);
        return t;
      }
    }
    // gone before we could look: keep a placeholder so fields answer what the events say
    const p = this.threads.create(tid);
    p.comm = '<NA>';
    return p;
  }

  private cloneChild(v: EventView, tid: number): ThreadInfo {
    const pid = v.int(4) ?? tid;
    const ptid = v.int(5) ?? 0;
    const flags = v.int(15) ?? 0;
    const isThread = (flags & PPM_CL_CLONE_THREAD) !== 0;
    const from = isThread ? this.threads.get(pid) : this.threads.get(ptid);
    const fds = from && (isThread || (flags & PPM_CL_CLONE_FILES) !== 0) ? from.fds : from ? from.fds.copy() : undefined;
    const t = this.threads.create(tid, fds);
    t.pid = pid;
    t.ppid = isThread && from ? from.ppid : ptid;
    t.comm = v.str(13) ?? from?.comm ?? '';
    t.exe = v.str(1) ?? from?.exe ?? '';
    if (v.paramLen(2) > 0) {
      // a fork's args are nearly always its parent's: share them rather than copy
      if (from?.argBytesEqual(v.raw(2))) t.copyArgsFrom(from);
      else t.setArgBytes(v.raw(2));
    } else if (from) t.copyArgsFrom(from);
    t.uid = v.int(16) ?? from?.uid ?? 0;
    t.gid = v.int(17) ?? from?.gid ?? 0;
    t.vtid = v.int(18) ?? tid;
    t.vpid = v.int(19) ?? pid;
    t.startTs = v.ts;
    t.pidnsInitStartTs = v.bigint(PIDNS_INIT_START_PARAM) ?? from?.pidnsInitStartTs ?? 0n;
    if (from) {
      t.exepath = from.exepath;
      t.cwd = from.cwd;
      t.copyEnvFrom(from);
      t.loginuid = from.loginuid;
      t.tty = from.tty;
      t.sid = from.sid;
      t.vpgid = from.vpgid;
      t.exeCtime = from.exeCtime;
      t.exeMtime = from.exeMtime;
      t.exeCtimeToStart = from.exeCtimeToStart;
      t.capInheritable = from.capInheritable;
      t.capPermitted = from.capPermitted;
      t.capEffective = from.capEffective;
      t.exeFlags = from.exeFlags;
      t.exeWritable = from.exeWritable;
      t.execTs = from.execTs;
      t.complete = from.complete;
      const ref = this.cgroupsContainer(v);
      t.setContainer(ref === undefined ? from.container : ref ?? undefined);
      if (t.container) this.containers?.seen(t.container);
    } else {
      // the parent is unknown too: what /proc says of the child fills the gaps
      const probe = this.procRoot === null ? undefined : readThread(this.threads, tid, this.procRoot);
      if (probe) {
        if (probe.container) this.containers?.seen(probe.container);
        return probe;
      }
    }
    return t;
  }

  private exec(v: EventView, t: ThreadInfo): void {
    if (!t.complete) {
      // a thread first met at its exec (a capture that began after its clone): the exec says who it is
      t.pid = v.int(4) ?? t.pid;
      t.ppid = v.int(5) ?? t.ppid;
      const cwd = v.str(6);
      if (cwd !== undefined) t.cwd = cwdAfter('', cwd);
    }
    t.comm = v.str(13) ?? t.comm;
    t.exe = v.str(1) ?? '';
    if (v.paramLen(2) > 0) t.setArgBytes(v.raw(2));
    else t.args = [];
    if (v.paramLen(15) > 0) t.setEnvBytes(v.raw(15));
    else t.env = [];
    t.tty = v.int(16) ?? t.tty;
    t.vpgid = v.int(17) ?? t.vpgid;
    t.loginuid = v.int(18) ?? NO_LOGINUID;
    t.exeCtime = v.bigint(EXEC_CTIME_PARAM) ?? 0n;
    t.exeMtime = v.bigint(25) ?? 0n;
    // as libs: the process start minus the executable's ctime, wrapping as its unsigned 64-bit sum does
    if (v.paramLen(EXEC_CTIME_PARAM) > 0 && t.startTs !== 0n) t.exeCtimeToStart = BigInt.asUintN(64, t.startTs - t.exeCtime);
    this.setCaps(t, v, EXEC_CAPS_PARAM);
    t.uid = v.int(26) ?? t.uid;
    t.gid = v.int(29) ?? t.gid;
    const trusted = v.str(27);
    const filename = v.nparams > 30 ? v.str(30) : undefined;
    t.exepath = trusted ?? this.exePath(t, filename);
    t.exeWritable = undefined;
    t.exeFlags = v.int(EXE_FLAGS_PARAM);
    t.execTs = v.ts;
    // runtimes move a process into the container's cgroup between fork and exec:
    // take the cgroups the kernel sent with the exec; /proc only when it sent none
    // (it may be gone by now for a short-lived process)
    const fromEvent = this.cgroupsContainer(v);
    if (fromEvent !== undefined) t.setContainer(fromEvent ?? undefined);
    else {
      const cgroup = this.cgroupText(t.pid);
      if (cgroup !== undefined) t.setContainer(containerRefFromCgroupFile(cgroup));
    }
    if (t.container) this.containers?.seen(t.container);
    t.complete = true;
    // close-on-exec descriptors are gone in the new program
    for (const [fd, f] of t.fds.entries()) if (f.openFlags & PPM_O_CLOEXEC) t.fds.delete(fd);
  }

  /** the container the event's cgroups name; null: the host; undefined: the event has none */
  private cgroupsContainer(v: EventView): ContainerRef | null | undefined {
    if (v.paramLen(CGROUPS_PARAM) === 0) return undefined;
    // the same cgroups come event after event (a service's forks and execs): compare bytes, not decoded paths
    const raw = v.raw(CGROUPS_PARAM);
    const last = this.lastCgroups;
    if (last !== undefined && last.equals(raw)) return this.lastCgroupsRef;
    const ref = containerRefFromCgroupEntries(v.strList(CGROUPS_PARAM));
    this.lastCgroups = Buffer.from(raw);
    this.lastCgroupsRef = ref;
    return ref;
  }

  private cgroupText(pid: number): string | undefined {
    if (this.procRoot === null) return undefined;
    try {
      return fs.readFileSync(path.join(this.procRoot, String(pid), 'cgroup'), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** The executable's path from the exec's filename, made absolute. */
  private exePath(t: ThreadInfo, filename: string | undefined): string {
    if (filename === undefined) return this.exeLink(t.pid) ?? t.exe;
    // fexecve runs whatever an fd holds (a memfd, for fileless execution): the
    // kernel's exe link names it, or else the fd table does
    const viaFd = FD_PATH.exec(filename);
    if (viaFd) return this.exeLink(t.pid) ?? t.fds.get(Number(viaFd[1]))?.name ?? filename;
    return concatPaths(this.cwdDir(t), filename);
  }

  private exeLink(pid: number): string | undefined {
    if (this.procRoot === null) return undefined;
    try {
      return fs.readlinkSync(path.join(this.procRoot, String(pid), 'exe'));
    } catch {
      return undefined;
    }
  }

  /**
   * Keep what an enter event said for its exit (libs keeps the event; only an
   * open-family enter with a path counts), and resolve connect's socket fd.
   */
  private enter(v: EventView, t: ThreadInfo, code: number): void {
    const nameAt = NAME_PARAM[code];
    if (nameAt < 0) {
      const addr = v.sockaddr(1);
      t.enter = { code, name: '', flags: 0, dirfd: AT_FDCWD, addr };
      // as libs' parser of connect enters (sysdig's, in the captures it reads):
      // a unix socket is named by the path it connects to until the exit names it by its tuple
      if (this.useFd(v, t) && ACTION[code + 1] === Act.Connect && addr?.family === AF_UNIX && addr.path !== undefined) {
        const f = this.event.fd!;
        const before = f.name;
        f.type = 'unix';
        f.name = addr.path;
        this.event.fdNameChanged = f.name !== before;
      }
      return;
    }
    const name = v.str(nameAt);
    const flagsAt = FLAGS_PARAM[code];
    t.enter = name === undefined || name === '' ? undefined : {
      code,
      name,
      flags: flagsAt < 0 ? 0 : v.int(flagsAt) ?? 0,
      dirfd: nameAt > 0 ? v.int(0) ?? AT_FDCWD : AT_FDCWD,
      addr: undefined,
    };
  }

  /** the thread's pending enter when it belongs to this exit; cleared either way */
  private takeEnter(t: ThreadInfo, exitCode: number): PendingEnter | undefined {
    const e = t.enter;
    if (e === undefined) return undefined;
    t.enter = undefined;
    return e.code === exitCode - 1 ? e : undefined;
  }

  private open(v: EventView, t: ThreadInfo, act: Act, code: number): void {
    const fd = v.int(0) ?? -1;
    const nameAt = NAME_PARAM[code];
    const exitName = v.str(nameAt) ?? '';
    let p = exitName;
    let flags: number;
    if (act === Act.Creat) {
      // as libs: creat's layer bits become the open flags' own
      const cf = v.int(CREAT_FLAGS_PARAM[code]) ?? 0;
      flags = cf & PPM_FD_UPPER_LAYER_CREAT ? PPM_FD_UPPER_LAYER : cf & PPM_FD_LOWER_LAYER_CREAT ? PPM_FD_LOWER_LAYER : 0;
    } else {
      flags = v.int(FLAGS_PARAM[code]) ?? 0;
    }
    let dirfd = act === Act.OpenAt ? v.int(1) ?? AT_FDCWD : AT_FDCWD;
    // as libs: the path, flags and dirfd the enter read before the call win
    // over the exit's, which another thread may have rewritten meanwhile
    const enter = this.takeEnter(t, code);
    if (enter !== undefined) {
      p = enter.name;
      if (act !== Act.Creat) flags = enter.flags | (flags & EXIT_ONLY_FLAGS);
      dirfd = enter.dirfd;
    }
    // as libs names a failed open or creat from its path parameter: an absolute path as it was given
    const raw = fd < 0 && act !== Act.OpenAt && p.charCodeAt(0) === 47;
    const f = new FdInfo(flags & PPM_O_DIRECTORY ? 'directory' : 'file', raw ? p : concatPaths(this.openDir(t, act, dirfd, p), p));
    f.failedOpen = fd < 0;
    f.nameRaw = p;
    f.openFlags = flags;
    f.dev = v.int(DEV_PARAM[code]) ?? 0;
    f.inode = v.int(INO_PARAM[code]) ?? 0;
    const ev = this.event;
    ev.fdNum = fd;
    ev.fd = f;
    // evt.arg.name is the exit's own text: decode it once (a relative one reads resolved, made by evt.arg when asked)
    if (exitName.charCodeAt(0) === 47) ev.cacheArgText(nameAt, exitName);
    if (fd >= 0) t.fds.set(fd, f);
  }

  private socket(v: EventView, t: ThreadInfo): void {
    const fd = v.int(0) ?? -1;
    const domain = v.int(1) ?? 0;
    const type = (v.int(2) ?? 0) & 0xf;
    const proto = v.int(3) ?? 0;
    const f = new FdInfo(socketType(domain), '');
    if (f.type === 'ipv4' || f.type === 'ipv6') {
      f.l4proto = proto === 1 || proto === 58 ? 'icmp' : type === 1 ? 'tcp' : type === 2 ? 'udp' : type === 3 ? 'raw' : undefined;
    }
    this.event.fdNum = fd;
    this.event.fd = f;
    if (fd >= 0) t.fds.set(fd, f);
  }

  private connection(v: EventView, t: ThreadInfo, accepted: boolean): void {
    const fd = accepted ? v.int(0) ?? -1 : v.int(2) ?? -1;
    let tuple = v.tuple(1);
    const old = accepted ? undefined : t.fds.get(fd);
    this.event.fdNum = fd;
    const res = accepted ? fd : v.int(0) ?? -1;
    const connected = res >= 0 || res === -EINPROGRESS;
    if (!accepted) {
      const enter = this.takeEnter(t, v.type);
      if (enter?.addr !== undefined) tuple = connectTuple(tuple, v.sockaddr(3), enter.addr);
    }
    if (!tuple || tuple.family === undefined) {
      this.event.fd = old;
      return;
    }
    const f = new FdInfo(socketType(tuple.family), '');
    f.l4proto = old?.l4proto ?? (f.type === 'ipv4' || f.type === 'ipv6' ? 'tcp' : undefined);
    if (tuple.sip !== undefined) f.setTuple(tuple.sip, tuple.sport!, tuple.dip!, tuple.dport!, accepted);
    else if (tuple.path !== undefined) {
      f.name = unixName(tuple);
      f.isServer = accepted;
    } else if (old) {
      this.event.fd = old;
      return;
    }
    // a failed connect leaves the socket as it was, connected or not: as in
    // libs, the event shows the tuple it failed with, the table keeps the old fd
    f.connected = connected || (old?.connected ?? false);
    this.event.fd = f;
    this.event.fdNameChanged = f.name !== (old?.name ?? '');
    if (fd >= 0 && connected) t.fds.set(fd, f);
  }

  /**
   * A send or receive on a socket, as libs parses it: a successful one on an
   * IP socket marks it connected; a datagram socket (or one with no name yet)
   * takes its peer from the event's tuple.
   */
  private datagram(v: EventView, received: boolean): void {
    const ev = this.event;
    const f = ev.fd!;
    if ((v.int(0) ?? -1) < 0) return;
    if (f.type === 'ipv4' || f.type === 'ipv6') f.connected = true;
    if (f.name !== '' && f.l4proto === 'tcp') return;
    const tuple = v.tuple(TUPLE_PARAM[v.type]);
    if (tuple?.family === AF_UNIX && tuple.path !== undefined) {
      // as libs: every successful send or receive on a unix socket renames it
      // by its tuple, peer or none (an unconnected sendto's tuple has neither)
      const before = f.name;
      f.type = 'unix';
      f.name = unixName(tuple);
      ev.fdNameChanged = f.name !== before;
      return;
    }
    if (!tuple || tuple.sip === undefined || tuple.family === undefined) return;
    // the probe reads the socket's own addresses: an unconnected socket's sendto has no peer there
    if ((received ? tuple.sport : tuple.dport) === 0) return;
    const before = f.name;
    f.type = socketType(tuple.family);
    f.l4proto ??= 'udp';
    // the tuple runs sender to receiver: a received datagram's sender is the peer, a sent one's receiver
    const [local, localPort, peer, peerPort] = received ? [tuple.dip!, tuple.dport!, tuple.sip, tuple.sport!] : [tuple.sip, tuple.sport!, tuple.dip!, tuple.dport!];
    if (f.isServer) f.setTuple(peer, peerPort, local, localPort, true);
    else f.setTuple(local, localPort, peer, peerPort, false);
    ev.fdNameChanged = f.name !== before;
  }

  /**
   * A successful bind: libs names the fd by the bound address, a unix path or
   * `ip:port` (IPv6 without brackets, as libs writes a server address).
   */
  private bound(v: EventView, addrAt: number): void {
    const addr = v.sockaddr(addrAt);
    if (addr === undefined) return;
    const ev = this.event;
    const f = ev.fd!;
    const before = f.name;
    if (addr.family === AF_UNIX && addr.path !== undefined) {
      f.type = 'unix';
      f.name = addr.path;
    } else if ((addr.family === AF_INET || addr.family === AF_INET6) && addr.ip !== undefined) {
      f.name = `${addr.ip}:${addr.port}`;
    } else {
      return;
    }
    ev.fdNameChanged = f.name !== before;
  }

  /**
   * The directory an open's path is relative to, as libs picks it: the cwd
   * for open and creat; for the openat family `.` when the path is absolute
   * (it only counts towards the length limit), the cwd for AT_FDCWD, else the
   * dirfd's name, `<UNKNOWN>` when the fd table lacks it.
   */
  private openDir(t: ThreadInfo, act: Act, dirfd: number, p: string): string {
    if (act !== Act.OpenAt || dirfd === AT_FDCWD) return this.cwdDir(t);
    if (p.charCodeAt(0) === 47) return '.';
    const d = t.fds.get(dirfd);
    return d === undefined ? UNKNOWN_DIR : dirOf(d.name);
  }

  /** the working directory: the threads of a process share it, and libs keeps it on the main thread */
  private cwdOf(t: ThreadInfo): string {
    return (this.threads.main(t) ?? t).cwd;
  }

  /** the cwd as the directory of relative paths (`/` while it is unknown) */
  private cwdDir(t: ThreadInfo): string {
    return dirOf(this.cwdOf(t) || '/');
  }

  /** a successful chdir or fchdir: the new cwd, for the thread and its process's main thread */
  private chdir(t: ThreadInfo, p: string): void {
    const cwd = cwdAfter(this.cwdOf(t), p);
    t.cwd = cwd;
    const main = this.threads.main(t);
    if (main) main.cwd = cwd;
  }

  private setCaps(t: ThreadInfo, v: EventView, first: number): void {
    if (v.paramLen(first) !== 8) return;
    t.capInheritable = BigInt.asUintN(64, v.bigint(first)!);
    t.capPermitted = BigInt.asUintN(64, v.bigint(first + 1) ?? 0n);
    t.capEffective = BigInt.asUintN(64, v.bigint(first + 2) ?? 0n);
  }

  private pipe(v: EventView, t: ThreadInfo): void {
    const ino = v.int(3) ?? 0;
    const a = fdFromLink(`pipe:[${ino}]`, undefined);
    const fd1 = v.int(1) ?? -1;
    const fd2 = v.int(2) ?? -1;
    this.event.fdNum = fd1;
    this.event.fd = a;
    if ((v.int(0) ?? -1) < 0) return;
    t.fds.set(fd1, a);
    t.fds.set(fd2, a.clone());
  }

  private setId(t: ThreadInfo, which: 'uid' | 'gid', id: number | undefined): void {
    if (id === undefined || id === NO_ID) return;
    t[which] = id;
    const main = this.threads.main(t);
    if (main) main[which] = id;
  }
}
