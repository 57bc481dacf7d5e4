// Whether this kernel runs ia32 (32-bit) syscalls.
#pragma once

#include <string>

// "" when a child process's `int $0x80` getpid() returns its pid (ia32
// emulation is on: 32-bit code and int $0x80 reach the kernel), else why not
// (the child was killed: CONFIG_IA32_EMULATION off, or ia32_emulation=false).
std::string ia32_emulation_off();
