/* Which syscalls the probe reports and how each parameter is filled.
 *
 * Most syscalls are reported by one generic filler: the spec below lists, in
 * the order of Falco's event table, what each parameter is (the return value,
 * an argument of some width, a user string, a socket tuple ...). execve,
 * execveat and the clone family need the task's state and have fillers of
 * their own in vigil.bpf.c; their specs only name the event and category.
 *
 * Indexed by x86_64 syscall number (asm/unistd_64.h).
 */
#ifndef VIGIL_SYSCALL_SPECS_H
#define VIGIL_SYSCALL_SPECS_H

#include "vigil_events.h"

/* parameter kinds; `a` and `b` select syscall arguments (0-5) */
enum vg_pk {
	PK_NONE = 0,
	PK_RET,          /* return value, 8 bytes */
	PK_ARG64,        /* arg a, 8 bytes */
	PK_ARGS32,       /* arg a as int, sign-extended to 8 bytes (fds, pids) */
	PK_ARG32,        /* arg a, 4 bytes */
	PK_ARG16,        /* arg a, 2 bytes */
	PK_ARG8,         /* arg a, 1 byte */
	PK_PATH,         /* user string at arg a, up to PATH_MAX */
	PK_USTR,         /* user string at arg a, up to snaplen */
	PK_SOCKADDR,     /* user sockaddr at arg a */
	PK_TUPLE_OUT,    /* socket tuple of fd arg a, local -> remote */
	PK_TUPLE_IN,     /* socket tuple of fd arg a, remote -> local */
	PK_TUPLE_RET_IN, /* socket tuple of the returned fd, remote -> local */
	PK_DATA_RET,     /* user buffer at arg a, length = return value, capped by snaplen */
	PK_DATA_ARG,     /* user buffer at arg a, length = arg b, capped by snaplen */
	PK_OPEN_FLAGS,   /* open flags in arg a, as PPM_O_* (4 bytes) */
	PK_CLONE_FLAGS,  /* clone flags in arg a, as PPM_CL_* (4 bytes) */
	PK_RET_DEV,      /* device of the file the returned fd refers to (4 bytes) */
	PK_RET_INO,      /* inode of the file the returned fd refers to (8 bytes) */
	PK_HOW_FLAGS,    /* openat2: open_how.flags at arg a, as PPM_O_* */
	PK_HOW_MODE,     /* openat2: open_how.mode (4 bytes) */
	PK_HOW_RESOLVE,  /* openat2: open_how.resolve (4 bytes) */
	PK_PIPE_FD0,     /* pipe: first int of the array at arg a, 8 bytes */
	PK_PIPE_FD1,     /* pipe: second int */
	PK_PIPE_INO,     /* pipe: inode of the first fd */
	PK_QUEUE_PCT,    /* accept: listen queue fill of fd arg a, percent (1 byte) */
	PK_QUEUE_LEN,    /* accept: listen queue length (4 bytes) */
	PK_QUEUE_MAX,    /* accept: listen queue maximum (4 bytes) */
	PK_PTRACE_DYN,   /* ptrace addr/data: PT_DYN, index byte 0 then arg a as 8 bytes */
	PK_PTRACE_REQ,   /* ptrace request as PPM_PTRACE_* (2 bytes) */
	PK_EMPTY,        /* no value (zero length) */
	PK_PRCTL_STR,    /* prctl arg2 as a user string for PR_SET_NAME, else empty */
	PK_PRCTL_INT,    /* prctl arg2 as an integer unless PR_SET_NAME/PR_GET_NAME */
	PK_CAP_INH,      /* capset: the caller's capabilities after the call (8 bytes) */
	PK_CAP_PERM,
	PK_CAP_EFF,
	/* flags and modes converted as libs converts them (ppm_flag_helpers.h) */
	PK_MODE,          /* permission bits of arg a (PPM_S_* equal Linux's: masked) */
	PK_MODE_IF_CREAT, /* open mode: arg a's permission bits when flags arg b has O_CREAT or O_TMPFILE, else 0 */
	PK_MASK,          /* arg a keeping the bits libs maps (PPM_* equal Linux's there); b selects a VG_MASK_* */
	PK_MOUNT_FLAGS,   /* mount flags without the obsolete MS_MGC_VAL magic */
	PK_SOCK_FLAGS,    /* SOCK_NONBLOCK/SOCK_CLOEXEC in arg a as PPM_O_NONBLOCK/PPM_O_CLOEXEC */
	PK_DUP3_FLAGS,    /* O_CLOEXEC in arg a as PPM_O_CLOEXEC */
	PK_PIPE2_FLAGS,   /* O_CLOEXEC, O_DIRECT, O_NONBLOCK in arg a as PPM_O_* */
	/* what only the exit knows of the file the returned fd refers to */
	PK_RET_OPEN_FLAGS, /* PK_OPEN_FLAGS, plus PPM_O_F_CREATED and PPM_FD_UPPER/LOWER_LAYER */
	PK_RET_HOW_FLAGS,  /* PK_HOW_FLAGS, plus the same */
	PK_RET_CREAT_FLAGS, /* creat: PPM_FD_UPPER/LOWER_LAYER_CREAT (2 bytes) */
};

