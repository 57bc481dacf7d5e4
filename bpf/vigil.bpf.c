// SPDX-License-Identifier: GPL-2.0
/* Vigil's kernel probe: syscall exits, the enters of TOCTOU-prone syscalls,
 * process fork/exec/exit, written as scap
 * events (see vigil_events.h) into one ring buffer. Built CO-RE against the
 * running kernel's BTF; x86_64 only (syscall numbers and pt_regs). ia32
 * syscalls are mapped to their x86_64 numbers (syscall_ia32.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil_events.h"
#include "syscall_specs.h"
#include "syscall_ia32.h"

char LICENSE[] SEC("license") = "GPL";

/* tunables, set by the addon through the skeleton before load */
const volatile __u32 self_tgid = 0;      /* the agent's own process, never reported */
const volatile __u32 snaplen = 256;      /* bytes kept of argv, env and data buffers */
const volatile __u64 boot_epoch_ns = 0;  /* wall clock at boot, to turn boot time into epoch time */

/* the event sink; max_entries (bytes) is set before load */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

/* 1 = report this syscall number (and VG_SLOT_PROCEXIT for process exits) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VG_SYSCALL_SLOTS);
	__type(key, __u32);
	__type(value, __u8);
} enabled SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VG_CAT_COUNT);
	__type(key, __u32);
	__type(value, struct vg_counters);
} stats SEC(".maps");

/* Events are built in a per-CPU scratch buffer, then copied into the ring: the
 * size is only known at the end. Writes land at `off & VG_OFF_MASK` and are at
 * most VG_MAX_WRITE long, which is what lets the verifier prove them in bounds. */
#define VG_BUF_SIZE (64 * 1024)
#define VG_OFF_MASK (32 * 1024 - 1)
#define VG_MAX_WRITE 4096
struct vg_buf {
	__u32 off;  /* where the next parameter's data goes */
	__u32 n;    /* parameters written so far */
	__u32 np;   /* parameters the event has (where data starts) */
	__u32 file_done; /* 1 once file_dev/file_ino hold the returned fd's file */
	__u32 cut;       /* bit i: parameter i was cut at its bound; cleared by buf__submit */
	__u64 args[8];   /* the syscall's 6 arguments, read once per event (8: index with a mask) */
	__u64 file_dev;
	__u64 file_ino;
	__u32 file_flags; /* PPM_O_F_CREATED, PPM_FD_UPPER/LOWER_LAYER of that file */
	__u8 data[VG_BUF_SIZE];
};

/* one per CPU; a plain array because per-CPU values are limited to 32 KiB */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* set to the number of possible CPUs before load */
	__type(key, __u32);
	__type(value, struct vg_buf);
} scratch SEC(".maps");

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10

/* ---- building an event ---- */

static __always_inline struct vg_buf *buf__start(__u16 type, __u32 np, __u64 tid)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct vg_buf *b = bpf_map_lookup_elem(&scratch, &cpu);
	if (!b)
		return NULL;
	if (np > VG_MAX_PARAMS)
		np = VG_MAX_PARAMS;
	*(__u64 *)&b->data[0] = bpf_ktime_get_boot_ns() + boot_epoch_ns;
	*(__u64 *)&b->data[8] = tid;
	*(__u16 *)&b->data[20] = type;
	*(__u32 *)&b->data[22] = np;
	b->np = np;
	b->n = 0;
	b->file_done = 0;
	b->off = VG_HEADER_LEN + 2 * np;
	return b;
}

/* record the length of the parameter just written */
static __always_inline void buf__param(struct vg_buf *b, __u32 len)
{
	__u32 i = b->n;
	if (i >= VG_MAX_PARAMS)
		return;
	/* keep clang from reusing the unchecked copy of i */
	barrier_var(i);
	*(__u16 *)&b->data[VG_HEADER_LEN + 2 * (i & (VG_MAX_PARAMS - 1))] = len;
	b->n = i + 1;
	b->off += len;
}

static __always_inline void *buf__at(struct vg_buf *b)
{
	return &b->data[b->off & VG_OFF_MASK];
}

/* mark the parameter about to be recorded as cut at its bound */
static __always_inline void buf__cut(struct vg_buf *b)
{
	b->cut |= 1u << (b->n & (VG_MAX_PARAMS - 1));
}

/* A string read with bpf_probe_read_*_str returns max both when it was cut
 * and when its NUL fell on the last byte; the source byte there tells which.
 * Called only when n == max, so uncut strings cost nothing more. */
static __always_inline int user_str_cut(const void *p, __u32 max)
{
	char c = 0;
	return bpf_probe_read_user(&c, 1, (const char *)p + max - 1) == 0 && c != 0;
}

static __always_inline int kernel_str_cut(const void *p, __u32 max)
{
	char c = 0;
	return bpf_probe_read_kernel(&c, 1, (const char *)p + max - 1) == 0 && c != 0;
}

static __always_inline void push_u64(struct vg_buf *b, __u64 v) { *(__u64 *)buf__at(b) = v; buf__param(b, 8); }
static __always_inline void push_u32(struct vg_buf *b, __u32 v) { *(__u32 *)buf__at(b) = v; buf__param(b, 4); }
static __always_inline void push_u16(struct vg_buf *b, __u16 v) { *(__u16 *)buf__at(b) = v; buf__param(b, 2); }
static __always_inline void push_u8(struct vg_buf *b, __u8 v) { *(__u8 *)buf__at(b) = v; buf__param(b, 1); }
static __always_inline void push_empty(struct vg_buf *b) { buf__param(b, 0); }

static __always_inline __u32 clamp_len(__u64 len, __u32 max)
{
	if (max > VG_MAX_WRITE)
		max = VG_MAX_WRITE;
	return len > max ? max : (__u32)len;
}

/* NUL-terminated user string; an unreadable pointer gives an empty param */
static __noinline void push_user_str(struct vg_buf *b, const void *p, __u32 max)
{
	long n = 0;
	max = clamp_len(max, VG_MAX_WRITE);
	if (p && max > 0)
		n = bpf_probe_read_user_str(buf__at(b), max, p);
	if (n == max && user_str_cut(p, max))
		buf__cut(b);
	buf__param(b, n > 0 ? n : 0);
}

static __noinline void push_kernel_str(struct vg_buf *b, const void *p, __u32 max)
{
	long n = 0;
	max = clamp_len(max, VG_MAX_WRITE);
	if (p && max > 0)
		n = bpf_probe_read_kernel_str(buf__at(b), max, p);
	if (n == max && kernel_str_cut(p, max))
		buf__cut(b);
	buf__param(b, n > 0 ? n : 0);
}

/* raw user bytes, at most snaplen of them */
static __noinline void push_user_data(struct vg_buf *b, const void *p, __u64 len)
{
	__u32 n = clamp_len(len, snaplen);
	if (!p || n == 0 || bpf_probe_read_user(buf__at(b), n, p) != 0)
		n = 0;
	else if (n < len)
		buf__cut(b);
	buf__param(b, n);
}

/* copy the finished event into the ring, counting it; a cut event's record
 * carries its cut mask after the event (vigil_events.h), an uncut one is the
 * event alone, so the common case costs one load and a branch more */
