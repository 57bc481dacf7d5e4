/* Syscall load for bench/capture.bench.ts: for SECONDS seconds, loop over
 * open/read/close, stat and socket/connect/close (to a closed loopback port),
 * then print the number of loop iterations per second. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 3;
  int port = argc > 2 ? atoi(argv[2]) : 9;
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  char buf[64];
  struct stat st;
  long ops = 0;
  double start = now(), end = start + seconds;
  while (1) {
    for (int i = 0; i < 64; i++) {
      int fd = open("/etc/hostname", O_RDONLY);
      if (fd >= 0) {
        if (read(fd, buf, sizeof buf) < 0) return 1;
        close(fd);
      }
      stat("/etc/hostname", &st);
      int s = socket(AF_INET, SOCK_STREAM, 0);
      if (s >= 0) {
        connect(s, (struct sockaddr *)&sa, sizeof sa);
        close(s);
      }
      ops++;
    }
    if (now() >= end) break;
  }
  printf("%.0f\n", ops / (now() - start));
  return 0;
}
