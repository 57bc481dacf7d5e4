#include "syscall_tracepoints.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

bool is_dir(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// reads <root>/events/syscalls/sys_enter_<name>/id for each name
std::string read_ids(const std::string &root, const char *const *names, size_t n, int *ids) {
  for (size_t i = 0; i < n; i++) {
    std::string path = root + "/events/syscalls/sys_enter_" + names[i] + "/id";
    FILE *f = fopen(path.c_str(), "re");
    if (!f) return "cannot read " + path + " (" + strerror(errno) + ")";
    int id = -1;
    int got = fscanf(f, "%d", &id);
    fclose(f);
    if (got != 1 || id < 0) return path + " does not hold a tracepoint id";
    ids[i] = id;
  }
  return "";
}

}  // namespace

std::string syscall_enter_tracepoint_ids(const char *const *names, size_t n, int *ids) {
  for (const char *root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"})
    if (is_dir(std::string(root) + "/events/syscalls")) return read_ids(root, names, n, ids);

  const char *tmp = getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/vigil-tracefs-XXXXXX";
  if (!mkdtemp(&tmpl[0])) return "cannot make a directory to mount tracefs on (" + std::string(strerror(errno)) + ")";
  std::string why;
  if (mount("nodev", tmpl.c_str(), "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    why = "cannot mount tracefs (" + std::string(strerror(errno)) + ")";
  } else {
    why = read_ids(tmpl, names, n, ids);
    // a lazy unmount if something still holds the mount (nothing here should)
    if (umount2(tmpl.c_str(), 0) != 0 && umount2(tmpl.c_str(), MNT_DETACH) != 0 && why.empty())
      why = "cannot unmount tracefs from " + tmpl + " (" + strerror(errno) + ")";
  }
  rmdir(tmpl.c_str());
  return why;
}
