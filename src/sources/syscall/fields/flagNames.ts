// Names for flag and enum parameters, as Falco prints them in evt.arg: open
// flags (PPM_O_*), clone/unshare/setns flags (PPM_CL_*), ptrace requests
// (PPM_PTRACE_*), errno values, signals and socket families. Values are
// Falco's wire values, which is what the probe sends.

type Bits = readonly (readonly [number, string])[];

export const OPEN_FLAGS: Bits = [
  [1 << 2, 'O_CREAT'], [1 << 3, 'O_APPEND'], [1 << 4, 'O_DSYNC'], [1 << 5, 'O_EXCL'], [1 << 6, 'O_NONBLOCK'],
  [1 << 7, 'O_SYNC'], [1 << 8, 'O_TRUNC'], [1 << 9, 'O_DIRECT'], [1 << 10, 'O_DIRECTORY'], [1 << 11, 'O_LARGEFILE'],
  [1 << 12, 'O_CLOEXEC'], [1 << 13, 'O_TMPFILE'], [1 << 14, 'O_F_CREATED'],
];

export const PPM_O_RDONLY = 1;
export const PPM_O_WRONLY = 2;
export const PPM_O_CREAT = 1 << 2;
export const PPM_O_TMPFILE = 1 << 13;

export const CLONE_FLAGS: Bits = [
  [1 << 0, 'CLONE_FILES'], [1 << 1, 'CLONE_FS'], [1 << 2, 'CLONE_IO'], [1 << 3, 'CLONE_NEWIPC'], [1 << 4, 'CLONE_NEWNET'],
  [1 << 5, 'CLONE_NEWNS'], [1 << 6, 'CLONE_NEWPID'], [1 << 7, 'CLONE_NEWUTS'], [1 << 8, 'CLONE_PARENT'],
  [1 << 9, 'CLONE_PARENT_SETTID'], [1 << 10, 'CLONE_PTRACE'], [1 << 11, 'CLONE_SIGHAND'], [1 << 12, 'CLONE_SYSVSEM'],
  [1 << 13, 'CLONE_THREAD'], [1 << 14, 'CLONE_UNTRACED'], [1 << 15, 'CLONE_VM'], [1 << 20, 'CLONE_NEWUSER'],
  [1 << 23, 'CLONE_CHILD_CLEARTID'], [1 << 24, 'CLONE_CHILD_SETTID'], [1 << 25, 'CLONE_SETTLS'], [1 << 27, 'CLONE_VFORK'],
  [1 << 28, 'CLONE_NEWCGROUP'],
];
export const PPM_CL_CLONE_THREAD = 1 << 13;

/** unshare(2) and setns(2) pass Linux CLONE_* values, unconverted */
export const LINUX_NS_FLAGS: Bits = [
  [0x00020000, 'CLONE_NEWNS'], [0x02000000, 'CLONE_NEWCGROUP'], [0x04000000, 'CLONE_NEWUTS'], [0x08000000, 'CLONE_NEWIPC'],
  [0x10000000, 'CLONE_NEWUSER'], [0x20000000, 'CLONE_NEWPID'], [0x40000000, 'CLONE_NEWNET'], [0x00000400, 'CLONE_FILES'],
  [0x00000200, 'CLONE_FS'], [0x00040000, 'CLONE_SYSVSEM'], [0x00000080, 'CLONE_NEWTIME'],
];

export const PTRACE_REQUESTS: readonly string[] = [
  'PTRACE_UNKNOWN', 'PTRACE_TRACEME', 'PTRACE_PEEKTEXT', 'PTRACE_PEEKDATA', 'PTRACE_PEEKUSR', 'PTRACE_POKETEXT',
  'PTRACE_POKEDATA', 'PTRACE_POKEUSR', 'PTRACE_CONT', 'PTRACE_KILL', 'PTRACE_SINGLESTEP', 'PTRACE_ATTACH', 'PTRACE_DETACH',
  'PTRACE_SYSCALL', 'PTRACE_SETOPTIONS', 'PTRACE_GETEVENTMSG', 'PTRACE_GETSIGINFO', 'PTRACE_SETSIGINFO',
  'PTRACE_GETREGSET', 'PTRACE_SETREGSET', 'PTRACE_SEIZE', 'PTRACE_INTERRUPT', 'PTRACE_LISTEN', 'PTRACE_PEEKSIGINFO',
  'PTRACE_GETSIGMASK', 'PTRACE_SETSIGMASK', 'PTRACE_GETREGS', 'PTRACE_SETREGS',
];

const ERRNO: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 6: 'ENXIO', 7: 'E2BIG', 8: 'ENOEXEC', 9: 'EBADF', 10: 'ECHILD',
  11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT', 16: 'EBUSY', 17: 'EEXIST', 18: 'EXDEV', 19: 'ENODEV',
  20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL', 23: 'ENFILE', 24: 'EMFILE', 25: 'ENOTTY', 26: 'ETXTBSY', 27: 'EFBIG',
  28: 'ENOSPC', 29: 'ESPIPE', 30: 'EROFS', 31: 'EMLINK', 32: 'EPIPE', 36: 'ENAMETOOLONG', 38: 'ENOSYS', 39: 'ENOTEMPTY',
  40: 'ELOOP', 88: 'ENOTSOCK', 95: 'EOPNOTSUPP', 97: 'EAFNOSUPPORT', 98: 'EADDRINUSE', 99: 'EADDRNOTAVAIL',
  101: 'ENETUNREACH', 104: 'ECONNRESET', 110: 'ETIMEDOUT', 111: 'ECONNREFUSED', 113: 'EHOSTUNREACH', 115: 'EINPROGRESS',
};

const SIGNALS: readonly string[] = [
  '0', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV',
  'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN',
  'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS',
];

const FAMILIES: Record<number, string> = { 0: 'AF_UNSPEC', 1: 'AF_UNIX', 2: 'AF_INET', 10: 'AF_INET6', 16: 'AF_NETLINK', 17: 'AF_PACKET' };

/** texts made so far by flag value: a program opens with few distinct flag sets */
const openFlagsTexts = new Map<number, string>();
const MAX_OPEN_FLAGS_TEXTS = 1024;

/** `O_RDONLY|O_CLOEXEC`; the access mode is the low two bits */
export function openFlagsText(v: number): string {
  let s = openFlagsTexts.get(v);
  if (s === undefined) {
    s = makeOpenFlagsText(v);
    if (openFlagsTexts.size < MAX_OPEN_FLAGS_TEXTS) openFlagsTexts.set(v, s);
  }
  return s;
}

function makeOpenFlagsText(v: number): string {
  const acc = v & 3;
  let s = acc === 3 ? 'O_RDWR' : acc === 2 ? 'O_WRONLY' : acc === 1 ? 'O_RDONLY' : '';
  for (const [bit, name] of OPEN_FLAGS) if (v & bit) s += (s ? '|' : '') + name;
  return s || '0';
}

export function bitsText(v: number, bits: Bits): string {
  let s = '';
  for (const [bit, name] of bits) if ((v & bit) >>> 0 === bit >>> 0 && bit !== 0) s += (s ? '|' : '') + name;
  return s || String(v);
}

/** `ENOENT` for -2; undefined for success or an unknown code */
export function errnoName(res: number): string | undefined {
  return res < 0 ? ERRNO[-res] ?? `E${-res}` : undefined;
}

export function ptraceName(v: number): string {
  return PTRACE_REQUESTS[v] ?? String(v);
}

export function signalName(v: number): string {
  return SIGNALS[v] ?? String(v);
}

export function familyName(v: number): string {
  return FAMILIES[v] ?? String(v);
}
