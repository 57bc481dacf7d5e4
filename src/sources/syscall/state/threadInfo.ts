// One thread as the process table knows it. Process-wide facts (exe, args,
// cwd, fds) are copied to each thread of the process at clone time and the fd
// table object is shared between them, as Linux shares it.
import type { SockAddr } from '../decode';
import type { ContainerRef } from './containerId';
import { FdTable } from './fdTable';

/**
 * What the enter event of open, openat, openat2, creat or connect said, kept
 * until the matching exit: read before the call, it is the path or address
 * the kernel used even when another thread rewrote the memory afterwards.
 */
export interface PendingEnter {
  /** the enter event's code (its exit's code is one more) */
  readonly code: number;
  /** open family: path, flags (PPM_O_*) and dirfd (AT_FDCWD for open and creat) */
  readonly name: string;
  readonly flags: number;
  readonly dirfd: number;
  /** connect: the address the caller passed */
  readonly addr: SockAddr | undefined;
}

export const NO_LOGINUID = 4294967295;
/** environment entries kept per process (proc.env is bounded) */
export const MAX_ENV = 64;
export const MAX_ENV_BYTES = 4096;

/** the text of a NUL-separated list parameter, without its terminating NUL (as EventView.str) */
function listText(b: Uint8Array): string {
  const end = b.length > 0 && b[b.length - 1] === 0 ? b.length - 1 : b.length;
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8', 0, end);
}

/** argv after argv[0], empty entries left out */
function argsFromBytes(b: Uint8Array): string[] {
  return b.length === 0 ? [] : listText(b).split('\0').filter((s) => s !== '');
}

/** the environment, bounded to MAX_ENV entries when over MAX_ENV entries or MAX_ENV_BYTES */
function envFromBytes(b: Uint8Array): string[] {
  const env = b.length === 0 ? [] : listText(b).split('\0');
  return env.length > MAX_ENV || env.join('').length > MAX_ENV_BYTES ? env.slice(0, MAX_ENV) : env.filter((s) => s !== '');
}

export class ThreadInfo {
  pid = 0;
  ppid = 0;
  vtid = 0;
  vpid = 0;
  sid = 0;
  vpgid = 0;
  /** proc.name: the kernel's comm, at most 15 characters */
  comm = '';
  /** proc.exe: argv[0] as written */
  exe = '';
  /** proc.exepath: the executable's full path */
  exepath = '';
  /** argv without argv[0] (decoded on first read when an event set it as bytes) */
  get args(): readonly string[] {
    return this.argList ?? (this.argList = argsFromBytes(this.argBytes!));
  }
  set args(v: readonly string[]) {
    this.argList = v;
    this.argBytes = undefined;
  }
  cwd = '';
  uid = 0;
  gid = 0;
  loginuid = NO_LOGINUID;
  tty = 0;
  /** bounded copy of the environment (decoded on first read when an event set it as bytes) */
  get env(): readonly string[] {
    return this.envList ?? (this.envList = envFromBytes(this.envBytes!));
  }
  set env(v: readonly string[]) {
    this.envList = v;
    this.envBytes = undefined;
  }
  /** `host`, or the 12-character container id from the cgroup path */
  containerId = 'host';
  /** the container the cgroup names (full id, runtime); undefined on the host */
  container: ContainerRef | undefined = undefined;
  /** proc.pidns_init_start_ts: start of the pid namespace's init, from clone events (0: unknown) */
  pidnsInitStartTs = 0n;
  /** clone (or /proc start) time, nanoseconds since the epoch */
  startTs = 0n;
  /** the executable's inode ctime and mtime at exec (0: unknown) */
  exeCtime = 0n;
  exeMtime = 0n;
  /**
   * proc.exe_ino.ctime_duration_proc_start as libs keeps it: at exec, the
   * start time minus the executable's ctime, modulo 2^64 (0: unknown)
   */
  exeCtimeToStart = 0n;
  /** capability sets (thread.cap_*), from exec, capset and clone, or /proc; undefined when unknown */
  capInheritable: bigint | undefined;
  capPermitted: bigint | undefined;
  capEffective: bigint | undefined;
  /** last exec time (0: none seen) */
  execTs = 0n;
  /** set from /proc or an event; false for placeholders made for unknown tids */
  complete = false;
  /** proc.is_exe_writable, computed on first use when the kernel sent no flags */
  exeWritable: boolean | undefined;
  /** the exec event's flags (PPM_EXE_*: writable, upper/lower overlay layer, memfd); undefined when no exec was seen */
  exeFlags: number | undefined;
  /** process exited: kept until the end of its exit event, then purged */
  exited = false;
  /** the last enter event of a TOCTOU-prone syscall, until its exit */
  enter: PendingEnter | undefined = undefined;

  /**
   * args and env as an event's bytes (NUL-separated, owned here) until read:
   * most threads are cloned and exec'd again, or gone, before a rule or an
   * output asks, and decoding every list of every exec and clone was a
   * measurable part of replay. Exactly one of list and bytes is set.
   */
  private argList: readonly string[] | undefined = [];
  private argBytes: Uint8Array | undefined;
  private envList: readonly string[] | undefined = [];
  private envBytes: Uint8Array | undefined;

  constructor(
    readonly tid: number,
    public fds: FdTable,
  ) {}

  /** args from an exec or clone parameter's bytes, copied (the caller's buffer may be reused) */
  setArgBytes(b: Uint8Array): void {
    this.argBytes = Uint8Array.prototype.slice.call(b);
    this.argList = undefined;
  }

  /** env from an exec parameter's bytes, copied */
  setEnvBytes(b: Uint8Array): void {
    this.envBytes = Uint8Array.prototype.slice.call(b);
    this.envList = undefined;
  }

  /** args as `from` has them (shared, decoded or not) */
  copyArgsFrom(from: ThreadInfo): void {
    this.argList = from.argList;
    this.argBytes = from.argBytes;
  }

  /** env as `from` has them (shared, decoded or not) */
  copyEnvFrom(from: ThreadInfo): void {
    this.envList = from.envList;
    this.envBytes = from.envBytes;
  }

  /** whether the args are still the bytes `b` (undecoded and equal): a clone repeating its parent's */
  argBytesEqual(b: Uint8Array): boolean {
    const own = this.argBytes;
    return own !== undefined && Buffer.from(own.buffer, own.byteOffset, own.length).equals(b);
  }

  /** Move the thread to a container (undefined: the host). */
  setContainer(ref: ContainerRef | undefined): void {
    this.container = ref;
    this.containerId = ref === undefined ? 'host' : ref.id;
  }

  /** proc.cmdline: comm then the arguments, as Falco prints it */
  cmdline(): string {
    return this.args.length === 0 ? this.comm : `${this.comm} ${this.args.join(' ')}`;
  }
}