/* PK_MASK: which bits each flag argument keeps */
enum vg_mask {
	VG_MASK_UNLINKAT = 0, /* AT_REMOVEDIR */
	VG_MASK_AT_LINK,      /* linkat, fchownat: AT_SYMLINK_FOLLOW, AT_EMPTY_PATH */
	VG_MASK_MEMFD,        /* MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_HUGETLB */
	VG_MASK_UMOUNT,       /* MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW */
	VG_MASK_FINIT,        /* MODULE_INIT_IGNORE_MODVERSIONS, _IGNORE_VERMAGIC, _COMPRESSED_FILE */
};

struct vg_pspec {
	unsigned char kind;
	unsigned char a;
	unsigned char b;
};

#define VG_SPEC_PARAMS 8
/* fillers with their own code in vigil.bpf.c */
#define VG_SPEC_EXEC 1
#define VG_SPEC_CLONE 2

struct vg_spec {
	unsigned short event; /* 0: not reported */
	unsigned char category;
	unsigned char special;
	unsigned char nparams;
	struct vg_pspec p[VG_SPEC_PARAMS];
};

#define P(k, x, y) {PK_##k, x, y}
#define S(nr, ev, cat, n, ...) [nr] = {ev, cat, 0, n, {__VA_ARGS__}}
#define SX(nr, ev, cat, special) [nr] = {ev, cat, special, 0, {}}

