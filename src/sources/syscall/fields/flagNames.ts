// Names for flag and enum parameters, as Falco prints them in evt.arg: open
// flags (PPM_O_*), clone/unshare/setns flags (PPM_CL_*), ptrace requests
// (PPM_PTRACE_*), mount, unlinkat, linkat, memfd, prctl, bpf and module flags,
// permission modes, errno values, signals and socket families. Values are
// Falco's wire values, which is what the probe sends; each table lists names in
// the order of falcosecurity/libs' flag tables, which is the order Falco prints
// them in.

type Bits = readonly (readonly [number, string])[];

/** libs' file_flags order; O_RDWR is both access bits, O_NONE is no bit at all */
export const OPEN_FLAGS: Bits = [
  [1 << 11, 'O_LARGEFILE'], [1 << 10, 'O_DIRECTORY'], [1 << 9, 'O_DIRECT'], [1 << 8, 'O_TRUNC'], [1 << 7, 'O_SYNC'],
  [1 << 6, 'O_NONBLOCK'], [1 << 5, 'O_EXCL'], [1 << 4, 'O_DSYNC'], [1 << 3, 'O_APPEND'], [1 << 2, 'O_CREAT'],
  [3, 'O_RDWR'], [2, 'O_WRONLY'], [1, 'O_RDONLY'], [1 << 12, 'O_CLOEXEC'], [0, 'O_NONE'], [1 << 13, 'O_TMPFILE'],
  [1 << 14, 'O_F_CREATED'], [1 << 15, 'FD_UPPER_LAYER'], [1 << 16, 'FD_LOWER_LAYER'],
];

/** creat's creat_flags: the overlay layer of the file it opened */
export const CREAT_FLAGS: Bits = [[1 << 0, 'FD_UPPER_LAYER_CREAT'], [1 << 1, 'FD_LOWER_LAYER_CREAT']];

export const MOUNT_FLAGS: Bits = [
  'RDONLY', 'NOSUID', 'NODEV', 'NOEXEC', 'SYNCHRONOUS', 'REMOUNT', 'MANDLOCK', 'DIRSYNC', '', '', 'NOATIME', 'NODIRATIME',
  'BIND', 'MOVE', 'REC', 'SILENT', 'POSIXACL', 'UNBINDABLE', 'PRIVATE', 'SLAVE', 'SHARED', 'RELATIME', 'KERNMOUNT',
  'I_VERSION', 'STRICTATIME', 'LAZYTIME', '', '', 'NOSEC', 'BORN', 'ACTIVE', 'NOUSER',
].flatMap((name, bit) => (name ? [[(1 << bit) >>> 0, name] as const] : []));
export const UMOUNT_FLAGS: Bits = [[1, 'FORCE'], [2, 'DETACH'], [4, 'EXPIRE'], [8, 'NOFOLLOW']];
export const UNLINKAT_FLAGS: Bits = [[0x200, 'AT_REMOVEDIR']];
export const LINKAT_FLAGS: Bits = [[0x400, 'AT_SYMLINK_FOLLOW'], [0x1000, 'AT_EMPTY_PATH']];
/** libs names PPM_AT_SYMLINK_FOLLOW "AT_SYMLINK_NOFOLLOW" for fchownat */
export const FCHOWNAT_FLAGS: Bits = [[0x400, 'AT_SYMLINK_NOFOLLOW'], [0x1000, 'AT_EMPTY_PATH']];
export const RENAMEAT2_FLAGS: Bits = [[1, 'RENAME_NOREPLACE'], [2, 'RENAME_EXCHANGE'], [4, 'RENAME_WHITEOUT']];
export const RESOLVE_FLAGS: Bits = [
  [1 << 0, 'RESOLVE_BENEATH'], [1 << 1, 'RESOLVE_IN_ROOT'], [1 << 2, 'RESOLVE_NO_MAGICLINKS'], [1 << 3, 'RESOLVE_NO_SYMLINKS'],
  [1 << 4, 'RESOLVE_NO_XDEV'], [1 << 5, 'RESOLVE_CACHED'],
];
export const MEMFD_FLAGS: Bits = [[1, 'MFD_CLOEXEC'], [2, 'MFD_ALLOW_SEALING'], [4, 'MFD_HUGETLB']];
export const FINIT_MODULE_FLAGS: Bits = [[1, 'MODULE_INIT_IGNORE_MODVERSIONS'], [2, 'MODULE_INIT_IGNORE_VERMAGIC'], [4, 'MODULE_INIT_COMPRESSED_FILE']];
/** PT_MODE names (libs' chmod_mode), lowest bit first */
export const MODE_BITS: Bits = ['S_IXOTH', 'S_IWOTH', 'S_IROTH', 'S_IXGRP', 'S_IWGRP', 'S_IRGRP', 'S_IXUSR', 'S_IWUSR', 'S_IRUSR', 'S_ISVTX', 'S_ISGID', 'S_ISUID']
  .map((name, bit) => [1 << bit, name] as const);

