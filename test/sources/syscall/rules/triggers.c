/* Triggers for the live detection tests: each subcommand performs one
 * syscall pattern a default rule looks for, on throwaway resources, then
 * lingers a second so the agent, even when the machine is busy, can still read
 * the process's /proc entry (its cgroup at exec: the probe sends none). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void linger(void) {
  struct timespec ts = {1, 0};
  nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : "linger";
  if (!strcmp(cmd, "finit_module")) {
    /* an fd on an empty file: the kernel refuses it, the attempt is what counts */
    int fd = open("/dev/null", O_RDONLY);
    long r = syscall(SYS_finit_module, fd, "", 0);
    printf("finit_module=%ld errno=%d\n", r, errno);
  } else if (!strcmp(cmd, "ptrace")) {
    pid_t child = fork();
    if (child == 0) { linger(); linger(); _exit(0); }
    long r = ptrace(PTRACE_ATTACH, child, NULL, NULL);
    if (r == 0) { waitpid(child, NULL, 0); ptrace(PTRACE_DETACH, child, NULL, NULL); }
    printf("ptrace=%ld\n", r);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
  } else if (!strcmp(cmd, "memfd")) {
    /* copy a harmless program into a memfd and execute it from there */
    int mfd = (int)syscall(SYS_memfd_create, "vigil-test", 0);
    int src = open(argc > 2 ? argv[2] : "/bin/true", O_RDONLY);
    char buf[65536];
    ssize_t n;
    while ((n = read(src, buf, sizeof buf)) > 0) if (write(mfd, buf, (size_t)n) != n) return 2;
    char *args[] = {"vigil-memfd", "0.3", NULL};
    char *env[] = {NULL};
    fexecve(mfd, args, env);
    perror("fexecve");
    return 1;
  } else if (!strcmp(cmd, "bpf")) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER; /* no instructions: refused with EINVAL */
    long r = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
    printf("bpf=%ld errno=%d\n", r, errno);
  } else if (!strcmp(cmd, "packet")) {
    int s = socket(AF_PACKET, SOCK_RAW, 0);
    printf("packet=%d\n", s);
    if (s >= 0) close(s);
  } else if (!strcmp(cmd, "dupsock") && argc > 2) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 1; }
    int saved = dup(1);
    dup2(s, 1);
    dup2(saved, 1);
    close(s);
  } else if (!strcmp(cmd, "connect") && argc > 2) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    printf("connect=%d\n", connect(s, (struct sockaddr *)&a, sizeof a));
    close(s);
  } else if (!strcmp(cmd, "chmodstorm") && argc > 3) {
    int n = atoi(argv[3]);
    for (int i = 0; i < n; i++) chmod(argv[2], (i & 1) ? 0600 : 0644);
  } else if (!strcmp(cmd, "connectstorm") && argc > 2) {
    int n = atoi(argv[2]);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(1)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < n; i++) connect(s, (struct sockaddr *)&a, sizeof a);
    close(s);
  }
  linger();
  return 0;
}
