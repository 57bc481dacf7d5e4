/* Wire layout of Vigil's syscall events, shared by the kernel probe (bpf/) and
 * the addon (native/); src/sources/syscall/decode.ts mirrors it in TypeScript.
 *
 * Every event is a scap event, as in Falco's .scap files:
 *
 *   0        8        16   20  22   26
 *   +--------+--------+----+---+----+-----------+-----------+-----+---------+---------+-----+
 *   |   ts   |  tid   |len |typ|npar| len(p0)   | len(p1)   | ... | p0 data | p1 data | ... |
 *   |  u64   |  u64   |u32 |u16|u32 |   u16     |   u16     |     |         |         |     |
 *   +--------+--------+----+---+----+-----------+-----------+-----+---------+---------+-----+
 *   <------------ header (26 bytes, packed) --><-- nparams * 2 --><-- params, back to back -->
 *
 *   ts      nanoseconds since the epoch
 *   tid     thread id (kernel pid) of the thread the event is about
 *   len     total length of the event, header included
 *   type    event code (enum vg_event_code: falcosecurity/libs ppm_event_code numbers)
 *   nparams number of parameters; a zero length means "no value" (Falco's empty param)
 *
 * All integers are little-endian (the host's order; x86_64 only for now).
 * Parameter lists follow falcosecurity/libs driver/event_table.c, event schema
 * 4.5.1 (driver API 10.1.0): exit events carry every parameter. Enter events
 * are sent only for the syscalls whose user-memory arguments another thread
 * could swap between the kernel's use and the exit hook's read (open, openat,
 * openat2, creat, connect: time-of-check/time-of-use), as libs' modern probe
 * does; user space prefers their path or address to the exit's.
 *
 * In the ring buffer each record is one event, optionally followed by a cut
 * mask (below); the addon copies the events back to back into batches, so a
 * batch is a plain sequence of events, and hands the masks over beside it.
 *
 * Truncation. Strings, paths, argv, env and data buffers are cut at their
 * bounds (snaplen, VG_MAX_WRITE) and NUL-terminated as before, so the event
 * keeps libs' layout exactly. When the probe cut at least one parameter, the
 * ring record is 4 bytes longer than the event's `len`: a u32 with bit i set
 * when parameter i was cut (VG_MAX_PARAMS is 32, so one bit per parameter).
 * An uncut event's record is exactly the event, as before.
 */
#ifndef VIGIL_EVENTS_H
#define VIGIL_EVENTS_H

#define VG_HEADER_LEN 26
/* most parameters any event here has (execve has 31) */
#define VG_MAX_PARAMS 32