static __always_inline void buf__submit(struct vg_buf *b, __u32 cat)
{
	__u32 len = b->off, cut = b->cut, size = len;
	struct vg_counters *c = bpf_map_lookup_elem(&stats, &cat);
	if (c)
		c->seen++;
	if (cut) {
		b->cut = 0;
		if (c)
			c->truncated += __builtin_popcount(cut);
	}
	if (len > VG_BUF_SIZE - VG_CUT_MASK_LEN)
		return;
	*(__u32 *)&b->data[16] = len;
	if (cut) {
		*(__u32 *)&b->data[len] = cut;
		size = len + VG_CUT_MASK_LEN;
	}
	if (bpf_ringbuf_output(&events, b->data, size, 0) != 0 && c)
		c->dropped++;
}

/* ---- reading kernel state ---- */

static __always_inline __u32 encode_dev(__u32 dev)
{
	__u32 major = dev >> 20, minor = dev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* t comes from bpf_get_current_task_btf(): its fields are read with plain
 * loads (no helper call each), only the fd slot needs bpf_probe_read_kernel */
static __always_inline struct file *task_fd_file(struct task_struct *t, long fd)
{
	struct fdtable *fdt = t->files->fdt;
	struct file **fds = fdt->fd;
	unsigned int max = fdt->max_fds;
	struct file *f = NULL;
	if (fd < 0 || fd >= max)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

static __always_inline struct sock *task_fd_sock(struct task_struct *t, long fd)
{
	struct file *f = task_fd_file(t, fd);
	struct socket *s;
	if (!f)
		return NULL;
	s = BPF_CORE_READ(f, private_data);
	if (!s || BPF_CORE_READ(s, file) != f)
		return NULL;
	return BPF_CORE_READ(s, sk);
}

static __always_inline __u16 be16(__u16 v) { return __builtin_bswap16(v); }

/* scap socket tuple: family byte, then source and destination (ip, port),
 * ports in host order; unix: the two socket pointers and the path */
static __noinline void push_tuple(struct vg_buf *b, struct sock *sk, int inbound)
{
	__u8 *d = buf__at(b);
	__u16 fam;
	if (!sk) {
		push_empty(b);
		return;
	}
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (fam == AF_INET) {
		__u32 la = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 ra = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__u16 lp = BPF_CORE_READ(sk, __sk_common.skc_num);
		__u16 rp = be16(BPF_CORE_READ(sk, __sk_common.skc_dport));
		d[0] = AF_INET;
		*(__u32 *)&d[1] = inbound ? ra : la;
		*(__u16 *)&d[5] = inbound ? rp : lp;
		*(__u32 *)&d[7] = inbound ? la : ra;
		*(__u16 *)&d[11] = inbound ? lp : rp;
		buf__param(b, 13);
	} else if (fam == AF_INET6) {
		__u16 lp = BPF_CORE_READ(sk, __sk_common.skc_num);
		__u16 rp = be16(BPF_CORE_READ(sk, __sk_common.skc_dport));
		d[0] = AF_INET6;
		/* typed destinations: BPF_CORE_READ_INTO reads sizeof(*dst) bytes (one through a __u8 *) */
		BPF_CORE_READ_INTO((struct in6_addr *)&d[inbound ? 19 : 1], sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)&d[inbound ? 1 : 19], sk, __sk_common.skc_v6_daddr);
		*(__u16 *)&d[17] = inbound ? rp : lp;
		*(__u16 *)&d[35] = inbound ? lp : rp;
		buf__param(b, 37);
	} else if (fam == AF_UNIX) {
		struct unix_sock *us = (struct unix_sock *)sk;
		struct sock *peer = BPF_CORE_READ(us, peer);
		struct unix_address *addr = peer ? BPF_CORE_READ((struct unix_sock *)peer, addr) : NULL;
		long n = 0;
		if (!addr)
			addr = BPF_CORE_READ(us, addr);
		d[0] = AF_UNIX;
		*(__u64 *)&d[1] = inbound ? (__u64)peer : (__u64)sk;
		*(__u64 *)&d[9] = inbound ? (__u64)sk : (__u64)peer;
		if (addr)
			n = bpf_probe_read_kernel_str(&d[17], 108, &addr->name[0].sun_path);
		if (n == 108 && kernel_str_cut(&addr->name[0].sun_path, 108))
			buf__cut(b);
		if (n <= 0) {
			d[17] = 0;
			n = 1;
		}
		buf__param(b, 17 + n);
	} else {
		push_empty(b);
	}
}

/* scap sockaddr from user memory: family byte, then ip and port (host order) or unix path */
static __noinline void push_sockaddr(struct vg_buf *b, const void *uaddr)
{
	__u8 *d = buf__at(b);
	__u16 fam = 0;
	if (!uaddr || bpf_probe_read_user(&fam, 2, uaddr) != 0) {
		push_empty(b);
		return;
	}
	if (fam == AF_INET) {
		struct sockaddr_in sa = {};
		bpf_probe_read_user(&sa, sizeof(sa), uaddr);
		d[0] = AF_INET;
		*(__u32 *)&d[1] = sa.sin_addr.s_addr;
		*(__u16 *)&d[5] = be16(sa.sin_port);
		buf__param(b, 7);
	} else if (fam == AF_INET6) {
		struct sockaddr_in6 sa = {};
		bpf_probe_read_user(&sa, sizeof(sa), uaddr);
		d[0] = AF_INET6;
		__builtin_memcpy(&d[1], &sa.sin6_addr, 16);
		*(__u16 *)&d[17] = be16(sa.sin6_port);
		buf__param(b, 19);
	} else if (fam == AF_UNIX) {
		long n = bpf_probe_read_user_str(&d[1], 108, (const char *)uaddr + 2);
		if (n == 108 && user_str_cut((const char *)uaddr + 2, 108))
			buf__cut(b);
		d[0] = AF_UNIX;
		if (n <= 0) {
			d[1] = 0;
			n = 1;
		}
		buf__param(b, 1 + n);
	} else {
		push_empty(b);
	}
}

/* ---- overlayfs layers and the file behind a returned fd ---- */

#define VG_OVERLAYFS_MAGIC 0x794c7630
#define VG_LAYER_UPPER 1
#define VG_LAYER_LOWER 2
/* libs' PPM_O_F_CREATED, PPM_FD_UPPER_LAYER, PPM_FD_LOWER_LAYER (open flags),
 * PPM_FD_UPPER_LAYER_CREAT, PPM_FD_LOWER_LAYER_CREAT (creat's own flags) */
#define VG_O_F_CREATED (1 << 14)
#define VG_FD_UPPER_LAYER (1 << 15)
#define VG_FD_LOWER_LAYER (1 << 16)
#define VG_FD_UPPER_LAYER_CREAT (1 << 0)
#define VG_FD_LOWER_LAYER_CREAT (1 << 1)
/* include/linux/fs.h: the open created the file */
#define VG_FMODE_CREATED 0x100000

/* 0 when the inode is not on an overlay; else upper when the overlay inode
 * has an upper dentry with an inode (the file was written in the container),
 * lower when it comes only from an image layer */
static __always_inline __u32 overlay_layer(struct inode *ino)
{
	struct dentry *upper = NULL;
	if (BPF_CORE_READ(ino, i_sb, s_magic) != VG_OVERLAYFS_MAGIC)
		return 0;
	if (bpf_core_type_exists(struct ovl_inode))
		bpf_probe_read_kernel(&upper, sizeof(upper),
				      (char *)ino - bpf_core_field_offset(struct ovl_inode, vfs_inode) +
					      bpf_core_field_offset(struct ovl_inode, __upperdentry));
	else /* overlay as a module without BTF: the upper dentry follows the vfs inode */
		bpf_probe_read_kernel(&upper, sizeof(upper), (char *)ino + bpf_core_type_size(struct inode));
	return upper && BPF_CORE_READ(upper, d_inode) ? VG_LAYER_UPPER : VG_LAYER_LOWER;
}

/* dev, inode, created and overlay layer of the file `fd` refers to: one
 * lookup per event, whichever parameter asks first */
static __always_inline void ret_file(struct vg_buf *b, struct task_struct *t, long fd)
{
	struct file *f;
	struct inode *ino;
	__u32 layer;
	if (b->file_done)
		return;
	f = fd >= 0 ? task_fd_file(t, fd) : NULL;
	ino = f ? BPF_CORE_READ(f, f_inode) : NULL;
	b->file_dev = ino ? encode_dev(BPF_CORE_READ(ino, i_sb, s_dev)) : 0;
	b->file_ino = ino ? BPF_CORE_READ(ino, i_ino) : 0;
	b->file_flags = 0;
	if (ino) {
		if (BPF_CORE_READ(f, f_mode) & VG_FMODE_CREATED)
			b->file_flags |= VG_O_F_CREATED;
		layer = overlay_layer(ino);
		if (layer == VG_LAYER_UPPER)
			b->file_flags |= VG_FD_UPPER_LAYER;
		else if (layer == VG_LAYER_LOWER)
			b->file_flags |= VG_FD_LOWER_LAYER;
	}
	b->file_done = 1;
}

/* Linux open(2) flags -> Falco's PPM_O_* */
static __always_inline __u32 open_flags_to_ppm(__u32 f)
{
	__u32 r = 0;
	switch (f & 3) {
	case 0: r = 1 << 0; break;
	case 1: r = 1 << 1; break;
	default: r = 3; break;
	}
	if (f & 0100) r |= 1 << 2;        /* O_CREAT */
	if (f & 02000) r |= 1 << 3;       /* O_APPEND */
	if (f & 010000) r |= 1 << 4;      /* O_DSYNC */
	if (f & 0200) r |= 1 << 5;        /* O_EXCL */
	if (f & 04000) r |= 1 << 6;       /* O_NONBLOCK */
	if (f & 04000000) r |= 1 << 7;    /* __O_SYNC */
	if (f & 01000) r |= 1 << 8;       /* O_TRUNC */
	if (f & 040000) r |= 1 << 9;      /* O_DIRECT */
	if (f & 0200000) r |= 1 << 10;    /* O_DIRECTORY */
	if (f & 0100000) r |= 1 << 11;    /* O_LARGEFILE */
	if (f & 02000000) r |= 1 << 12;   /* O_CLOEXEC */
	if (f & 020000000) r |= 1 << 13;  /* __O_TMPFILE */
	return r;
}

/* openat2 RESOLVE_* -> Falco's PPM_RESOLVE_* */
static __always_inline __u32 resolve_to_ppm(__u64 f)
{
	__u32 r = 0;
	if (f & 0x01) r |= 1 << 4; /* RESOLVE_NO_XDEV */
	if (f & 0x02) r |= 1 << 2; /* RESOLVE_NO_MAGICLINKS */
	if (f & 0x04) r |= 1 << 3; /* RESOLVE_NO_SYMLINKS */
	if (f & 0x08) r |= 1 << 0; /* RESOLVE_BENEATH */
	if (f & 0x10) r |= 1 << 1; /* RESOLVE_IN_ROOT */
	if (f & 0x20) r |= 1 << 5; /* RESOLVE_CACHED */
	return r;
}

/* Linux CLONE_* -> Falco's PPM_CL_* */
static __always_inline __u32 clone_flags_to_ppm(__u64 f)
{
	__u32 r = 0;
	if (f & 0x00000400) r |= 1 << 0;  /* CLONE_FILES */
	if (f & 0x00000200) r |= 1 << 1;  /* CLONE_FS */
	if (f & 0x80000000) r |= 1 << 2;  /* CLONE_IO */
	if (f & 0x08000000) r |= 1 << 3;  /* CLONE_NEWIPC */
	if (f & 0x40000000) r |= 1 << 4;  /* CLONE_NEWNET */
	if (f & 0x00020000) r |= 1 << 5;  /* CLONE_NEWNS */
	if (f & 0x20000000) r |= 1 << 6;  /* CLONE_NEWPID */
	if (f & 0x04000000) r |= 1 << 7;  /* CLONE_NEWUTS */
	if (f & 0x00008000) r |= 1 << 8;  /* CLONE_PARENT */
	if (f & 0x00100000) r |= 1 << 9;  /* CLONE_PARENT_SETTID */
	if (f & 0x00002000) r |= 1 << 10; /* CLONE_PTRACE */
	if (f & 0x00000800) r |= 1 << 11; /* CLONE_SIGHAND */
	if (f & 0x00040000) r |= 1 << 12; /* CLONE_SYSVSEM */
	if (f & 0x00010000) r |= 1 << 13; /* CLONE_THREAD */
	if (f & 0x00800000) r |= 1 << 14; /* CLONE_UNTRACED */
	if (f & 0x00000100) r |= 1 << 15; /* CLONE_VM */
	if (f & 0x10000000) r |= 1 << 20; /* CLONE_NEWUSER */
	if (f & 0x00200000) r |= 1 << 23; /* CLONE_CHILD_CLEARTID */
	if (f & 0x01000000) r |= 1 << 24; /* CLONE_CHILD_SETTID */
	if (f & 0x00080000) r |= 1 << 25; /* CLONE_SETTLS */
	if (f & 0x00004000) r |= 1 << 27; /* CLONE_VFORK */
	if (f & 0x02000000) r |= 1 << 28; /* CLONE_NEWCGROUP */
	return r;
}

/* Linux PTRACE_* request -> Falco's PPM_PTRACE_* (the common ones) */
static __always_inline __u16 ptrace_req_to_ppm(long req)
{
	if (req >= 0 && req <= 9)
		return req + 1;     /* TRACEME .. SINGLESTEP */
	switch (req) {
	case 12: return 26;     /* GETREGS */
	case 13: return 27;     /* SETREGS */
	case 16: return 11;     /* ATTACH */
	case 17: return 12;     /* DETACH */
	case 24: return 13;     /* SYSCALL */
	case 0x4200: return 14; /* SETOPTIONS */
	case 0x4201: return 15; /* GETEVENTMSG */
	case 0x4202: return 16; /* GETSIGINFO */
	case 0x4203: return 17; /* SETSIGINFO */
	case 0x4204: return 18; /* GETREGSET */
	case 0x4205: return 19; /* SETREGSET */
	case 0x4206: return 20; /* SEIZE */
	case 0x4207: return 21; /* INTERRUPT */
	case 0x4208: return 22; /* LISTEN */
	}
	return 0;
}

static __always_inline __u64 syscall_arg(struct pt_regs *regs, __u32 i)
{
	switch (i) {
	case 0: return BPF_CORE_READ(regs, di);
	case 1: return BPF_CORE_READ(regs, si);
	case 2: return BPF_CORE_READ(regs, dx);
	case 3: return BPF_CORE_READ(regs, r10);
	case 4: return BPF_CORE_READ(regs, r8);
	default: return BPF_CORE_READ(regs, r9);
	}
}

static __always_inline int reported(__u32 slot)
{
	__u8 *on = bpf_map_lookup_elem(&enabled, &slot);
	return on && *on;
}

/* ---- the generic filler ---- */

/* spec: kind | arg a << 8 | arg b << 16 (subprograms take at most 5 arguments) */
static __noinline void push_param(struct vg_buf *b, long ret, __u32 spec)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 kind = spec & 0xff, bi = (spec >> 16) & 7;
	__u64 a = b->args[(spec >> 8) & 7];
	switch (kind) {
	case PK_RET: push_u64(b, ret); break;
	case PK_ARG64: push_u64(b, a); break;
	case PK_ARGS32: push_u64(b, (__s64)(__s32)a); break;
	case PK_ARG32: push_u32(b, a); break;
	case PK_ARG16: push_u16(b, a); break;
	case PK_ARG8: push_u8(b, a); break;
	case PK_PATH: push_user_str(b, (void *)a, VG_MAX_WRITE); break;
	case PK_USTR: push_user_str(b, (void *)a, snaplen); break;
	case PK_SOCKADDR: push_sockaddr(b, (void *)a); break;
	case PK_TUPLE_OUT: push_tuple(b, task_fd_sock(t, (__s32)a), 0); break;
	case PK_TUPLE_IN: push_tuple(b, task_fd_sock(t, (__s32)a), 1); break;
	case PK_TUPLE_RET_IN: push_tuple(b, ret >= 0 ? task_fd_sock(t, ret) : NULL, 1); break;
	case PK_DATA_RET: push_user_data(b, (void *)a, ret > 0 ? ret : 0); break;
	case PK_DATA_ARG: push_user_data(b, (void *)a, b->args[bi]); break;
	case PK_OPEN_FLAGS: push_u32(b, open_flags_to_ppm(a)); break;
	case PK_MODE: push_u32(b, a & 07777); break;
	case PK_MODE_IF_CREAT: push_u32(b, b->args[bi] & (0100 | 020000000) ? a & 07777 : 0); break;
	case PK_MASK: {
		__u32 m = 0;
		switch (bi) {
		case VG_MASK_UNLINKAT: m = 0x200; break;
		case VG_MASK_AT_LINK: m = 0x400 | 0x1000; break;
		case VG_MASK_MEMFD: m = 0x7; break;
		case VG_MASK_UMOUNT: m = 0xf; break;
		case VG_MASK_FINIT: m = 0x7; break;
		}
		push_u32(b, a & m);
		break;
	}
	case PK_MOUNT_FLAGS: push_u32(b, (a & 0xffff0000) == 0xc0ed0000 ? a & 0xffff : a); break;
	case PK_SOCK_FLAGS: push_u32(b, (a & 04000 ? 1 << 6 : 0) | (a & 02000000 ? 1 << 12 : 0)); break;
	case PK_DUP3_FLAGS: push_u32(b, a & 02000000 ? 1 << 12 : 0); break;
	case PK_PIPE2_FLAGS:
		push_u32(b, (__s32)a < 0 ? 0 : (a & 02000000 ? 1 << 12 : 0) | (a & 040000 ? 1 << 9 : 0) | (a & 04000 ? 1 << 6 : 0));
		break;
	case PK_CLONE_FLAGS: push_u32(b, clone_flags_to_ppm(a)); break;
	case PK_RET_DEV:
	case PK_RET_INO:
		ret_file(b, t, ret);
		if (kind == PK_RET_DEV)
			push_u32(b, b->file_dev);
		else
			push_u64(b, b->file_ino);
		break;
	case PK_PIPE_INO: {
		int fds[2] = {-1, -1};
		bpf_probe_read_user(fds, sizeof(fds), (void *)a);
		ret_file(b, t, ret == 0 ? fds[0] : -1);
		push_u64(b, b->file_ino);
		break;
	}
	case PK_RET_OPEN_FLAGS:
		ret_file(b, t, ret);
		push_u32(b, open_flags_to_ppm(a) | b->file_flags);
		break;
	case PK_RET_CREAT_FLAGS:
		ret_file(b, t, ret);
		push_u16(b, (b->file_flags & VG_FD_UPPER_LAYER ? VG_FD_UPPER_LAYER_CREAT : 0) |
				    (b->file_flags & VG_FD_LOWER_LAYER ? VG_FD_LOWER_LAYER_CREAT : 0));
		break;
	case PK_HOW_FLAGS:
	case PK_RET_HOW_FLAGS:
	case PK_HOW_MODE:
	case PK_HOW_RESOLVE: {
		struct open_how how = {};
		bpf_probe_read_user(&how, sizeof(how), (void *)a);
		if (kind == PK_HOW_FLAGS)
			push_u32(b, open_flags_to_ppm(how.flags));
		else if (kind == PK_RET_HOW_FLAGS) {
			ret_file(b, t, ret);
			push_u32(b, open_flags_to_ppm(how.flags) | b->file_flags);
		}
		else if (kind == PK_HOW_MODE)
			push_u32(b, how.flags & (0100 | 020000000) ? how.mode & 07777 : 0);
		else
			push_u32(b, resolve_to_ppm(how.resolve));
		break;
	}
	case PK_PIPE_FD0:
	case PK_PIPE_FD1: {
		int fds[2] = {-1, -1};
		bpf_probe_read_user(fds, sizeof(fds), (void *)a);
		push_u64(b, (__s64)(kind == PK_PIPE_FD0 ? fds[0] : fds[1]));
		break;
	}
	case PK_QUEUE_PCT:
	case PK_QUEUE_LEN:
	case PK_QUEUE_MAX: {
		struct sock *sk = task_fd_sock(t, (__s32)a);
		__u32 len = sk ? BPF_CORE_READ(sk, sk_ack_backlog) : 0;
		__u32 max = sk ? BPF_CORE_READ(sk, sk_max_ack_backlog) : 0;
		if (kind == PK_QUEUE_PCT)
			push_u8(b, max ? (len * 100) / max : 0);
		else
			push_u32(b, kind == PK_QUEUE_LEN ? len : max);
		break;
	}
	case PK_PTRACE_DYN:
		*(__u8 *)buf__at(b) = 0; /* PPM_PTRACE_IDX_UINT64 */
		*(__u64 *)(buf__at(b) + 1) = a;
		buf__param(b, 9);
		break;
	case PK_PTRACE_REQ: push_u16(b, ptrace_req_to_ppm(a)); break;
	case PK_PRCTL_STR:
		if (b->args[0] == 15 /* PR_SET_NAME */)
			push_user_str(b, (void *)a, 16);
		else
			push_empty(b);
		break;
	case PK_PRCTL_INT:
		if (b->args[0] == 15 || b->args[0] == 16 /* PR_GET_NAME */)
			push_empty(b);
		else
			push_u64(b, a);
		break;
	case PK_CAP_INH:
	case PK_CAP_PERM:
	case PK_CAP_EFF: {
		const struct cred *c = BPF_CORE_READ(t, cred);
		__u64 v = 0;
		if (kind == PK_CAP_INH)
			bpf_probe_read_kernel(&v, 8, &c->cap_inheritable);
		else if (kind == PK_CAP_PERM)
			bpf_probe_read_kernel(&v, 8, &c->cap_permitted);
		else
			bpf_probe_read_kernel(&v, 8, &c->cap_effective);
		push_u64(b, v);
		break;
	}
	default: push_empty(b); break;
	}
}

