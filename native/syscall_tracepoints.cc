#include "syscall_tracepoints.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

bool is_dir(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// reads <base>events/syscalls/sys_<dir>_<name>/id for each name, base taken
// relative to dirfd; shown names the tracefs in errors
std::string read_ids(int dirfd, const std::string &base, const std::string &shown, const char *dir,
                     const char *const *names, size_t n, int *ids, bool required) {
  // a kernel without syscall tracepoints (CONFIG_FTRACE_SYSCALLS off) has no such directory
  int sys = openat(dirfd, (base + "events/syscalls").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (sys < 0) return "cannot open " + shown + "events/syscalls (" + strerror(errno) + ")";
  close(sys);
  for (size_t i = 0; i < n; i++) {
    ids[i] = -1;
    if (!names[i] || !names[i][0]) continue;
    std::string rel = std::string("events/syscalls/sys_") + dir + "_" + names[i] + "/id";
    int fd = openat(dirfd, (base + rel).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && !required) continue;
    FILE *f = fd < 0 ? nullptr : fdopen(fd, "r");
    if (!f) {
      std::string why = "cannot read " + shown + rel + " (" + strerror(errno) + ")";
      if (fd >= 0) close(fd);
      return why;
    }
    int id = -1;
    int got = fscanf(f, "%d", &id);
    fclose(f);
    if (got != 1 || id < 0) return shown + rel + " does not hold a tracepoint id";
    ids[i] = id;
  }
  return "";
}

}  // namespace

std::string syscall_tracepoint_ids(const char *dir, const char *const *names, size_t n, int *ids, bool required) {
  for (const char *root : {"/sys/kernel/tracing/", "/sys/kernel/debug/tracing/"})
    if (is_dir(std::string(root) + "events/syscalls"))
      return read_ids(AT_FDCWD, root, root, dir, names, n, ids, required);

  // A detached mount (Linux 5.2+): it is in no mount namespace, so it never
  // shows or propagates anywhere, and no path a user could swap is involved;
  // closing its fd frees it.
  int fs = fsopen("tracefs", FSOPEN_CLOEXEC);
  if (fs < 0) return "cannot open tracefs (" + std::string(strerror(errno)) + ")";
  int mnt = -1;
  if (fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0)
    mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  int e = errno;
  close(fs);
  if (mnt < 0) return "cannot mount tracefs (" + std::string(strerror(e)) + ")";
  std::string why = read_ids(mnt, "", "tracefs:", dir, names, n, ids, required);
  close(mnt);
  return why;
}
