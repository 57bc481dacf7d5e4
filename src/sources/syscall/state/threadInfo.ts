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
  /** argv without argv[0] */
  args: readonly string[] = [];
  cwd = '';
  uid = 0;
  gid = 0;
  loginuid = NO_LOGINUID;
  tty = 0;
  /** bounded copy of the environment */
  env: readonly string[] = [];
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

  constructor(
    readonly tid: number,
    public fds: FdTable,
  ) {}

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