/** enum values (exact match): prctl options, bpf commands */
export const PRCTL_OPTIONS: ReadonlyMap<number, string> = new Map([
  [3, 'PR_GET_DUMPABLE'], [4, 'PR_SET_DUMPABLE'], [7, 'PR_GET_KEEPCAPS'], [8, 'PR_SET_KEEPCAPS'], [15, 'PR_SET_NAME'],
  [16, 'PR_GET_NAME'], [21, 'PR_GET_SECCOMP'], [22, 'PR_SET_SECCOMP'], [23, 'PR_CAPBSET_READ'], [24, 'PR_CAPBSET_DROP'],
  [27, 'PR_GET_SECUREBITS'], [28, 'PR_SET_SECUREBITS'], [33, 'PR_MCE_KILL'], [35, 'PR_SET_MM'], [36, 'PR_SET_CHILD_SUBREAPER'],
  [37, 'PR_GET_CHILD_SUBREAPER'], [38, 'PR_SET_NO_NEW_PRIVS'], [39, 'PR_GET_NO_NEW_PRIVS'], [40, 'PR_GET_TID_ADDRESS'],
  [41, 'PR_SET_THP_DISABLE'], [42, 'PR_GET_THP_DISABLE'], [47, 'PR_CAP_AMBIENT'],
]);
/** libs lists BPF_PROG_TEST_RUN and BPF_PROG_RUN (both 10) and prints every match */
export const BPF_COMMANDS: readonly string[] = [
  'BPF_MAP_CREATE', 'BPF_MAP_LOOKUP_ELEM', 'BPF_MAP_UPDATE_ELEM', 'BPF_MAP_DELETE_ELEM', 'BPF_MAP_GET_NEXT_KEY', 'BPF_PROG_LOAD',
  'BPF_OBJ_PIN', 'BPF_OBJ_GET', 'BPF_PROG_ATTACH', 'BPF_PROG_DETACH', 'BPF_PROG_TEST_RUN|BPF_PROG_RUN', 'BPF_PROG_GET_NEXT_ID',
  'BPF_MAP_GET_NEXT_ID', 'BPF_PROG_GET_FD_BY_ID', 'BPF_MAP_GET_FD_BY_ID', 'BPF_OBJ_GET_INFO_BY_FD', 'BPF_PROG_QUERY',
  'BPF_RAW_TRACEPOINT_OPEN', 'BPF_BTF_LOAD', 'BPF_BTF_GET_FD_BY_ID', 'BPF_TASK_FD_QUERY', 'BPF_MAP_LOOKUP_AND_DELETE_ELEM',
  'BPF_MAP_FREEZE', 'BPF_BTF_GET_NEXT_ID', 'BPF_MAP_LOOKUP_BATCH', 'BPF_MAP_LOOKUP_AND_DELETE_BATCH', 'BPF_MAP_UPDATE_BATCH',
  'BPF_MAP_DELETE_BATCH', 'BPF_LINK_CREATE', 'BPF_LINK_UPDATE', 'BPF_LINK_GET_FD_BY_ID', 'BPF_LINK_GET_NEXT_ID',
  'BPF_ENABLE_STATS', 'BPF_ITER_CREATE', 'BPF_LINK_DETACH', 'BPF_PROG_BIND_MAP',
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
  return bitsText(v, OPEN_FLAGS);
}

/**
 * Flag names as libs resolves them: table order; a name matches when all its
 * bits are set (a zero-valued name only when the value is 0), and its bits are
 * then taken away so O_RDWR hides O_WRONLY and O_RDONLY; the number itself when
 * no name matches.
 */
export function bitsText(v: number, bits: Bits): string {
  const initial = v >>> 0;
  let left = initial;
  let s = '';
  for (const [bit, name] of bits) {
    const b = bit >>> 0;
    const match = b === 0 ? initial === 0 : left !== 0 && (left & b) >>> 0 === b;
    if (!match) continue;
    s += (s ? '|' : '') + name;
    left = (left & ~b) >>> 0;
    if (b === initial) break;
  }
  return s || String(initial);
}

/** PT_MODE as libs prints it: permission names, lowest bit first; `0` when none */
export function modeText(v: number): string {
  return bitsText(v & 0o7777, MODE_BITS);
}

export function prctlOptionName(v: number): string {
  return PRCTL_OPTIONS.get(v) ?? String(v);
}

export function bpfCommandName(v: number): string {
  return BPF_COMMANDS[v] ?? String(v);
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