/* Event codes kept exactly as falcosecurity/libs' enum ppm_event_code. */
enum vg_event_code {
	VG_OPEN_E = 2,          /* PPME_SYSCALL_OPEN_E */
	VG_OPEN_X = 3,          /* PPME_SYSCALL_OPEN_X */
	VG_CLOSE_X = 5,         /* PPME_SYSCALL_CLOSE_X */
	VG_SOCKET_X = 19,       /* PPME_SOCKET_SOCKET_X */
	VG_BIND_X = 21,         /* PPME_SOCKET_BIND_X */
	VG_CONNECT_E = 22,      /* PPME_SOCKET_CONNECT_E */
	VG_CONNECT_X = 23,      /* PPME_SOCKET_CONNECT_X */
	VG_LISTEN_X = 25,       /* PPME_SOCKET_LISTEN_X */
	VG_SENDTO_X = 31,       /* PPME_SOCKET_SENDTO_X */
	VG_RECVFROM_X = 35,     /* PPME_SOCKET_RECVFROM_X */
	VG_CREAT_E = 58,        /* PPME_SYSCALL_CREAT_E */
	VG_CREAT_X = 59,        /* PPME_SYSCALL_CREAT_X */
	VG_PIPE_X = 61,         /* PPME_SYSCALL_PIPE_X */
	VG_CHDIR_X = 95,        /* PPME_SYSCALL_CHDIR_X */
	VG_FCHDIR_X = 97,       /* PPME_SYSCALL_FCHDIR_X */
	VG_KILL_X = 129,        /* PPME_SYSCALL_KILL_X */
	VG_TKILL_X = 131,       /* PPME_SYSCALL_TKILL_X */
	VG_TGKILL_X = 133,      /* PPME_SYSCALL_TGKILL_X */
	VG_PTRACE_X = 169,      /* PPME_SYSCALL_PTRACE_X */
	VG_RENAME_X = 175,      /* PPME_SYSCALL_RENAME_X */
	VG_RENAMEAT_X = 177,    /* PPME_SYSCALL_RENAMEAT_X */
	VG_SYMLINK_X = 179,     /* PPME_SYSCALL_SYMLINK_X */
	VG_SYMLINKAT_X = 181,   /* PPME_SYSCALL_SYMLINKAT_X */
	VG_PROCEXIT_E = 186,    /* PPME_PROCEXIT_1_E */
	VG_SETRESUID_X = 193,   /* PPME_SYSCALL_SETRESUID_X */
	VG_SETRESGID_X = 195,   /* PPME_SYSCALL_SETRESGID_X */
	VG_SETUID_X = 199,      /* PPME_SYSCALL_SETUID_X */
	VG_SETGID_X = 201,      /* PPME_SYSCALL_SETGID_X */
	VG_CLONE_X = 223,       /* PPME_SYSCALL_CLONE_20_X */
	VG_FORK_X = 225,        /* PPME_SYSCALL_FORK_20_X */
	VG_VFORK_X = 227,       /* PPME_SYSCALL_VFORK_20_X */
	VG_SETNS_X = 241,       /* PPME_SYSCALL_SETNS_X */
	VG_ACCEPT_X = 247,      /* PPME_SOCKET_ACCEPT_5_X */
	VG_MOUNT_X = 257,       /* PPME_SYSCALL_MOUNT_X */
	VG_MKDIR_X = 277,       /* PPME_SYSCALL_MKDIR_2_X */
	VG_RMDIR_X = 279,       /* PPME_SYSCALL_RMDIR_2_X */
	VG_UNSHARE_X = 285,     /* PPME_SYSCALL_UNSHARE_X */
	VG_EXECVE_X = 293,      /* PPME_SYSCALL_EXECVE_19_X */
	VG_UNLINK_X = 301,      /* PPME_SYSCALL_UNLINK_2_X */
	VG_UNLINKAT_X = 303,    /* PPME_SYSCALL_UNLINKAT_2_X */
	VG_MKDIRAT_X = 305,     /* PPME_SYSCALL_MKDIRAT_X */
	VG_OPENAT_E = 306,      /* PPME_SYSCALL_OPENAT_2_E */
	VG_OPENAT_X = 307,      /* PPME_SYSCALL_OPENAT_2_X */
	VG_LINK_X = 309,        /* PPME_SYSCALL_LINK_2_X */
	VG_LINKAT_X = 311,      /* PPME_SYSCALL_LINKAT_2_X */
	VG_FCHMODAT_X = 313,    /* PPME_SYSCALL_FCHMODAT_X */
	VG_CHMOD_X = 315,       /* PPME_SYSCALL_CHMOD_X */
	VG_FCHMOD_X = 317,      /* PPME_SYSCALL_FCHMOD_X */
	VG_RENAMEAT2_X = 319,   /* PPME_SYSCALL_RENAMEAT2_X */
	VG_OPENAT2_E = 326,     /* PPME_SYSCALL_OPENAT2_E */
	VG_OPENAT2_X = 327,     /* PPME_SYSCALL_OPENAT2_X */
	VG_EXECVEAT_X = 331,    /* PPME_SYSCALL_EXECVEAT_X */
	VG_CLONE3_X = 335,      /* PPME_SYSCALL_CLONE3_X */
	VG_CAPSET_X = 353,      /* PPME_SYSCALL_CAPSET_X */
	VG_DUP2_X = 363,        /* PPME_SYSCALL_DUP2_X */
	VG_DUP3_X = 365,        /* PPME_SYSCALL_DUP3_X */
	VG_DUP_X = 367,         /* PPME_SYSCALL_DUP_1_X */
	VG_BPF_X = 369,         /* PPME_SYSCALL_BPF_2_X */
	VG_CHOWN_X = 379,       /* PPME_SYSCALL_CHOWN_X */
	VG_LCHOWN_X = 381,      /* PPME_SYSCALL_LCHOWN_X */
	VG_FCHOWN_X = 383,      /* PPME_SYSCALL_FCHOWN_X */
	VG_FCHOWNAT_X = 385,    /* PPME_SYSCALL_FCHOWNAT_X */
	VG_ACCEPT4_X = 389,     /* PPME_SOCKET_ACCEPT4_6_X */
	VG_UMOUNT2_X = 391,     /* PPME_SYSCALL_UMOUNT2_X */
	VG_PIPE2_X = 393,       /* PPME_SYSCALL_PIPE2_X */
	VG_PRCTL_X = 401,       /* PPME_SYSCALL_PRCTL_X */
	VG_MEMFD_CREATE_X = 405,/* PPME_SYSCALL_MEMFD_CREATE_X */
	VG_INIT_MODULE_X = 411, /* PPME_SYSCALL_INIT_MODULE_X */
	VG_FINIT_MODULE_X = 413,/* PPME_SYSCALL_FINIT_MODULE_X */
};

