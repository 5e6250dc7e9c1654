// x86_64 syscall names and numbers, as libseccomp knows them
// (seccomp_syscall_resolve_name_arch / _num_arch with SCMP_ARCH_X86_64). The bpf/
// layer uses them for assembler constants, disassembly comments and `bpf emu` input;
// it does not depend on the model's table of modelled syscalls.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sclab::bpf {

// X86_64SyscallNumber returns the number of an x86_64 syscall name ("getppid" -> 110),
// or nullopt when libseccomp does not know it for x86_64.
std::optional<int> X86_64SyscallNumber(std::string_view name);

// X86_64SyscallName returns the name of an x86_64 syscall number, or "" if unknown.
std::string X86_64SyscallName(int nr);

}  // namespace sclab::bpf
