// The events Vigil's probe sends: code -> name, direction, category and
// parameters, mirroring bpf/vigil_events.h. Codes, names, parameter names and
// types are those of falcosecurity/libs' driver event table (ppm_event_code and
// g_event_info), event schema 4.5.1 / driver API 10.1.0, where exit events
// carry every parameter; enter events come only for the five TOCTOU-prone
// syscalls (open, openat, openat2, creat, connect), as from libs' modern probe.

/** Parameter types (Falco's PT_*), as they are laid out on the wire. */
export type ParamType =
  | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64'
  | 'CHARBUF' | 'BYTEBUF' | 'ERRNO' | 'SOCKADDR' | 'SOCKTUPLE' | 'FD' | 'PID' | 'FSPATH'
  | 'FSRELPATH' | 'SIGTYPE' | 'FLAGS8' | 'FLAGS16' | 'FLAGS32' | 'ENUMFLAGS8' | 'ENUMFLAGS16'
  | 'ENUMFLAGS32' | 'UID' | 'GID' | 'MODE' | 'ABSTIME' | 'RELTIME' | 'DYN';

export type EventCategory = 'file' | 'net' | 'process' | 'io' | 'ipc' | 'signal' | 'user' | 'other' | 'memory';

export interface ParamInfo {
  readonly name: string;
  readonly type: ParamType;
}

export interface EventInfo {
  /** ppm_event_code */
  readonly code: number;
  /** libs' enum name, e.g. PPME_SYSCALL_OPENAT_2_X */
  readonly symbol: string;
  /** evt.type, e.g. `openat` */
  readonly name: string;
  /** '>' enter, '<' exit (evt.dir) */
  readonly dir: '>' | '<';
  readonly category: EventCategory;
  readonly params: readonly ParamInfo[];
  /** parameter name -> index */
  readonly paramIndex: ReadonlyMap<string, number>;
}

type Row = [number, string, string, 'E' | 'X', EventCategory, [string, ParamType][]];