/* Drop accounting categories: one {seen, dropped} pair per category, per CPU. */
enum vg_category {
	VG_CAT_PROCESS = 0, /* exec, clone family, exit, ids, caps, ptrace, namespaces */
	VG_CAT_FILE = 1,    /* open family, paths, modes, owners, mounts */
	VG_CAT_NET = 2,     /* sockets */
	VG_CAT_OTHER = 3,   /* fds (close, dup, pipe), signals, modules, bpf, memfd */
	VG_CAT_COUNT = 4,
};

struct vg_counters {
	unsigned long long seen;      /* events the probe tried to send */
	unsigned long long dropped;   /* of those, lost because the ring buffer was full */
	unsigned long long truncated; /* parameters cut at their bound, in the events seen */
	unsigned long long ia32_unhandled; /* ia32 syscalls of this category the probe does not decode (syscall_ia32.h) */
};

/* bytes of the cut mask after a truncated event in its ring record */
#define VG_CUT_MASK_LEN 4

/* The enabled-syscall map is indexed by x86_64 syscall number; process exit
 * (sched_process_exit) has a slot of its own past the syscall range. */
#define VG_SYSCALL_SLOTS 512
#define VG_SLOT_PROCEXIT 511

/* Largest snaplen for data buffers (argv, env, sendto data, ...). */
#define VG_MAX_SNAPLEN 4096

/* The syscalls with enter events (the TOCTOU-prone ones above), the one list
 * the probe's programs, its enter specs (syscall_specs.h) and the addon's
 * attach code are generated from. Each X(name, nr, nargs): the kernel's name
 * (fentry target __x64_sys_<name>, tracepoint syscalls/sys_enter_<name>), the
 * x86_64 number, and how many arguments its enter tracepoint record holds. */
#define VG_ENTER_SYSCALLS(X) \
	X(open, 2, 3)       /* filename, flags, mode */ \
	X(openat, 257, 4)   /* dfd, filename, flags, mode */ \
	X(openat2, 437, 4)  /* dfd, filename, how, usize */ \
	X(creat, 85, 2)     /* pathname, mode */ \
	X(connect, 42, 3)   /* fd, uservaddr, addrlen */

/* index of each in that list: VG_ENTER_open ... VG_ENTER_COUNT */
enum vg_enter_index {
#define VG_ENTER_ENUM(name, nr, nargs) VG_ENTER_##name,
	VG_ENTER_SYSCALLS(VG_ENTER_ENUM)
#undef VG_ENTER_ENUM
	VG_ENTER_COUNT
};

#endif