static const struct vg_spec vg_specs[VG_SYSCALL_SLOTS] = {
	/* files */
	S(2, VG_OPEN_X, VG_CAT_FILE, 6, P(RET, 0, 0), P(PATH, 0, 0), P(RET_OPEN_FLAGS, 1, 0), P(MODE_IF_CREAT, 2, 1), P(RET_DEV, 0, 0), P(RET_INO, 0, 0)),
	S(257, VG_OPENAT_X, VG_CAT_FILE, 7, P(RET, 0, 0), P(ARGS32, 0, 0), P(PATH, 1, 0), P(RET_OPEN_FLAGS, 2, 0), P(MODE_IF_CREAT, 3, 2), P(RET_DEV, 0, 0), P(RET_INO, 0, 0)),
	S(437, VG_OPENAT2_X, VG_CAT_FILE, 8, P(RET, 0, 0), P(ARGS32, 0, 0), P(PATH, 1, 0), P(RET_HOW_FLAGS, 2, 0), P(HOW_MODE, 2, 0), P(HOW_RESOLVE, 2, 0), P(RET_DEV, 0, 0), P(RET_INO, 0, 0)),
	S(85, VG_CREAT_X, VG_CAT_FILE, 6, P(RET, 0, 0), P(PATH, 0, 0), P(MODE, 1, 0), P(RET_DEV, 0, 0), P(RET_INO, 0, 0), P(RET_CREAT_FLAGS, 0, 0)),
	S(87, VG_UNLINK_X, VG_CAT_FILE, 2, P(RET, 0, 0), P(PATH, 0, 0)),
	S(263, VG_UNLINKAT_X, VG_CAT_FILE, 4, P(RET, 0, 0), P(ARGS32, 0, 0), P(PATH, 1, 0), P(MASK, 2, VG_MASK_UNLINKAT)),
	S(82, VG_RENAME_X, VG_CAT_FILE, 3, P(RET, 0, 0), P(PATH, 0, 0), P(PATH, 1, 0)),
	S(264, VG_RENAMEAT_X, VG_CAT_FILE, 5, P(RET, 0, 0), P(ARGS32, 0, 0), P(PATH, 1, 0), P(ARGS32, 2, 0), P(PATH, 3, 0)),
	S(316, VG_RENAMEAT2_X, VG_CAT_FILE, 6, P(RET, 0, 0), P(ARGS32, 0, 0), P(PATH, 1, 0), P(ARGS32, 2, 0), P(PATH, 3, 0), P(ARG32, 4, 0)),
	S(83, VG_MKDIR_X, VG_CAT_FILE, 3, P(RET, 0, 0), P(PATH, 0, 0), P(ARG32, 1, 0)),
	S(258, VG_MKDIRAT_X, VG_CAT_FILE, 4, P(RET, 0, 0), P(ARGS32, 0, 0), P(PATH, 1, 0), P(ARG32, 2, 0)),
	S(84, VG_RMDIR_X, VG_CAT_FILE, 2, P(RET, 0, 0), P(PATH, 0, 0)),
	S(88, VG_SYMLINK_X, VG_CAT_FILE, 3, P(RET, 0, 0), P(PATH, 0, 0), P(PATH, 1, 0)),
	S(266, VG_SYMLINKAT_X, VG_CAT_FILE, 4, P(RET, 0, 0), P(PATH, 0, 0), P(ARGS32, 1, 0), P(PATH, 2, 0)),
	S(86, VG_LINK_X, VG_CAT_FILE, 3, P(RET, 0, 0), P(PATH, 0, 0), P(PATH, 1, 0)),
	S(265, VG_LINKAT_X, VG_CAT_FILE, 6, P(RET, 0, 0), P(ARGS32, 0, 0), P(PATH, 1, 0), P(ARGS32, 2, 0), P(PATH, 3, 0), P(MASK, 4, VG_MASK_AT_LINK)),
	S(90, VG_CHMOD_X, VG_CAT_FILE, 3, P(RET, 0, 0), P(PATH, 0, 0), P(MODE, 1, 0)),
	S(91, VG_FCHMOD_X, VG_CAT_FILE, 3, P(RET, 0, 0), P(ARGS32, 0, 0), P(MODE, 1, 0)),
	S(268, VG_FCHMODAT_X, VG_CAT_FILE, 4, P(RET, 0, 0), P(ARGS32, 0, 0), P(PATH, 1, 0), P(MODE, 2, 0)),
	S(92, VG_CHOWN_X, VG_CAT_FILE, 4, P(RET, 0, 0), P(PATH, 0, 0), P(ARG32, 1, 0), P(ARG32, 2, 0)),
	S(94, VG_LCHOWN_X, VG_CAT_FILE, 4, P(RET, 0, 0), P(PATH, 0, 0), P(ARG32, 1, 0), P(ARG32, 2, 0)),
	S(93, VG_FCHOWN_X, VG_CAT_FILE, 4, P(RET, 0, 0), P(ARGS32, 0, 0), P(ARG32, 1, 0), P(ARG32, 2, 0)),
	S(260, VG_FCHOWNAT_X, VG_CAT_FILE, 6, P(RET, 0, 0), P(ARGS32, 0, 0), P(PATH, 1, 0), P(ARG32, 2, 0), P(ARG32, 3, 0), P(MASK, 4, VG_MASK_AT_LINK)),
	S(165, VG_MOUNT_X, VG_CAT_FILE, 5, P(RET, 0, 0), P(PATH, 0, 0), P(PATH, 1, 0), P(PATH, 2, 0), P(MOUNT_FLAGS, 3, 0)),
	S(166, VG_UMOUNT2_X, VG_CAT_FILE, 3, P(RET, 0, 0), P(PATH, 0, 0), P(MASK, 1, VG_MASK_UMOUNT)),
	S(80, VG_CHDIR_X, VG_CAT_FILE, 2, P(RET, 0, 0), P(PATH, 0, 0)),
	S(81, VG_FCHDIR_X, VG_CAT_FILE, 2, P(RET, 0, 0), P(ARGS32, 0, 0)),
	/* fds */
	S(3, VG_CLOSE_X, VG_CAT_OTHER, 2, P(RET, 0, 0), P(ARGS32, 0, 0)),
	S(32, VG_DUP_X, VG_CAT_OTHER, 2, P(RET, 0, 0), P(ARGS32, 0, 0)),
	S(33, VG_DUP2_X, VG_CAT_OTHER, 3, P(RET, 0, 0), P(ARGS32, 0, 0), P(ARGS32, 1, 0)),
	S(292, VG_DUP3_X, VG_CAT_OTHER, 4, P(RET, 0, 0), P(ARGS32, 0, 0), P(ARGS32, 1, 0), P(DUP3_FLAGS, 2, 0)),
	S(22, VG_PIPE_X, VG_CAT_OTHER, 4, P(RET, 0, 0), P(PIPE_FD0, 0, 0), P(PIPE_FD1, 0, 0), P(PIPE_INO, 0, 0)),
	S(293, VG_PIPE2_X, VG_CAT_OTHER, 5, P(RET, 0, 0), P(PIPE_FD0, 0, 0), P(PIPE_FD1, 0, 0), P(PIPE_INO, 0, 0), P(PIPE2_FLAGS, 1, 0)),
	S(319, VG_MEMFD_CREATE_X, VG_CAT_OTHER, 3, P(RET, 0, 0), P(USTR, 0, 0), P(MASK, 1, VG_MASK_MEMFD)),
	/* network */
	S(41, VG_SOCKET_X, VG_CAT_NET, 5, P(RET, 0, 0), P(ARG32, 0, 0), P(ARG32, 1, 0), P(ARG32, 2, 0), P(SOCK_FLAGS, 1, 0)),
	S(42, VG_CONNECT_X, VG_CAT_NET, 4, P(RET, 0, 0), P(TUPLE_OUT, 0, 0), P(ARGS32, 0, 0), P(SOCKADDR, 1, 0)),
	S(49, VG_BIND_X, VG_CAT_NET, 3, P(RET, 0, 0), P(SOCKADDR, 1, 0), P(ARGS32, 0, 0)),
	S(50, VG_LISTEN_X, VG_CAT_NET, 3, P(RET, 0, 0), P(ARGS32, 0, 0), P(ARG32, 1, 0)),
	S(43, VG_ACCEPT_X, VG_CAT_NET, 5, P(RET, 0, 0), P(TUPLE_RET_IN, 0, 0), P(QUEUE_PCT, 0, 0), P(QUEUE_LEN, 0, 0), P(QUEUE_MAX, 0, 0)),
	S(288, VG_ACCEPT4_X, VG_CAT_NET, 6, P(RET, 0, 0), P(TUPLE_RET_IN, 0, 0), P(QUEUE_PCT, 0, 0), P(QUEUE_LEN, 0, 0), P(QUEUE_MAX, 0, 0), P(SOCK_FLAGS, 3, 0)),
	S(44, VG_SENDTO_X, VG_CAT_NET, 5, P(RET, 0, 0), P(DATA_ARG, 1, 2), P(ARGS32, 0, 0), P(ARG32, 2, 0), P(TUPLE_OUT, 0, 0)),
	S(45, VG_RECVFROM_X, VG_CAT_NET, 5, P(RET, 0, 0), P(DATA_RET, 1, 0), P(TUPLE_IN, 0, 0), P(ARGS32, 0, 0), P(ARG32, 2, 0)),
	/* processes, users, privileges */
	SX(59, VG_EXECVE_X, VG_CAT_PROCESS, VG_SPEC_EXEC),
	SX(322, VG_EXECVEAT_X, VG_CAT_PROCESS, VG_SPEC_EXEC),
	SX(56, VG_CLONE_X, VG_CAT_PROCESS, VG_SPEC_CLONE),
	SX(57, VG_FORK_X, VG_CAT_PROCESS, VG_SPEC_CLONE),
	SX(58, VG_VFORK_X, VG_CAT_PROCESS, VG_SPEC_CLONE),
	SX(435, VG_CLONE3_X, VG_CAT_PROCESS, VG_SPEC_CLONE),
	S(105, VG_SETUID_X, VG_CAT_PROCESS, 2, P(RET, 0, 0), P(ARG32, 0, 0)),
	S(106, VG_SETGID_X, VG_CAT_PROCESS, 2, P(RET, 0, 0), P(ARG32, 0, 0)),
	S(117, VG_SETRESUID_X, VG_CAT_PROCESS, 4, P(RET, 0, 0), P(ARG32, 0, 0), P(ARG32, 1, 0), P(ARG32, 2, 0)),
	S(119, VG_SETRESGID_X, VG_CAT_PROCESS, 4, P(RET, 0, 0), P(ARG32, 0, 0), P(ARG32, 1, 0), P(ARG32, 2, 0)),
	S(126, VG_CAPSET_X, VG_CAT_PROCESS, 4, P(RET, 0, 0), P(CAP_INH, 0, 0), P(CAP_PERM, 0, 0), P(CAP_EFF, 0, 0)),
	S(101, VG_PTRACE_X, VG_CAT_PROCESS, 5, P(RET, 0, 0), P(PTRACE_DYN, 2, 0), P(PTRACE_DYN, 3, 0), P(PTRACE_REQ, 0, 0), P(ARGS32, 1, 0)),
	S(308, VG_SETNS_X, VG_CAT_PROCESS, 3, P(RET, 0, 0), P(ARGS32, 0, 0), P(CLONE_FLAGS, 1, 0)),
	S(272, VG_UNSHARE_X, VG_CAT_PROCESS, 2, P(RET, 0, 0), P(CLONE_FLAGS, 0, 0)),
	S(157, VG_PRCTL_X, VG_CAT_PROCESS, 4, P(RET, 0, 0), P(ARG32, 0, 0), P(PRCTL_STR, 1, 0), P(PRCTL_INT, 1, 0)),
	/* signals, modules, bpf */
	S(62, VG_KILL_X, VG_CAT_OTHER, 3, P(RET, 0, 0), P(ARGS32, 0, 0), P(ARG8, 1, 0)),
	S(200, VG_TKILL_X, VG_CAT_OTHER, 3, P(RET, 0, 0), P(ARGS32, 0, 0), P(ARG8, 1, 0)),
	S(234, VG_TGKILL_X, VG_CAT_OTHER, 4, P(RET, 0, 0), P(ARGS32, 0, 0), P(ARGS32, 1, 0), P(ARG8, 2, 0)),
	S(175, VG_INIT_MODULE_X, VG_CAT_OTHER, 4, P(RET, 0, 0), P(DATA_ARG, 0, 1), P(ARG64, 1, 0), P(USTR, 2, 0)),
	S(313, VG_FINIT_MODULE_X, VG_CAT_OTHER, 4, P(RET, 0, 0), P(ARGS32, 0, 0), P(USTR, 1, 0), P(MASK, 2, VG_MASK_FINIT)),
	S(321, VG_BPF_X, VG_CAT_OTHER, 2, P(RET, 0, 0), P(ARG32, 0, 0)),
};

