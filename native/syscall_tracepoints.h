// Ids of the kernel's per-syscall enter tracepoints, read from tracefs.
#pragma once

#include <stddef.h>

#include <string>

// Fills ids[i] with the id of syscalls/sys_enter_<names[i]>. Uses tracefs
// where it is mounted; otherwise makes a detached tracefs mount (fsmount),
// which no mount namespace holds, reads the ids through its fd and closes it,
// so no mount ever appears on the host. Returns "" or why not.
std::string syscall_enter_tracepoint_ids(const char *const *names, size_t n, int *ids);