/* ---- process state, for exec and clone events ---- */

static __always_inline __u32 pid_vnr(struct pid *p)
{
	struct upid u = {};
	unsigned int level;
	if (!p)
		return 0;
	level = BPF_CORE_READ(p, level);
	bpf_probe_read_kernel(&u, sizeof(u), &p->numbers[level & 31]);
	return u.nr;
}

static __always_inline __u32 tty_of(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	__u32 major, minor, index;
	if (!tty)
		return 0;
	index = BPF_CORE_READ(tty, index);
	major = BPF_CORE_READ(tty, driver, major);
	minor = BPF_CORE_READ(tty, driver, minor_start);
	return encode_dev(((major << 20) | minor) + index);
}

/* exe (argv[0]) and args (argv[1..], NUL-separated) from the memory of mm,
 * read through the current task's address space (the caller makes sure they
 * are the same, or copies of each other) */
static __noinline void push_argv(struct vg_buf *b, struct mm_struct *mm)
{
	__u64 start = BPF_CORE_READ(mm, arg_start), end = BPF_CORE_READ(mm, arg_end);
	__u32 off0 = b->off, cut0 = b->cut;
	__u64 next;
	long m;
	push_user_str(b, (void *)start, snaplen);
	next = start + (b->off - off0);
	if (b->cut != cut0) {
		/* argv[0] was cut: args begin after its real end, found by reading
		 * its rest into the space the args param will overwrite */
		m = bpf_probe_read_user_str(buf__at(b), VG_MAX_WRITE, (void *)(next - 1));
		if (m > 0 && m < VG_MAX_WRITE) {
			next = next - 1 + m;
		} else {
			next = end; /* not found: args lost, and said so */
			buf__cut(b);
		}
	}
	if (start && end > next)
		push_user_data(b, (void *)next, end - next);
	else
		push_empty(b);
}