/* Enter events of the TOCTOU-prone syscalls (vigil_events.h), read at
 * sys_enter before another thread can rewrite the arguments' user memory;
 * libs' *_E parameter lists. */
#define E(name, ev, cat, n, ...) [VG_ENTER_##name] = {ev, cat, 0, n, {__VA_ARGS__}}
/* indexed as VG_ENTER_SYSCALLS lists them (vigil_events.h) */
static const struct vg_spec vg_enter_specs[VG_ENTER_COUNT] = {
	E(open, VG_OPEN_E, VG_CAT_FILE, 3, P(PATH, 0, 0), P(OPEN_FLAGS, 1, 0), P(MODE_IF_CREAT, 2, 1)),
	E(openat, VG_OPENAT_E, VG_CAT_FILE, 4, P(ARGS32, 0, 0), P(PATH, 1, 0), P(OPEN_FLAGS, 2, 0), P(MODE_IF_CREAT, 3, 2)),
	E(openat2, VG_OPENAT2_E, VG_CAT_FILE, 5, P(ARGS32, 0, 0), P(PATH, 1, 0), P(HOW_FLAGS, 2, 0), P(HOW_MODE, 2, 0), P(HOW_RESOLVE, 2, 0)),
	E(creat, VG_CREAT_E, VG_CAT_FILE, 2, P(PATH, 0, 0), P(MODE, 1, 0)),
	E(connect, VG_CONNECT_E, VG_CAT_NET, 2, P(ARGS32, 0, 0), P(SOCKADDR, 1, 0)),
};

#undef E
#undef P
#undef S
#undef SX

#endif