const rows: Row[] = [
  [2, 'PPME_SYSCALL_OPEN_E', 'open', 'E', 'file', [['name', 'FSPATH'], ['flags', 'FLAGS32'], ['mode', 'UINT32']]],
  [22, 'PPME_SOCKET_CONNECT_E', 'connect', 'E', 'net', [['fd', 'FD'], ['addr', 'SOCKADDR']]],
  [58, 'PPME_SYSCALL_CREAT_E', 'creat', 'E', 'file', [['name', 'FSPATH'], ['mode', 'UINT32']]],
  [306, 'PPME_SYSCALL_OPENAT_2_E', 'openat', 'E', 'file', [['dirfd', 'FD'], ['name', 'FSRELPATH'], ['flags', 'FLAGS32'], ['mode', 'UINT32']]],
  [326, 'PPME_SYSCALL_OPENAT2_E', 'openat2', 'E', 'file', [['dirfd', 'FD'], ['name', 'FSRELPATH'], ['flags', 'FLAGS32'], ['mode', 'UINT32'], ['resolve', 'FLAGS32']]],
  [3, 'PPME_SYSCALL_OPEN_X', 'open', 'X', 'file', [['fd', 'FD'], ['name', 'FSPATH'], ['flags', 'FLAGS32'], ['mode', 'UINT32'], ['dev', 'UINT32'], ['ino', 'UINT64']]],
  [5, 'PPME_SYSCALL_CLOSE_X', 'close', 'X', 'io', [['res', 'ERRNO'], ['fd', 'FD']]],
  [19, 'PPME_SOCKET_SOCKET_X', 'socket', 'X', 'net', [['fd', 'FD'], ['domain', 'ENUMFLAGS32'], ['type', 'UINT32'], ['proto', 'UINT32'], ['flags', 'FLAGS32']]],
  [21, 'PPME_SOCKET_BIND_X', 'bind', 'X', 'net', [['res', 'ERRNO'], ['addr', 'SOCKADDR'], ['fd', 'FD']]],
  [23, 'PPME_SOCKET_CONNECT_X', 'connect', 'X', 'net', [['res', 'ERRNO'], ['tuple', 'SOCKTUPLE'], ['fd', 'FD'], ['addr', 'SOCKADDR']]],
  [25, 'PPME_SOCKET_LISTEN_X', 'listen', 'X', 'net', [['res', 'ERRNO'], ['fd', 'FD'], ['backlog', 'INT32']]],
  [31, 'PPME_SOCKET_SENDTO_X', 'sendto', 'X', 'io', [['res', 'ERRNO'], ['data', 'BYTEBUF'], ['fd', 'FD'], ['size', 'UINT32'], ['tuple', 'SOCKTUPLE']]],
  [35, 'PPME_SOCKET_RECVFROM_X', 'recvfrom', 'X', 'io', [['res', 'ERRNO'], ['data', 'BYTEBUF'], ['tuple', 'SOCKTUPLE'], ['fd', 'FD'], ['size', 'UINT32']]],
  [59, 'PPME_SYSCALL_CREAT_X', 'creat', 'X', 'file', [['fd', 'FD'], ['name', 'FSPATH'], ['mode', 'UINT32'], ['dev', 'UINT32'], ['ino', 'UINT64'], ['creat_flags', 'FLAGS16']]],
  [61, 'PPME_SYSCALL_PIPE_X', 'pipe', 'X', 'ipc', [['res', 'ERRNO'], ['fd1', 'FD'], ['fd2', 'FD'], ['ino', 'UINT64']]],
  [95, 'PPME_SYSCALL_CHDIR_X', 'chdir', 'X', 'file', [['res', 'ERRNO'], ['path', 'CHARBUF']]],
  [97, 'PPME_SYSCALL_FCHDIR_X', 'fchdir', 'X', 'file', [['res', 'ERRNO'], ['fd', 'FD']]],
  [129, 'PPME_SYSCALL_KILL_X', 'kill', 'X', 'signal', [['res', 'ERRNO'], ['pid', 'PID'], ['sig', 'SIGTYPE']]],
  [131, 'PPME_SYSCALL_TKILL_X', 'tkill', 'X', 'signal', [['res', 'ERRNO'], ['tid', 'PID'], ['sig', 'SIGTYPE']]],
  [133, 'PPME_SYSCALL_TGKILL_X', 'tgkill', 'X', 'signal', [['res', 'ERRNO'], ['pid', 'PID'], ['tid', 'PID'], ['sig', 'SIGTYPE']]],
  [169, 'PPME_SYSCALL_PTRACE_X', 'ptrace', 'X', 'process', [['res', 'ERRNO'], ['addr', 'DYN'], ['data', 'DYN'], ['request', 'ENUMFLAGS16'], ['pid', 'PID']]],
  [175, 'PPME_SYSCALL_RENAME_X', 'rename', 'X', 'file', [['res', 'ERRNO'], ['oldpath', 'FSPATH'], ['newpath', 'FSPATH']]],
  [177, 'PPME_SYSCALL_RENAMEAT_X', 'renameat', 'X', 'file', [['res', 'ERRNO'], ['olddirfd', 'FD'], ['oldpath', 'FSRELPATH'], ['newdirfd', 'FD'], ['newpath', 'FSRELPATH']]],
  [179, 'PPME_SYSCALL_SYMLINK_X', 'symlink', 'X', 'file', [['res', 'ERRNO'], ['target', 'CHARBUF'], ['linkpath', 'FSPATH']]],
  [181, 'PPME_SYSCALL_SYMLINKAT_X', 'symlinkat', 'X', 'file', [['res', 'ERRNO'], ['target', 'CHARBUF'], ['linkdirfd', 'FD'], ['linkpath', 'FSRELPATH']]],
  [186, 'PPME_PROCEXIT_1_E', 'procexit', 'E', 'process', [['status', 'ERRNO'], ['ret', 'ERRNO'], ['sig', 'SIGTYPE'], ['core', 'UINT8'], ['reaper_tid', 'PID']]],
  [193, 'PPME_SYSCALL_SETRESUID_X', 'setresuid', 'X', 'user', [['res', 'ERRNO'], ['ruid', 'UID'], ['euid', 'UID'], ['suid', 'UID']]],
  [195, 'PPME_SYSCALL_SETRESGID_X', 'setresgid', 'X', 'user', [['res', 'ERRNO'], ['rgid', 'GID'], ['egid', 'GID'], ['sgid', 'GID']]],
  [199, 'PPME_SYSCALL_SETUID_X', 'setuid', 'X', 'user', [['res', 'ERRNO'], ['uid', 'UID']]],
  [201, 'PPME_SYSCALL_SETGID_X', 'setgid', 'X', 'user', [['res', 'ERRNO'], ['gid', 'GID']]],
  [223, 'PPME_SYSCALL_CLONE_20_X', 'clone', 'X', 'process', [['res', 'PID'], ['exe', 'CHARBUF'], ['args', 'BYTEBUF'], ['tid', 'PID'], ['pid', 'PID'], ['ptid', 'PID'], ['cwd', 'CHARBUF'], ['fdlimit', 'INT64'], ['pgft_maj', 'UINT64'], ['pgft_min', 'UINT64'], ['vm_size', 'UINT32'], ['vm_rss', 'UINT32'], ['vm_swap', 'UINT32'], ['comm', 'CHARBUF'], ['cgroups', 'BYTEBUF'], ['flags', 'FLAGS32'], ['uid', 'UINT32'], ['gid', 'UINT32'], ['vtid', 'PID'], ['vpid', 'PID'], ['pidns_init_start_ts', 'UINT64']]],
  [225, 'PPME_SYSCALL_FORK_20_X', 'fork', 'X', 'process', [['res', 'PID'], ['exe', 'CHARBUF'], ['args', 'BYTEBUF'], ['tid', 'PID'], ['pid', 'PID'], ['ptid', 'PID'], ['cwd', 'CHARBUF'], ['fdlimit', 'INT64'], ['pgft_maj', 'UINT64'], ['pgft_min', 'UINT64'], ['vm_size', 'UINT32'], ['vm_rss', 'UINT32'], ['vm_swap', 'UINT32'], ['comm', 'CHARBUF'], ['cgroups', 'BYTEBUF'], ['flags', 'FLAGS32'], ['uid', 'UINT32'], ['gid', 'UINT32'], ['vtid', 'PID'], ['vpid', 'PID'], ['pidns_init_start_ts', 'UINT64']]],
  [227, 'PPME_SYSCALL_VFORK_20_X', 'vfork', 'X', 'process', [['res', 'PID'], ['exe', 'CHARBUF'], ['args', 'BYTEBUF'], ['tid', 'PID'], ['pid', 'PID'], ['ptid', 'PID'], ['cwd', 'CHARBUF'], ['fdlimit', 'INT64'], ['pgft_maj', 'UINT64'], ['pgft_min', 'UINT64'], ['vm_size', 'UINT32'], ['vm_rss', 'UINT32'], ['vm_swap', 'UINT32'], ['comm', 'CHARBUF'], ['cgroups', 'BYTEBUF'], ['flags', 'FLAGS32'], ['uid', 'UINT32'], ['gid', 'UINT32'], ['vtid', 'PID'], ['vpid', 'PID'], ['pidns_init_start_ts', 'UINT64']]],
  [241, 'PPME_SYSCALL_SETNS_X', 'setns', 'X', 'process', [['res', 'ERRNO'], ['fd', 'FD'], ['nstype', 'FLAGS32']]],
  [247, 'PPME_SOCKET_ACCEPT_5_X', 'accept', 'X', 'net', [['fd', 'FD'], ['tuple', 'SOCKTUPLE'], ['queuepct', 'UINT8'], ['queuelen', 'UINT32'], ['queuemax', 'UINT32']]],
  [257, 'PPME_SYSCALL_MOUNT_X', 'mount', 'X', 'file', [['res', 'ERRNO'], ['dev', 'CHARBUF'], ['dir', 'FSPATH'], ['type', 'CHARBUF'], ['flags', 'FLAGS32']]],
  [277, 'PPME_SYSCALL_MKDIR_2_X', 'mkdir', 'X', 'file', [['res', 'ERRNO'], ['path', 'FSPATH'], ['mode', 'UINT32']]],
  [279, 'PPME_SYSCALL_RMDIR_2_X', 'rmdir', 'X', 'file', [['res', 'ERRNO'], ['path', 'FSPATH']]],
  [285, 'PPME_SYSCALL_UNSHARE_X', 'unshare', 'X', 'process', [['res', 'ERRNO'], ['flags', 'FLAGS32']]],
  [293, 'PPME_SYSCALL_EXECVE_19_X', 'execve', 'X', 'process', [['res', 'ERRNO'], ['exe', 'CHARBUF'], ['args', 'BYTEBUF'], ['tid', 'PID'], ['pid', 'PID'], ['ptid', 'PID'], ['cwd', 'CHARBUF'], ['fdlimit', 'UINT64'], ['pgft_maj', 'UINT64'], ['pgft_min', 'UINT64'], ['vm_size', 'UINT32'], ['vm_rss', 'UINT32'], ['vm_swap', 'UINT32'], ['comm', 'CHARBUF'], ['cgroups', 'BYTEBUF'], ['env', 'BYTEBUF'], ['tty', 'UINT32'], ['vpgid', 'PID'], ['loginuid', 'UID'], ['flags', 'FLAGS32'], ['cap_inheritable', 'UINT64'], ['cap_permitted', 'UINT64'], ['cap_effective', 'UINT64'], ['exe_ino', 'UINT64'], ['exe_ino_ctime', 'ABSTIME'], ['exe_ino_mtime', 'ABSTIME'], ['uid', 'UID'], ['trusted_exepath', 'FSPATH'], ['pgid', 'PID'], ['gid', 'GID'], ['filename', 'FSPATH']]],
  [301, 'PPME_SYSCALL_UNLINK_2_X', 'unlink', 'X', 'file', [['res', 'ERRNO'], ['path', 'FSPATH']]],
  [303, 'PPME_SYSCALL_UNLINKAT_2_X', 'unlinkat', 'X', 'file', [['res', 'ERRNO'], ['dirfd', 'FD'], ['name', 'FSRELPATH'], ['flags', 'FLAGS32']]],
  [305, 'PPME_SYSCALL_MKDIRAT_X', 'mkdirat', 'X', 'file', [['res', 'ERRNO'], ['dirfd', 'FD'], ['path', 'FSRELPATH'], ['mode', 'UINT32']]],
  [307, 'PPME_SYSCALL_OPENAT_2_X', 'openat', 'X', 'file', [['fd', 'FD'], ['dirfd', 'FD'], ['name', 'FSRELPATH'], ['flags', 'FLAGS32'], ['mode', 'UINT32'], ['dev', 'UINT32'], ['ino', 'UINT64']]],
  [309, 'PPME_SYSCALL_LINK_2_X', 'link', 'X', 'file', [['res', 'ERRNO'], ['oldpath', 'FSPATH'], ['newpath', 'FSPATH']]],
  [311, 'PPME_SYSCALL_LINKAT_2_X', 'linkat', 'X', 'file', [['res', 'ERRNO'], ['olddir', 'FD'], ['oldpath', 'FSRELPATH'], ['newdir', 'FD'], ['newpath', 'FSRELPATH'], ['flags', 'FLAGS32']]],
  [313, 'PPME_SYSCALL_FCHMODAT_X', 'fchmodat', 'X', 'file', [['res', 'ERRNO'], ['dirfd', 'FD'], ['filename', 'FSRELPATH'], ['mode', 'MODE']]],
  [315, 'PPME_SYSCALL_CHMOD_X', 'chmod', 'X', 'file', [['res', 'ERRNO'], ['filename', 'FSPATH'], ['mode', 'MODE']]],
  [317, 'PPME_SYSCALL_FCHMOD_X', 'fchmod', 'X', 'file', [['res', 'ERRNO'], ['fd', 'FD'], ['mode', 'MODE']]],
  [319, 'PPME_SYSCALL_RENAMEAT2_X', 'renameat2', 'X', 'file', [['res', 'ERRNO'], ['olddirfd', 'FD'], ['oldpath', 'FSRELPATH'], ['newdirfd', 'FD'], ['newpath', 'FSRELPATH'], ['flags', 'FLAGS32']]],
  [327, 'PPME_SYSCALL_OPENAT2_X', 'openat2', 'X', 'file', [['fd', 'FD'], ['dirfd', 'FD'], ['name', 'FSRELPATH'], ['flags', 'FLAGS32'], ['mode', 'UINT32'], ['resolve', 'FLAGS32'], ['dev', 'UINT32'], ['ino', 'UINT64']]],
  [331, 'PPME_SYSCALL_EXECVEAT_X', 'execveat', 'X', 'process', [['res', 'ERRNO'], ['exe', 'CHARBUF'], ['args', 'BYTEBUF'], ['tid', 'PID'], ['pid', 'PID'], ['ptid', 'PID'], ['cwd', 'CHARBUF'], ['fdlimit', 'UINT64'], ['pgft_maj', 'UINT64'], ['pgft_min', 'UINT64'], ['vm_size', 'UINT32'], ['vm_rss', 'UINT32'], ['vm_swap', 'UINT32'], ['comm', 'CHARBUF'], ['cgroups', 'BYTEBUF'], ['env', 'BYTEBUF'], ['tty', 'UINT32'], ['vpgid', 'PID'], ['loginuid', 'UID'], ['flags', 'FLAGS32'], ['cap_inheritable', 'UINT64'], ['cap_permitted', 'UINT64'], ['cap_effective', 'UINT64'], ['exe_ino', 'UINT64'], ['exe_ino_ctime', 'ABSTIME'], ['exe_ino_mtime', 'ABSTIME'], ['uid', 'UID'], ['trusted_exepath', 'FSPATH'], ['pgid', 'PID'], ['gid', 'GID']]],
  [335, 'PPME_SYSCALL_CLONE3_X', 'clone3', 'X', 'process', [['res', 'PID'], ['exe', 'CHARBUF'], ['args', 'BYTEBUF'], ['tid', 'PID'], ['pid', 'PID'], ['ptid', 'PID'], ['cwd', 'CHARBUF'], ['fdlimit', 'INT64'], ['pgft_maj', 'UINT64'], ['pgft_min', 'UINT64'], ['vm_size', 'UINT32'], ['vm_rss', 'UINT32'], ['vm_swap', 'UINT32'], ['comm', 'CHARBUF'], ['cgroups', 'BYTEBUF'], ['flags', 'FLAGS32'], ['uid', 'UINT32'], ['gid', 'UINT32'], ['vtid', 'PID'], ['vpid', 'PID'], ['pidns_init_start_ts', 'UINT64']]],
  [353, 'PPME_SYSCALL_CAPSET_X', 'capset', 'X', 'process', [['res', 'ERRNO'], ['cap_inheritable', 'UINT64'], ['cap_permitted', 'UINT64'], ['cap_effective', 'UINT64']]],
  [363, 'PPME_SYSCALL_DUP2_X', 'dup2', 'X', 'io', [['res', 'FD'], ['oldfd', 'FD'], ['newfd', 'FD']]],
  [365, 'PPME_SYSCALL_DUP3_X', 'dup3', 'X', 'io', [['res', 'FD'], ['oldfd', 'FD'], ['newfd', 'FD'], ['flags', 'FLAGS32']]],
  [367, 'PPME_SYSCALL_DUP_1_X', 'dup', 'X', 'io', [['res', 'FD'], ['oldfd', 'FD']]],
  [369, 'PPME_SYSCALL_BPF_2_X', 'bpf', 'X', 'other', [['fd', 'FD'], ['cmd', 'ENUMFLAGS32']]],
  [379, 'PPME_SYSCALL_CHOWN_X', 'chown', 'X', 'file', [['res', 'ERRNO'], ['path', 'FSPATH'], ['uid', 'UINT32'], ['gid', 'UINT32']]],
  [381, 'PPME_SYSCALL_LCHOWN_X', 'lchown', 'X', 'file', [['res', 'ERRNO'], ['path', 'FSPATH'], ['uid', 'UINT32'], ['gid', 'UINT32']]],
  [383, 'PPME_SYSCALL_FCHOWN_X', 'fchown', 'X', 'file', [['res', 'ERRNO'], ['fd', 'FD'], ['uid', 'UINT32'], ['gid', 'UINT32']]],
  [385, 'PPME_SYSCALL_FCHOWNAT_X', 'fchownat', 'X', 'file', [['res', 'ERRNO'], ['dirfd', 'FD'], ['pathname', 'FSRELPATH'], ['uid', 'UINT32'], ['gid', 'UINT32'], ['flags', 'FLAGS32']]],
  [389, 'PPME_SOCKET_ACCEPT4_6_X', 'accept4', 'X', 'net', [['fd', 'FD'], ['tuple', 'SOCKTUPLE'], ['queuepct', 'UINT8'], ['queuelen', 'UINT32'], ['queuemax', 'UINT32'], ['flags', 'INT32']]],
  [391, 'PPME_SYSCALL_UMOUNT2_X', 'umount2', 'X', 'file', [['res', 'ERRNO'], ['name', 'FSPATH'], ['flags', 'FLAGS32']]],
  [393, 'PPME_SYSCALL_PIPE2_X', 'pipe2', 'X', 'ipc', [['res', 'ERRNO'], ['fd1', 'FD'], ['fd2', 'FD'], ['ino', 'UINT64'], ['flags', 'FLAGS32']]],
  [401, 'PPME_SYSCALL_PRCTL_X', 'prctl', 'X', 'process', [['res', 'ERRNO'], ['option', 'ENUMFLAGS32'], ['arg2_str', 'CHARBUF'], ['arg2_int', 'INT64']]],
  [405, 'PPME_SYSCALL_MEMFD_CREATE_X', 'memfd_create', 'X', 'memory', [['fd', 'FD'], ['name', 'CHARBUF'], ['flags', 'FLAGS32']]],
  [411, 'PPME_SYSCALL_INIT_MODULE_X', 'init_module', 'X', 'other', [['res', 'ERRNO'], ['img', 'BYTEBUF'], ['length', 'UINT64'], ['uargs', 'CHARBUF']]],
  [413, 'PPME_SYSCALL_FINIT_MODULE_X', 'finit_module', 'X', 'other', [['res', 'ERRNO'], ['fd', 'FD'], ['uargs', 'CHARBUF'], ['flags', 'FLAGS32']]],
  // made in user space, never by the probe: a container described by its
  // runtime (libs' container event, its JSON), and a container gone (the
  // container plugin's async event of that name)
  [324, 'PPME_CONTAINER_JSON_2_E', 'container', 'E', 'other', [['json', 'CHARBUF']]],
  [402, 'PPME_ASYNCEVENT_E', 'container_removed', 'E', 'other', [['plugin_id', 'UINT32'], ['name', 'CHARBUF'], ['data', 'BYTEBUF']]],
];

/** the codes of the events above that Vigil makes itself (container metadata), not the probe */
export const META_EVENT_CODES: ReadonlySet<number> = new Set([324, 402]);

function build(r: Row): EventInfo {
  const params = r[5].map(([name, type]) => ({ name, type }));
  return {
    code: r[0],
    symbol: r[1],
    name: r[2],
    dir: r[3] === 'E' ? '>' : '<',
    category: r[4],
    params,
    paramIndex: new Map(params.map((p, i) => [p.name, i])),
  };
}

/** Every event the probe can send, by code (undefined for others). */
export const EVENTS: readonly (EventInfo | undefined)[] = (() => {
  const byCode: (EventInfo | undefined)[] = [];
  for (const r of rows) byCode[r[0]] = build(r);
  return byCode;
})();

export const EVENT_LIST: readonly EventInfo[] = EVENTS.filter((e): e is EventInfo => e !== undefined);

export function eventInfo(code: number): EventInfo | undefined {
  return EVENTS[code];
}

/** Every evt.type name the probe can produce. */
export const EVENT_TYPE_NAMES: readonly string[] = [...new Set(EVENT_LIST.map((e) => e.name))].sort();
