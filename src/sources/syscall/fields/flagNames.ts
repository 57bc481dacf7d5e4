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
/** execve's flags: what the probe found about the executable */
export const EXECVE_FLAGS: Bits = [[1, 'EXE_WRITABLE'], [2, 'EXE_UPPER_LAYER'], [4, 'EXE_FROM_MEMFD'], [8, 'EXE_LOWER_LAYER']];
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

/** the errno values libs names (sinsp_utils::errno_to_str), by number */
const ERRNO: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 6: 'ENXIO', 7: 'E2BIG', 8: 'ENOEXEC', 9: 'EBADF', 10: 'ECHILD',
  11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT', 15: 'ENOTBLK', 16: 'EBUSY', 17: 'EEXIST', 18: 'EXDEV', 19: 'ENODEV',
  20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL', 23: 'ENFILE', 24: 'EMFILE', 25: 'ENOTTY', 26: 'ETXTBSY', 27: 'EFBIG', 28: 'ENOSPC',
  29: 'ESPIPE', 30: 'EROFS', 31: 'EMLINK', 32: 'EPIPE', 33: 'EDOM', 34: 'ERANGE', 35: 'EDEADLK', 36: 'ENAMETOOLONG',
  37: 'ENOLCK', 38: 'ENOSYS', 39: 'ENOTEMPTY', 40: 'ELOOP', 42: 'ENOMSG', 43: 'EIDRM', 44: 'ECHRNG', 45: 'EL2NSYNC',
  46: 'EL3HLT', 47: 'EL3RST', 48: 'ELNRNG', 49: 'EUNATCH', 50: 'ENOCSI', 51: 'EL2HLT', 52: 'EBADE', 53: 'EBADR', 54: 'EXFULL',
  55: 'ENOANO', 56: 'EBADRQC', 57: 'EBADSLT', 59: 'EBFONT', 60: 'ENOSTR', 61: 'ENODATA', 62: 'ETIME', 63: 'ENOSR', 64: 'ENONET',
  65: 'ENOPKG', 66: 'EREMOTE', 67: 'ENOLINK', 68: 'EADV', 69: 'ESRMNT', 70: 'ECOMM', 71: 'EPROTO', 72: 'EMULTIHOP',
  73: 'EDOTDOT', 74: 'EBADMSG', 75: 'EOVERFLOW', 76: 'ENOTUNIQ', 77: 'EBADFD', 78: 'EREMCHG', 79: 'ELIBACC', 80: 'ELIBBAD',
  81: 'ELIBSCN', 82: 'ELIBMAX', 83: 'ELIBEXEC', 84: 'EILSEQ', 85: 'ERESTART', 86: 'ESTRPIPE', 87: 'EUSERS', 88: 'ENOTSOCK',
  89: 'EDESTADDRREQ', 90: 'EMSGSIZE', 91: 'EPROTOTYPE', 92: 'ENOPROTOOPT', 93: 'EPROTONOSUPPORT', 94: 'ESOCKTNOSUPPORT',
  95: 'EOPNOTSUPP', 96: 'EPFNOSUPPORT', 97: 'EAFNOSUPPORT', 98: 'EADDRINUSE', 99: 'EADDRNOTAVAIL', 100: 'ENETDOWN',
  101: 'ENETUNREACH', 102: 'ENETRESET', 103: 'ECONNABORTED', 104: 'ECONNRESET', 105: 'ENOBUFS', 106: 'EISCONN', 107: 'ENOTCONN',
  108: 'ESHUTDOWN', 109: 'ETOOMANYREFS', 110: 'ETIMEDOUT', 111: 'ECONNREFUSED', 112: 'EHOSTDOWN', 113: 'EHOSTUNREACH',
  114: 'EALREADY', 115: 'EINPROGRESS', 116: 'ESTALE', 117: 'EUCLEAN', 118: 'ENOTNAM', 119: 'ENAVAIL', 120: 'EISNAM',
  121: 'EREMOTEIO', 122: 'EDQUOT', 123: 'ENOMEDIUM', 124: 'EMEDIUMTYPE', 125: 'ECANCELED', 512: 'ERESTARTSYS',
  513: 'ERESTARTNOINTR', 514: 'ERESTARTNOHAND', 515: 'ENOIOCTLCMD', 516: 'ERESTART_RESTARTBLOCK', 521: 'EBADHANDLE',
  522: 'ENOTSYNC', 523: 'EBADCOOKIE', 524: 'ENOTSUPP', 525: 'ETOOSMALL', 526: 'ESERVERFAULT', 527: 'EBADTYPE', 528: 'EJUKEBOX',
  529: 'EIOCBQUEUED', 530: 'EIOCBRETRY',
};

