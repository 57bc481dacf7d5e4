// Ids of the kernel's per-syscall enter tracepoints, read from tracefs.
#pragma once

#include <stddef.h>

#include <string>

// Fills ids[i] with the id of syscalls/sys_enter_<names[i]>. Uses tracefs
// where it is mounted; otherwise mounts it on a private temporary directory
// just long enough to read the ids, then unmounts it and removes the
// directory, so no mount is left on the host. Returns "" or why not.
std::string syscall_enter_tracepoint_ids(const char *const *names, size_t n, int *ids);
