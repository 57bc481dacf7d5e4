/* Syscall load for bench/capture.bench.ts.
 *
 *   syscallGenerator SECONDS WORKERS CONNECT_EVERY [mix|close|getppid]
 *
 * close mode: WORKERS processes call close(-1) in a tight loop for SECONDS
 * seconds, the cheapest syscall the probe reports (it fails with EBADF at
 * once), to find how many events per second capture can take. One
 * iteration = 1 syscall; CONNECT_EVERY is ignored.
 *
 * getppid mode: the same loop over getppid(), a syscall the probe neither
 * reports nor hooks on entry, to time what capture adds to every syscall
 * (ns/call = WORKERS / syscalls per second).
 *
 * mix mode (the default): WORKERS processes loop for SECONDS seconds over a
 * file-heavy mix:
 * openat/read/close of a small file and stat of it, and every CONNECT_EVERY
 * iterations a socket/connect/close to a loopback listener this program runs
 * itself (the parent accepts and closes), so connects succeed as real client
 * connections do. Prints one line: iterations per second over all workers,
 * the iterations, the connects that succeeded, then the CPU seconds (user +
 * system) the workers used: under other load, CPU time per call is steadier
 * than calls per second. One iteration = 4 syscalls (+3 with a
 * connect). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 64

struct shared {
  long ops[MAX_WORKERS];
  long connects[MAX_WORKERS];
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void work(int id, double end, int every, const struct sockaddr_in *sa, struct shared *sh) {
  const char *file = "/etc/hostname";
  char buf[64];
  struct stat st;
  long ops = 0, connects = 0;
  while (1) {
    for (int i = 0; i < 64; i++) {
      int fd = openat(AT_FDCWD, file, O_RDONLY);
      if (fd < 0) _exit(2);
      if (read(fd, buf, sizeof buf) < 0) _exit(2);
      close(fd);
      stat(file, &st);
      ops++;
      if (every > 0 && ops % every == 0) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0) _exit(3);
        if (connect(s, (const struct sockaddr *)sa, sizeof *sa) == 0) connects++;
        close(s);
      }
    }
    if (now() >= end) break;
  }
  sh->ops[id] = ops;
  sh->connects[id] = connects;
}

static void work_loop(int id, double end, int getppid_mode, struct shared *sh) {
  long ops = 0;
  while (1) {
    if (getppid_mode)
      for (int i = 0; i < 256; i++) syscall(SYS_getppid);
    else
      for (int i = 0; i < 256; i++) close(-1);
    ops += 256;
    if (now() >= end) break;
  }
  sh->ops[id] = ops;
  sh->connects[id] = 0;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 3;
  int workers = argc > 2 ? atoi(argv[2]) : 1;
  int every = argc > 3 ? atoi(argv[3]) : 16;
  const char *mode = argc > 4 ? argv[4] : "mix";
  int getppid_mode = strcmp(mode, "getppid") == 0;
  int close_mode = strcmp(mode, "close") == 0 || getppid_mode;
  if (seconds <= 0 || workers < 1 || workers > MAX_WORKERS || (!close_mode && strcmp(mode, "mix") != 0)) {
    fprintf(stderr, "usage: %s SECONDS WORKERS(1-%d) CONNECT_EVERY [mix|close|getppid]\n", argv[0], MAX_WORKERS);
    return 64;
  }
  struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (sh == MAP_FAILED) { perror("mmap"); return 1; }

  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t sl = sizeof sa;
  if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof sa) || listen(ls, 4096) || getsockname(ls, (struct sockaddr *)&sa, &sl)) {
    perror("listener");
    return 1;
  }

  double start = now(), end = start + seconds;
  pid_t pids[MAX_WORKERS];
  for (int w = 0; w < workers; w++) {
    pids[w] = fork();
    if (pids[w] < 0) { perror("fork"); return 1; }
    if (pids[w] == 0) {
      close(ls);
      if (close_mode)
        work_loop(w, end, getppid_mode, sh);
      else
        work(w, end, every, &sa, sh);
      _exit(0);
    }
  }
  /* accept until every worker has exited */
  int live = workers, failed = 0;
  while (live > 0) {
    struct pollfd p = {.fd = ls, .events = POLLIN};
    if (poll(&p, 1, 20) > 0) {
      int c;
      while ((c = accept(ls, NULL, NULL)) >= 0) close(c);
    }
    int status;
    pid_t done;
    while ((done = waitpid(-1, &status, WNOHANG)) > 0) {
      live--;
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed = 1;
    }
  }
  double elapsed = now() - start;
  if (failed) { fprintf(stderr, "a worker failed\n"); return 1; }
  long ops = 0, connects = 0;
  for (int w = 0; w < workers; w++) {
    ops += sh->ops[w];
    connects += sh->connects[w];
  }
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("%.0f %ld %ld %.6f\n", ops / elapsed, ops, connects, cpu);
  return 0;
}