static __noinline void push_env(struct vg_buf *b, struct mm_struct *mm)
{
	__u64 start = BPF_CORE_READ(mm, env_start), end = BPF_CORE_READ(mm, env_end);
	if (start && end > start)
		push_user_data(b, (void *)start, end - start);
	else
		push_empty(b);
}

/* Linux 6.15 renamed kernfs_node.parent to __parent */
struct kernfs_node___pre615 {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___pre615 *)kn, parent);
}

/* path components kept per cgroup, from the leaf up (container ids are in the
 * last ones); each at most NAME_MAX. Deeper paths keep their lowest levels. */
#define VG_CGROUP_DEPTH 8
#define VG_CGROUP_NAME 256

/* the cgroup v2 (default) hierarchy, sent as one more entry "unified=/path" */
#define VG_CGROUP_UNIFIED 255

/* One "subsys=/path" entry of the cgroups param, NUL-terminated, written at
 * b->off + at; returns its length, 0 when the subsystem cannot be read (and
 * for the unified hierarchy, when the task is in its root).
 * Global, so the verifier checks it once rather than at each of its callers
 * (its loops would multiply their states); the task's css_set comes as a
 * number, as global functions take no kernel pointers. */
__noinline __u32 vg_put_cgroup(struct vg_buf *b, __u64 css_set, __u32 id, __u32 at)
{
	struct css_set *cs = (struct css_set *)css_set;
	const char *parts[VG_CGROUP_DEPTH] = {};
	char unified[] = "unified";
	const char *ss_name;
	struct kernfs_node *kn;
	__u32 len, path_at;
	long n;
	int k;

	if (!b)
		return 0;
	if (id == VG_CGROUP_UNIFIED) {
		ss_name = unified;
		kn = BPF_CORE_READ(cs, dfl_cgrp, kn);
	} else {
		ss_name = BPF_CORE_READ(cs, subsys[id & 15], ss, name);
		kn = BPF_CORE_READ(cs, subsys[id & 15], cgroup, kn);
	}
	n = bpf_probe_read_kernel_str(&b->data[(b->off + at) & VG_OFF_MASK], 32, ss_name);
	if (n <= 1)
		return 0;
	len = n - 1;
	b->data[(b->off + at + len) & VG_OFF_MASK] = '=';
	len++;
	path_at = len;
	for (k = 0; k < VG_CGROUP_DEPTH; k++) {
		if (!kn)
			break;
		parts[k] = BPF_CORE_READ(kn, name);
		kn = kn_parent(kn);
	}
	/* levels above these, other than the nameless root, are left out */
	if (kn && kn_parent(kn))
		buf__cut(b);
	/* top down; unused slots are NULL and the root's name is empty: both add nothing */
	for (k = VG_CGROUP_DEPTH - 1; k >= 0; k--) {
		b->data[(b->off + at + len) & VG_OFF_MASK] = '/';
		n = bpf_probe_read_kernel_str(&b->data[(b->off + at + len + 1) & VG_OFF_MASK], VG_CGROUP_NAME, parts[k]);
		if (n > 1)
			len += n; /* the '/' and the name, not its NUL */
	}
	if (len == path_at && id == VG_CGROUP_UNIFIED)
		return 0;
	if (len == path_at) {
		b->data[(b->off + at + len) & VG_OFF_MASK] = '/';
		len++;
	}
	b->data[(b->off + at + len) & VG_OFF_MASK] = 0;
	return len + 1;
}