const SIGNALS: readonly string[] = [
  '0', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV',
  'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN',
  'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS',
];

/** socket families as libs' socket_families names them: every name of a value, in its table's order */
const FAMILIES: Record<number, string> = {
  0: 'AF_UNSPEC', 1: 'AF_LOCAL|AF_UNIX', 2: 'AF_INET', 3: 'AF_AX25', 4: 'AF_IPX', 5: 'AF_APPLETALK', 6: 'AF_NETROM', 7: 'AF_BRIDGE',
  8: 'AF_ATMPVC', 9: 'AF_X25', 10: 'AF_INET6', 11: 'AF_ROSE', 12: 'AF_DECnet', 13: 'AF_NETBEUI', 14: 'AF_SECURITY', 15: 'AF_KEY',
  16: 'AF_ROUTE|AF_NETLINK', 17: 'AF_PACKET', 18: 'AF_ASH', 19: 'AF_ECONET', 20: 'AF_ATMSVC', 21: 'AF_RDS', 22: 'AF_SNA', 23: 'AF_IRDA',
  24: 'AF_PPPOX', 25: 'AF_WANPIPE', 26: 'AF_LLC', 29: 'AF_CAN', 30: 'AF_TIPC', 31: 'AF_BLUETOOTH', 32: 'AF_IUCV', 33: 'AF_RXRPC',
  34: 'AF_ISDN', 35: 'AF_PHONET', 36: 'AF_IEEE802154', 37: 'AF_CAIF', 38: 'AF_ALG', 39: 'AF_NFC',
};

/** names made so far, per table and value: a program uses few distinct flag sets, and rules read evt.arg.flags of every open */
const namesMade = new Map<Bits, Map<number, string>>();
const MAX_NAMES_MADE = 1024;

/** bitsNames, remembered */
export function cachedBitsNames(v: number, bits: Bits): string {
  let made = namesMade.get(bits);
  if (made === undefined) namesMade.set(bits, (made = new Map()));
  let s = made.get(v);
  if (s === undefined) {
    s = bitsNames(v, bits);
    if (made.size < MAX_NAMES_MADE) made.set(v, s);
  }
  return s;
}

/**
 * Flag names as libs resolves them: table order; a name matches when all its
 * bits are set (a zero-valued name only when the value is 0), and its bits are
 * then taken away so O_RDWR hides O_WRONLY and O_RDONLY; the number itself when
 * no name matches.
 */
export function bitsText(v: number, bits: Bits): string {
  return bitsNames(v, bits) || String(v >>> 0);
}

/** the names bitsText gives, or '' when none matches */
export function bitsNames(v: number, bits: Bits): string {
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
  return s;
}

/** PT_MODE as libs prints it: permission names, lowest bit first; `0` when none */
export function modeText(v: number): string {
  return modeNames(v) || '0';
}

/**
 * PT_MODE names as libs resolves them: bits taken lowest first until an entry
 * equals the whole value, which ends the list; '' when none matches.
 */
export function modeNames(v: number): string {
  const initial = v >>> 0;
  let left = initial;
  let s = '';
  for (const [bit, name] of MODE_BITS) {
    if (bit === initial) return s + (s ? '|' : '') + name;
    if (left !== 0 && (left & bit) === bit) {
      s += (s ? '|' : '') + name;
      left &= ~bit;
    }
  }
  return s;
}

/** `ENOENT` for -2; undefined for success or an unknown code */
export function errnoName(res: number): string | undefined {
  return res < 0 ? ERRNO[-res] ?? `E${-res}` : undefined;
}

/** libs' name of a negative result, or '' (success, or a code libs does not name) */
export function errnoText(res: number): string {
  return (res < 0 && ERRNO[-res]) || '';
}

/** libs' name of a signal number, or '' (0, or one it does not name) */
export function signalText(v: number): string {
  return v >= 1 && v < SIGNALS.length ? SIGNALS[v] : '';
}

/** every name libs gives a socket family, or '' */
export function familyText(v: number): string {
  return FAMILIES[v] ?? '';
}
