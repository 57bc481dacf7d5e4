// Ids of the kernel's per-syscall tracepoints, read from tracefs.
#pragma once

#include <stddef.h>

#include <string>

// Fills ids[i] with the id of syscalls/sys_<dir>_<names[i]> (dir: "enter" or
// "exit"); a null or empty name is skipped (id -1). Uses tracefs where it is
// mounted; otherwise makes a detached tracefs mount (fsmount), which no mount
// namespace holds, reads the ids through its fd and closes it, so no mount
// ever appears on the host. With `required`, a missing tracepoint is an error;
// without, its id is -1 (the kernel has no such syscall). Returns "" or why not.
std::string syscall_tracepoint_ids(const char *dir, const char *const *names, size_t n, int *ids, bool required);