/* cgroups param, as libs sends it: "subsys=/path" entries, each with its NUL,
 * for the cpuset, cpu, cpuacct, io and memory controllers this kernel has.
 * Then, unlike libs, the cgroup v2 path as "unified=/path" when it is not the
 * root: on v2 a controller's path stops at the nearest cgroup that enables it,
 * which for a container whose runtime enabled none is "/", hiding its id. */
static __noinline void push_cgroups(struct vg_buf *b, struct task_struct *t)
{
	__u64 cs = (__u64)BPF_CORE_READ(t, cgroups);
	__u32 len = 0;
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuset_cgrp_id))
		len += vg_put_cgroup(b, cs, bpf_core_enum_value(enum cgroup_subsys_id, cpuset_cgrp_id), len);
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id))
		len += vg_put_cgroup(b, cs, bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id), len);
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuacct_cgrp_id))
		len += vg_put_cgroup(b, cs, bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id), len);
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, io_cgrp_id))
		len += vg_put_cgroup(b, cs, bpf_core_enum_value(enum cgroup_subsys_id, io_cgrp_id), len);
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		len += vg_put_cgroup(b, cs, bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id), len);
	len += vg_put_cgroup(b, cs, VG_CGROUP_UNIFIED, len);
	buf__param(b, len);
}

/* Before Linux 6.2 the RSS counters were atomics in struct mm_rss_stat */
struct mm_rss_stat___pre62 {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___pre62 {
	struct mm_rss_stat___pre62 rss_stat;
} __attribute__((preserve_access_index));

/* pages counted by counter i (MM_FILEPAGES 0, MM_ANONPAGES 1, MM_SWAPENTS 2,
 * MM_SHMEMPAGES 3): the shared count, without the per-CPU deltas not yet
 * folded in, so it can be a little off (as /proc's figures can) */
#define MM_COUNTER(mm, i) ({                                                       \
	__s64 __v = 0;                                                             \
	if (bpf_core_type_exists(struct mm_rss_stat___pre62))                      \
		BPF_CORE_READ_INTO(&__v, (struct mm_struct___pre62 *)(mm), rss_stat.count[i].counter); \
	else                                                                       \
		BPF_CORE_READ_INTO(&__v, (mm), rss_stat[i].count);                 \
	__v > 0 ? __v : 0;                                                         \
})

/* ---- the executable's flags (libs' PPM_EXE_*) ---- */

#define VG_EXE_WRITABLE (1 << 0)
#define VG_EXE_UPPER_LAYER (1 << 1)
#define VG_EXE_FROM_MEMFD (1 << 2)
#define VG_EXE_LOWER_LAYER (1 << 3)
#define VG_SB_RDONLY 1
#define VG_S_IMMUTABLE 8
#define VG_CAP_DAC_OVERRIDE 1
#define VG_CAP_FOWNER 3
/* supplementary groups looked at for the group write bit */
#define VG_MAX_GROUPS 32

