/* vigil-probe-tool: what `npm run probe:build` needs of libbpf that bpftool
 * does not do.
 *
 *   vigil-probe-tool relocate OBJECT BTF
 *
 * Runs libbpf's CO-RE relocation of every program in OBJECT with BTF (a
 * kernel's BTF, raw or inside an ELF vmlinux) as the target, and nothing
 * after it: the kernel never sees a program. libbpf relocates all programs
 * before it loads the first one, so this file takes the load request for
 * itself (it defines syscall(), which libbpf calls through the C library and
 * this executable's definition overrides), notes that relocation got there,
 * and refuses the load. Feature probes and map creation still reach the
 * running kernel; the maps are freed at exit.
 *
 * Prints one line per program or subprogram with CO-RE relocations (applied,
 * and how many of them
 * were poisoned: fields or types the target lacks, which the verifier
 * accepts only on a branch the program's own bpf_core_*_exists() tests rule
 * out), then "relocated" or "NOT relocated: why". Exit 0 when relocated. */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int g_load_refused;          /* a program load reached us: relocation was done */
static char g_refused_prog[64];

/* the C library's syscall(), for everything but our programs' loads */
static long real_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

long syscall(long nr, ...)
{
	va_list ap;
	long a, b, c, d, e, f;
	va_start(ap, nr);
	a = va_arg(ap, long);
	b = va_arg(ap, long);
	c = va_arg(ap, long);
	d = va_arg(ap, long);
	e = va_arg(ap, long);
	f = va_arg(ap, long);
	va_end(ap);
	if (nr == __NR_bpf && a == BPF_PROG_LOAD) {
		const union bpf_attr *attr = (const union bpf_attr *)b;
		if (strncmp(attr->prog_name, "vigil", 5) == 0) {
			g_load_refused = 1;
			snprintf(g_refused_prog, sizeof g_refused_prog, "%s", attr->prog_name);
			errno = ECANCELED;
			return -1;
		}
	}
	return real_syscall(nr, a, b, c, d, e, f);
}

/* counts of libbpf's per-relocation debug lines, by program */
struct prog_count {
	char name[64];
	int relos;
	int poisoned;
};
static struct prog_count g_progs[64];
static int g_nprogs;
static char g_errors[8192];

static struct prog_count *prog_entry(const char *name)
{
	for (int i = 0; i < g_nprogs; i++)
		if (strcmp(g_progs[i].name, name) == 0)
			return &g_progs[i];
	if (g_nprogs == 64)
		return NULL;
	snprintf(g_progs[g_nprogs].name, sizeof g_progs[0].name, "%s", name);
	return &g_progs[g_nprogs++];
}

static int on_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char line[1024], name[64];
	vsnprintf(line, sizeof line, fmt, args);
	if (getenv("VG_DEBUG")) fputs(line, stderr);
	/* "libbpf: prog 'NAME': relo #N: ...", NAME a program or subprogram */
	if (sscanf(line, "libbpf: prog '%63[^']': relo #", name) == 1) {
		struct prog_count *p = prog_entry(name);
		if (p && strstr(line, "patched insn") != NULL)
			p->relos++;
		if (p && strstr(line, "substituting insn") != NULL && strstr(line, "invalid insn") != NULL)
			p->poisoned++;
	}
	if (level != LIBBPF_DEBUG && strlen(g_errors) + strlen(line) < sizeof g_errors - 1)
		strcat(g_errors, line);
	return 0;
}

static int relocate(const char *object, const char *btf)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf);
	struct bpf_object *obj;
	struct bpf_program *prog;
	int err;

	libbpf_set_print(on_libbpf_log);
	obj = bpf_object__open_file(object, &opts);
	if (!obj) {
		printf("NOT relocated: cannot open %s: %s\n%s", object, strerror(errno), g_errors);
		return 1;
	}
	/* every program, whichever hook the agent would pick on that kernel */
	bpf_object__for_each_program(prog, obj) bpf_program__set_autoload(prog, true);
	err = bpf_object__load(obj);
	if (!g_load_refused) {
		printf("NOT relocated against %s: %s\n%s", btf, strerror(-err), g_errors);
		bpf_object__close(obj);
		return 1;
	}
	for (int i = 0; i < g_nprogs; i++)
		printf("%s: %d CO-RE relocations applied, %d poisoned\n", g_progs[i].name, g_progs[i].relos,
		       g_progs[i].poisoned);
	printf("relocated against %s\n", btf);
	bpf_object__close(obj);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "relocate") == 0)
		return relocate(argv[2], argv[3]);
	fprintf(stderr, "usage: %s relocate OBJECT BTF\n", argv[0]);
	return 64;
}
