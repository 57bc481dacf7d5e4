/* ia32 (compat) syscalls on x86_64: a 32-bit binary, or `int $0x80` from
 * 64-bit code, numbers its syscalls from the ia32 table
 * (arch/x86/entry/syscalls/syscall_32.tbl) and passes the arguments in
 * bx, cx, dx, si, di, bp. Read as x86_64 numbers they would name other
 * syscalls (ia32 5 is open, x86_64 5 is fstat), so the probe maps each
 * ia32 number it can decode to the x86_64 number of the same syscall and
 * then uses that syscall's spec.
 *
 * Only syscalls whose arguments are plain ints and pointers to layouts that
 * do not change with the pointer width are mapped. The rest that matter to
 * the probe are marked unhandled (VG_IA32_UNHANDLED | category) and only
 * counted (vg_counters.ia32_unhandled), never decoded:
 *   - socketcall (102): one multiplexed entry for every socket call
 *   - fork, vfork, clone, clone3, execveat: their fillers read the x86_64
 *     registers directly; the child and successful execs still arrive from
 *     the sched hooks
 *   - the 16-bit uid/gid calls (setuid, setgid, setresuid, setresgid,
 *     chown, lchown, fchown): their -1 is 0xffff, not the 32-bit -1
 * Every other ia32 number is 0: not captured, as its x86_64 namesakes are not.
 */
#ifndef VIGIL_SYSCALL_IA32_H
#define VIGIL_SYSCALL_IA32_H

#include "vigil_events.h"

/* TS_COMPAT in thread_info.status (arch/x86/include/asm/thread_info.h) */
#define VG_TS_COMPAT 0x0002
#define VG_IA32_UNHANDLED 0x8000
#define VG_IA32_SLOTS 512

#define M(ia32, x64) [ia32] = x64
#define U(ia32, cat) [ia32] = VG_IA32_UNHANDLED | cat
static const __u16 vg_ia32[VG_IA32_SLOTS] = {
	/* file */
	M(5, 2),     /* open */
	M(295, 257), /* openat */
	M(437, 437), /* openat2 (struct open_how has only u64 fields) */
	M(8, 85),    /* creat */
	M(10, 87),   /* unlink */
	M(301, 263), /* unlinkat */
	M(38, 82),   /* rename */
	M(302, 264), /* renameat */
	M(353, 316), /* renameat2 */
	M(39, 83),   /* mkdir */
	M(296, 258), /* mkdirat */
	M(40, 84),   /* rmdir */
	M(83, 88),   /* symlink */
	M(304, 266), /* symlinkat */
	M(9, 86),    /* link */
	M(303, 265), /* linkat */
	M(15, 90),   /* chmod */
	M(94, 91),   /* fchmod */
	M(306, 268), /* fchmodat */
	M(212, 92),  /* chown32 */
	M(198, 94),  /* lchown32 */
	M(207, 93),  /* fchown32 */
	M(298, 260), /* fchownat */
	M(21, 165),  /* mount */
	M(52, 166),  /* umount2 */
	M(12, 80),   /* chdir */
	M(133, 81),  /* fchdir */
	U(182, VG_CAT_FILE), /* chown (16-bit ids) */
	U(16, VG_CAT_FILE),  /* lchown (16-bit ids) */
	U(95, VG_CAT_FILE),  /* fchown (16-bit ids) */
	/* fds */
	M(6, 3),     /* close */
	M(41, 32),   /* dup */
	M(63, 33),   /* dup2 */
	M(330, 292), /* dup3 */
	M(42, 22),   /* pipe */
	M(331, 293), /* pipe2 */
	M(356, 319), /* memfd_create */
	/* network: the direct calls (Linux 4.3+); sockaddr has no pointers */
	M(359, 41),  /* socket */
	M(362, 42),  /* connect */
	M(361, 49),  /* bind */
	M(363, 50),  /* listen */
	M(364, 288), /* accept4 */
	M(369, 44),  /* sendto */
	M(371, 45),  /* recvfrom */
	U(102, VG_CAT_NET), /* socketcall */
	/* process */
	M(11, 59),   /* execve (failures here; successes from sched_process_exec) */
	M(213, 105), /* setuid32 */
	M(214, 106), /* setgid32 */
	M(208, 117), /* setresuid32 */
	M(210, 119), /* setresgid32 */
	M(185, 126), /* capset (cap_user_*_struct: u32 fields) */
	M(26, 101),  /* ptrace */
	M(346, 308), /* setns */
	M(310, 272), /* unshare */
	M(172, 157), /* prctl */
	U(23, VG_CAT_PROCESS),  /* setuid (16-bit) */
	U(46, VG_CAT_PROCESS),  /* setgid (16-bit) */
	U(164, VG_CAT_PROCESS), /* setresuid (16-bit) */
	U(170, VG_CAT_PROCESS), /* setresgid (16-bit) */
	U(2, VG_CAT_PROCESS),   /* fork */
	U(190, VG_CAT_PROCESS), /* vfork */
	U(120, VG_CAT_PROCESS), /* clone */
	U(435, VG_CAT_PROCESS), /* clone3 */
	U(358, VG_CAT_PROCESS), /* execveat */
	/* other */
	M(37, 62),   /* kill */
	M(238, 200), /* tkill */
	M(270, 234), /* tgkill */
	M(128, 175), /* init_module */
	M(350, 313), /* finit_module */
	M(357, 321), /* bpf */
};
#undef M
#undef U

#endif