/* Could the task write the file, by the inode's mode, owner and group and the
 * task's fs ids, groups and capabilities? Like the kernel's basic permission
 * check, without ACLs or LSMs; capabilities count whatever the user namespace. */
static __always_inline int exe_writable(struct task_struct *t, struct inode *ino)
{
	const struct cred *c = BPF_CORE_READ(t, cred);
	struct group_info *gi;
	__u32 fsuid, fsgid, iuid, igid, mode, ng, i;
	__u64 cap = 0;
	int in_group;

	if (BPF_CORE_READ(ino, i_sb, s_flags) & VG_SB_RDONLY)
		return 0;
	if (BPF_CORE_READ(ino, i_flags) & VG_S_IMMUTABLE)
		return 0;
	fsuid = BPF_CORE_READ(c, fsuid.val);
	fsgid = BPF_CORE_READ(c, fsgid.val);
	iuid = BPF_CORE_READ(ino, i_uid.val);
	igid = BPF_CORE_READ(ino, i_gid.val);
	mode = BPF_CORE_READ(ino, i_mode);
	if (fsuid == iuid)
		return 1; /* the owner can always make it writable */
	in_group = fsgid == igid;
	gi = BPF_CORE_READ(c, group_info);
	ng = gi ? BPF_CORE_READ(gi, ngroups) : 0;
	for (i = 0; i < VG_MAX_GROUPS && !in_group; i++) {
		kgid_t g = {};
		if (i >= ng)
			break;
		bpf_probe_read_kernel(&g, sizeof(g), &gi->gid[i]);
		in_group = g.val == igid;
	}
	if (in_group ? mode & 0020 : mode & 0002)
		return 1;
	bpf_probe_read_kernel(&cap, 8, &c->cap_effective);
	return (cap & ((1ull << VG_CAP_DAC_OVERRIDE) | (1ull << VG_CAP_FOWNER))) != 0;
}

/* memfd_create files sit alone on an internal mount: their dentry is its own
 * parent and is named "memfd:..." */
static __always_inline int exe_from_memfd(struct file *f)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	char name[7] = {};
	if (!d || BPF_CORE_READ(d, d_parent) != d)
		return 0;
	bpf_probe_read_kernel(name, 6, BPF_CORE_READ(d, d_name.name));
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' && name[5] == ':';
}

static __noinline __u32 exe_flags(struct task_struct *t, struct file *f)
{
	struct inode *ino = f ? BPF_CORE_READ(f, f_inode) : NULL;
	__u32 flags = 0;
	if (!ino)
		return 0;
	if (exe_writable(t, ino))
		flags |= VG_EXE_WRITABLE;
	switch (overlay_layer(ino)) {
	case VG_LAYER_UPPER: flags |= VG_EXE_UPPER_LAYER; break;
	case VG_LAYER_LOWER: flags |= VG_EXE_LOWER_LAYER; break;
	}
	if (exe_from_memfd(f))
		flags |= VG_EXE_FROM_MEMFD;
	return flags;
}

/* params 1-14 shared by execve and clone events: exe, args, tid, pid, ptid,
 * cwd, fdlimit, pgft_maj, pgft_min, vm_size, vm_rss, vm_swap, comm, cgroups */
static __noinline void push_proc_common(struct vg_buf *b, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	__u64 total_vm = mm ? BPF_CORE_READ(mm, total_vm) : 0;
	if (mm)
		push_argv(b, mm);
	else {
		push_empty(b);
		push_empty(b);
	}
	push_u64(b, BPF_CORE_READ(t, pid));
	push_u64(b, BPF_CORE_READ(t, tgid));
	push_u64(b, BPF_CORE_READ(t, real_parent, tgid));
	push_empty(b); /* cwd: left to user space, as Falco's modern probe does */
	push_u64(b, BPF_CORE_READ(t, signal, rlim[7].rlim_cur)); /* RLIMIT_NOFILE */
	push_u64(b, BPF_CORE_READ(t, maj_flt));
	push_u64(b, BPF_CORE_READ(t, min_flt));
	/* pages -> KiB */
	push_u32(b, total_vm << 2);
	push_u32(b, mm ? (MM_COUNTER(mm, 0) + MM_COUNTER(mm, 1) + MM_COUNTER(mm, 3)) << 2 : 0);
	push_u32(b, mm ? MM_COUNTER(mm, 2) << 2 : 0);
	push_kernel_str(b, &t->comm, 16);
	push_cgroups(b, t);
}

static __always_inline __u64 inode_time(struct inode *ino, int mtime)
{
	__s64 sec = 0;
	__u32 nsec = 0;
	if (mtime) {
		if (bpf_core_field_exists(ino->i_mtime_sec)) {
			sec = BPF_CORE_READ(ino, i_mtime_sec);
			nsec = BPF_CORE_READ(ino, i_mtime_nsec);
		}
	} else if (bpf_core_field_exists(ino->i_ctime_sec)) {
		sec = BPF_CORE_READ(ino, i_ctime_sec);
		nsec = BPF_CORE_READ(ino, i_ctime_nsec);
	}
	return sec * 1000000000ull + nsec;
}

/* execve/execveat exit: 31 params (execveat: 30, no filename) */
static __noinline void emit_exec(struct task_struct *t, __u16 type, long res, const char *ufilename, const char *kfilename)
{
	__u32 np = type == VG_EXECVE_X ? 31 : 30;
	struct vg_buf *b = buf__start(type, np, BPF_CORE_READ(t, pid));
	struct mm_struct *mm;
	struct inode *exe;
	const struct cred *cred;
	__u64 cap;
	if (!b)
		return;
	mm = BPF_CORE_READ(t, mm);
	exe = mm ? BPF_CORE_READ(mm, exe_file, f_inode) : NULL;
	cred = BPF_CORE_READ(t, cred);
	push_u64(b, res);
	push_proc_common(b, t);
	if (mm)
		push_env(b, mm);
	else
		push_empty(b);
	push_u32(b, tty_of(t));
	push_u64(b, pid_vnr(BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID])));
	push_u32(b, BPF_CORE_READ(t, loginuid.val));
	push_u32(b, mm ? exe_flags(t, BPF_CORE_READ(mm, exe_file)) : 0);
	cap = 0;
	bpf_probe_read_kernel(&cap, 8, &cred->cap_inheritable);
	push_u64(b, cap);
	cap = 0;
	bpf_probe_read_kernel(&cap, 8, &cred->cap_permitted);
	push_u64(b, cap);
	cap = 0;
	bpf_probe_read_kernel(&cap, 8, &cred->cap_effective);
	push_u64(b, cap);
	push_u64(b, exe ? BPF_CORE_READ(exe, i_ino) : 0);
	push_u64(b, exe ? inode_time(exe, 0) : 0);
	push_u64(b, exe ? inode_time(exe, 1) : 0);
	push_u32(b, BPF_CORE_READ(cred, euid.val));
	push_empty(b); /* trusted_exepath: needs d_path, not available here */
	push_u64(b, BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID], numbers[0].nr));
	push_u32(b, BPF_CORE_READ(cred, egid.val));
	if (type == VG_EXECVE_X) {
		if (kfilename)
			push_kernel_str(b, kfilename, VG_MAX_WRITE);
		else
			push_user_str(b, ufilename, VG_MAX_WRITE);
	}
	buf__submit(b, VG_CAT_PROCESS);
}

