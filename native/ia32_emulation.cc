#include "ia32_emulation.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

// The kernel's own switches (CONFIG_IA32_EMULATION, the ia32_emulation= boot
// option, a hypervisor without compat mode) are not all visible from user
// space; one int $0x80 in a throwaway child answers for all of them.
std::string ia32_emulation_off() {
#if defined(__x86_64__)
  pid_t child = fork();
  if (child < 0) return std::string("cannot fork to test int $0x80 (") + strerror(errno) + ")";
  if (child == 0) {
    // only async-signal-safe work after fork in a threaded process; the
    // default action, not a handler Node or V8 installed, for the trap's
    // signal. ia32 getpid is 20.
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    signal(SIGILL, SIG_DFL);
    long ret = 20;
    __asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
    _exit(ret == long(getpid()) ? 0 : 1);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  if (WIFSIGNALED(status))
    return std::string("int $0x80 killed a test process with ") + strsignal(WTERMSIG(status)) + ": ia32 emulation is off";
  return "int $0x80 getpid() did not return the pid: ia32 emulation is off";
#else
  return "not x86_64";
#endif
}
