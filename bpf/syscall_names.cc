#include "bpf/syscall_names.h"

#include <seccomp.h>

#include <cstdlib>

namespace sclab::bpf {

std::optional<int> X86_64SyscallNumber(std::string_view name) {
  const std::string owned(name);
  const int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, owned.c_str());
  // Negative values are __NR_SCMP_ERROR or libseccomp's pseudo-numbers for
  // syscalls that x86_64 does not have.
  if (nr < 0) {
    return std::nullopt;
  }
  return nr;
}

std::string X86_64SyscallName(int nr) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
  if (name == nullptr) {
    return "";
  }
  std::string out(name);
  std::free(name);  // NOLINT(cppcoreguidelines-no-malloc): libseccomp's contract
  return out;
}

}  // namespace sclab::bpf