/* clone family exit: 21 params, about task t (the caller or the new child) */
static __noinline void emit_clone(struct task_struct *t, __u16 type, long res, __u32 flags)
{
	struct vg_buf *b = buf__start(type, 21, BPF_CORE_READ(t, pid));
	const struct cred *cred;
	if (!b)
		return;
	cred = BPF_CORE_READ(t, cred);
	push_u64(b, res);
	push_proc_common(b, t);
	push_u32(b, flags);
	push_u32(b, BPF_CORE_READ(cred, euid.val));
	push_u32(b, BPF_CORE_READ(cred, egid.val));
	push_u64(b, pid_vnr(BPF_CORE_READ(t, thread_pid)));
	push_u64(b, pid_vnr(BPF_CORE_READ(t, group_leader, thread_pid)));
	push_u64(b, 0); /* pidns_init_start_ts: not read yet */
	buf__submit(b, VG_CAT_PROCESS);
}

/* a0: the syscall's first argument (clone's flags, clone3's clone_args) */
static __always_inline __u32 clone_flags_of(__u32 nr, __u64 a0)
{
	__u64 raw = 0;
	if (nr == 56)
		raw = a0;
	else if (nr == 58)
		raw = 0x00004000 | 0x00000100; /* CLONE_VFORK | CLONE_VM */
	else if (nr == 435)
		bpf_probe_read_user(&raw, 8, (void *)a0); /* clone_args.flags */
	return clone_flags_to_ppm(raw);
}

/* ---- hooks ---- */

/* 1 while the current task is in an ia32 syscall (int $0x80, sysenter or a
 * 32-bit syscall): the kernel sets TS_COMPAT on entry and clears it only on
 * the way back to user space, after the exit tracepoint. A kernel without
 * the field (not x86) has no ia32 syscalls to tell apart. */
static __always_inline int in_ia32_syscall(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	if (!bpf_core_field_exists(t->thread_info.status))
		return 0;
	/* a direct load through the BTF pointer: this runs on every syscall */
	return (t->thread_info.status & VG_TS_COMPAT) != 0;
}

/* The x86_64 number of ia32 syscall nr, or VG_SYSCALL_SLOTS when the probe
 * does not decode it; a captured one it cannot decode is counted. */
static __always_inline __u32 ia32_to_x64(__u32 nr)
{
	__u32 m, cat;
	struct vg_counters *c;
	if (nr >= VG_IA32_SLOTS)
		return VG_SYSCALL_SLOTS;
	m = vg_ia32[nr];
	if (!(m & VG_IA32_UNHANDLED))
		return m ? m & (VG_SYSCALL_SLOTS - 1) : VG_SYSCALL_SLOTS; /* the mask bounds it for the verifier */
	cat = m & 0xff;
	c = bpf_map_lookup_elem(&stats, &cat);
	if (c)
		c->ia32_unhandled++;
	return VG_SYSCALL_SLOTS;
}

/* the six syscall arguments: x86_64 from di, si, dx, r10, r8, r9; ia32 from
 * the low 32 bits (all the kernel uses) of bx, cx, dx, si, di, bp */
static __always_inline void read_args(__u64 *a, struct pt_regs *regs, int ia32)
{
	if (ia32) {
		a[0] = (__u32)regs->bx;
		a[1] = (__u32)regs->cx;
		a[2] = (__u32)regs->dx;
		a[3] = (__u32)regs->si;
		a[4] = (__u32)regs->di;
		a[5] = (__u32)regs->bp;
	} else {
		a[0] = regs->di;
		a[1] = regs->si;
		a[2] = regs->dx;
		a[3] = regs->r10;
		a[4] = regs->r8;
		a[5] = regs->r9;
	}
}

/* The exit event of syscall nr (an x86_64 number; ia32: already mapped),
 * whatever hook saw it return; regs holds the caller's user registers. */
static __always_inline int emit_exit(struct pt_regs *regs, __u32 nr, long ret, int ia32)
{
	const struct vg_spec *sp;
	struct vg_buf *b;
	__u64 id;
	__u32 i;

	if (nr >= VG_SYSCALL_SLOTS || !reported(nr))
		return 0;
	/* clang may test a copy of nr; the mask bounds the one indexing vg_specs */
	barrier_var(nr);
	nr &= VG_SYSCALL_SLOTS - 1;
	id = bpf_get_current_pid_tgid();
	if ((id >> 32) == self_tgid)
		return 0;
	sp = &vg_specs[nr];
	if (!sp->event)
		return 0;
	if (sp->special == VG_SPEC_EXEC) {
		/* successful execs are reported from sched_process_exec; ia32
		 * maps only execve, whose path is its first argument */
		if (ret < 0)
			emit_exec(bpf_get_current_task_btf(), sp->event, ret,
				  (const char *)(ia32 ? (__u32)regs->bx : syscall_arg(regs, nr == 59 ? 0 : 1)), NULL);
		return 0;
	}
	if (sp->special == VG_SPEC_CLONE) {
		/* the child's side is reported from sched_process_fork */
		if (ret != 0)
			emit_clone(bpf_get_current_task_btf(), sp->event, ret, clone_flags_of(nr, syscall_arg(regs, 0)));
		return 0;
	}
	b = buf__start(sp->event, sp->nparams, (__u32)id);
	if (!b)
		return 0;
	read_args(b->args, regs, ia32);
	for (i = 0; i < VG_SPEC_PARAMS; i++) {
		if (i >= sp->nparams)
			break;
		push_param(b, ret, sp->p[i].kind | sp->p[i].a << 8 | sp->p[i].b << 16);
	}
	buf__submit(b, sp->category);
	return 0;
}

/* Exits of x86_64 syscalls, one syscall at a time: the addon attaches this
 * program to syscalls/sys_exit_<name> (through a perf event) for exactly the
 * syscalls the rules need, so the others run no program at all. The kernel
 * fires these tracepoints for native syscalls only (ia32 ones go to the
 * generic hook below). The record is the tracepoint's: the syscall number at
 * offset 8, the return value at 16; the arguments come from the task's saved
 * user registers. */
struct vg_sys_exit_record {
	__u64 common;
	__s32 nr;
	__s32 pad;
	__s64 ret;
};

SEC("tracepoint")
int vigil_tp_exit(struct vg_sys_exit_record *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	return emit_exit(regs, ctx->nr, ctx->ret, 0);
}

/* The generic exit hook, attached only where it is needed: for ia32
 * syscalls where the kernel runs them (no per-syscall tracepoint fires for
 * them), and for the native syscalls set in generic_nr: those enabled that
 * have no tracepoint of their own (the kernel does not implement them, as
 * init_module without module support: their calls still fail visibly), or
 * all of them when the per-syscall tracepoints cannot be used. Set by the
 * addon; a native syscall not in generic_nr returns after a load and a bit
 * test, before any helper call. */
volatile __u64 generic_nr[VG_SYSCALL_SLOTS / 64] = {};
volatile __u32 generic_ia32 = 0;

SEC("tp_btf/sys_exit")
int BPF_PROG(vigil_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 nr = regs->orig_ax;
	int native = nr < VG_SYSCALL_SLOTS && (generic_nr[(nr / 64) & (VG_SYSCALL_SLOTS / 64 - 1)] >> (nr & 63)) & 1;
	int ia32;

	if (!native && !generic_ia32)
		return 0;
	ia32 = in_ia32_syscall();
	if (ia32) {
		if (!generic_ia32)
			return 0;
		nr = ia32_to_x64(nr);
	} else if (!native) {
		return 0;
	}
	return emit_exit(regs, nr, ret, ia32);
}

/* syscall number of vg_enter_specs[k] */
static __always_inline __u32 vg_enter_nr(__u32 k)
{
	switch (k) {
#define VG_ENTER_NR(name, nr, nargs) case VG_ENTER_##name: return nr;
	VG_ENTER_SYSCALLS(VG_ENTER_NR)
#undef VG_ENTER_NR
	}
	return VG_SYSCALL_SLOTS;
}

/* Enter events of open, openat, openat2, creat and connect: their path or
 * address is read here, before another thread of the caller can rewrite it
 * while the kernel works; the exit hook would read the rewritten bytes.
 * k indexes vg_enter_specs; a0..a3 are the syscall's first four arguments
 * (no enter event reads a fifth). The one filler behind every way of hooking
 * the enters, which differ only in where they find the arguments. */
static __noinline int emit_enter(__u32 k, __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	const struct vg_spec *sp;
	struct vg_buf *b;
	__u32 i;

	if (k >= VG_ENTER_COUNT || !reported(vg_enter_nr(k)))
		return 0;
	if ((bpf_get_current_pid_tgid() >> 32) == self_tgid)
		return 0;
	sp = &vg_enter_specs[k];
	b = buf__start(sp->event, sp->nparams, (__u32)bpf_get_current_pid_tgid());
	if (!b)
		return 0;
	b->args[0] = a0;
	b->args[1] = a1;
	b->args[2] = a2;
	b->args[3] = a3;
	b->args[4] = 0;
	b->args[5] = 0;
	for (i = 0; i < VG_SPEC_PARAMS; i++) {
		if (i >= sp->nparams)
			break;
		push_param(b, 0, sp->p[i].kind | sp->p[i].a << 8 | sp->p[i].b << 16);
	}
	buf__submit(b, sp->category);
	return 0;
}

/* The preferred hooks: fentry on each syscall's x86_64 entry function, so
 * only these five syscalls pay. The addon attaches each one only while its
 * syscall is enabled. (32-bit callers enter through __ia32_* functions, not
 * hooked: their open, openat, openat2, creat and connect get exit events
 * only, decoded through syscall_ia32.h.) regs holds the caller's user registers. */
#define VG_ENTER_FENTRY(name, nr, nargs)                                          \
	SEC("fentry/__x64_sys_" #name)                                             \
	int BPF_PROG(vigil_enter_##name, struct pt_regs *regs)                     \
	{                                                                          \
		return emit_enter(VG_ENTER_##name, regs->di, regs->si, regs->dx, regs->r10); \
	}
VG_ENTER_SYSCALLS(VG_ENTER_FENTRY)
#undef VG_ENTER_FENTRY

/* When the kernel refuses fentry: the per-syscall tracepoints, which also run
 * only for their own syscall (other syscalls pay a bitmap test in the kernel).
 * The addon finds their ids in tracefs and attaches each through a perf event
 * while its syscall is enabled. The context is the tracepoint's record: the
 * syscall number at offset 8, the arguments from offset 16, the layout of
 * trace_event_raw_sys_enter. The record holds only the syscall's own
 * arguments, and the kernel refuses (EACCES) a program reading past them, so
 * each wrapper reads exactly its syscall's count. */
#define VG_TP_ARG(n, i) ((n) > (i) ? ctx->args[i] : 0)
#define VG_ENTER_TP(name, nr, n)                                                   \
	SEC("tp/syscalls/sys_enter_" #name)                                        \
	int vigil_tp_##name(struct trace_event_raw_sys_enter *ctx)                 \
	{                                                                          \
		return emit_enter(VG_ENTER_##name, VG_TP_ARG(n, 0), VG_TP_ARG(n, 1), \
				  VG_TP_ARG(n, 2), VG_TP_ARG(n, 3));               \
	}
VG_ENTER_SYSCALLS(VG_ENTER_TP)
#undef VG_ENTER_TP

/* index in vg_enter_specs of a TOCTOU-prone syscall, VG_ENTER_COUNT for any other */
static __always_inline __u32 vg_enter_index(__u32 nr)
{
	switch (nr) {
#define VG_ENTER_CASE(name, x64, nargs) case x64: return VG_ENTER_##name;
	VG_ENTER_SYSCALLS(VG_ENTER_CASE)
#undef VG_ENTER_CASE
	}
	return VG_ENTER_COUNT;
}

/* The last resort, when neither fentry nor the per-syscall tracepoints can
 * attach: runs on every syscall of every process while attached, so the addon
 * attaches it only while one of the five is enabled. */
SEC("tp_btf/sys_enter")
int BPF_PROG(vigil_sys_enter, struct pt_regs *regs, long id)
{
	/* an ia32 number must not pass for an x86_64 one (ia32 42 is pipe,
	 * x86_64 42 connect); counting is left to the exit hook */
	__u64 a[6];
	int ia32 = in_ia32_syscall();
	__u32 nr = id, k;
	if (ia32) {
		nr = nr < VG_IA32_SLOTS ? vg_ia32[nr] : 0;
		if (nr & VG_IA32_UNHANDLED)
			return 0;
	}
	k = vg_enter_index(nr);
	if (k >= VG_ENTER_COUNT)
		return 0;
	read_args(a, regs, ia32);
	return emit_enter(k, a[0], a[1], a[2], a[3]);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vigil_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(p);
	__u32 nr = BPF_CORE_READ(regs, orig_ax);
	if ((bpf_get_current_pid_tgid() >> 32) == self_tgid)
		return 0;
	if (nr != 322)
		nr = 59;
	if (!reported(nr))
		return 0;
	emit_exec(p, nr == 59 ? VG_EXECVE_X : VG_EXECVEAT_X, 0, NULL, BPF_CORE_READ(bprm, filename));
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vigil_fork, struct task_struct *parent, struct task_struct *child)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(parent);
	__u32 nr = BPF_CORE_READ(regs, orig_ax);
	__u64 a0 = BPF_CORE_READ(regs, di);
	if (BPF_CORE_READ(child, tgid) == self_tgid)
		return 0;
	/* the parent is current: an ia32 fork family call names the child's
	 * syscall by its x86_64 number here (the parent's exit is not decoded) */
	if (in_ia32_syscall()) {
		a0 = (__u32)BPF_CORE_READ(regs, bx);
		switch (nr) {
		case 2: nr = 57; break;    /* fork */
		case 190: nr = 58; break;  /* vfork */
		case 120: nr = 56; break;  /* clone */
		case 435: nr = 435; break; /* clone3 */
		default: return 0;
		}
	}
	if (nr >= VG_SYSCALL_SLOTS)
		return 0;
	barrier_var(nr); /* as in the exit hook: bound the copy that indexes */
	nr &= VG_SYSCALL_SLOTS - 1;
	if (vg_specs[nr].special != VG_SPEC_CLONE || !reported(nr))
		return 0;
	emit_clone(child, vg_specs[nr].event, 0, clone_flags_of(nr, a0));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(vigil_exit, struct task_struct *p)
{
	struct vg_buf *b;
	__s32 code;
	if (BPF_CORE_READ(p, tgid) == self_tgid || !reported(VG_SLOT_PROCEXIT))
		return 0;
	b = buf__start(VG_PROCEXIT_E, 5, BPF_CORE_READ(p, pid));
	if (!b)
		return 0;
	code = BPF_CORE_READ(p, exit_code);
	push_u64(b, code);
	push_u64(b, (code >> 8) & 0xff);
	push_u8(b, code & 0x7f);
	push_u8(b, (code & 0x80) ? 1 : 0);
	push_u64(b, 0); /* reaper_tid: left to user space */
	buf__submit(b, VG_CAT_PROCESS);
	return 0;
}
