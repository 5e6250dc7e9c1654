// Compile turns a rule list (the `filter NAME { SYSCALL if COND -> ACTION }` form of
// the scenario language) into a classic-BPF program through libseccomp, so that the
// simulator and the live backend run the very same bytes libseccomp users would get.
//
// The program is what seccomp_export_bpf() writes for a context made with
// seccomp_init(default_action) for x86_64 only, with libseccomp's default bad-arch
// action (KILL_THREAD) and NNP handling off (nothing is loaded; the process is never
// touched). Debian 12's libseccomp 2.5.4 has no seccomp_export_bpf_mem(): the program
// is exported into a memfd and read back.
//
// Errors (a one-line message), in the order they can arise:
//   - the default action is not one libseccomp accepts (seccomp_init fails);
//   - a rule libseccomp refuses (seccomp_rule_add_array < 0), notably: a rule whose
//     action equals the default action (EACCES), an invalid action or an argument
//     index above 5 (EINVAL), a syscall number libseccomp cannot place (EDOM/EINVAL);
//   - memfd_create / export / read-back failures.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bpf/insn.h"
#include "bpf/outcome.h"

namespace sclab::bpf {

// ArgCmp compares 64-bit argument `arg` (0..5): for kMaskedEq the test is
// (arg & mask) == value; the other operators ignore `mask`. Comparisons are unsigned,
// as libseccomp generates them.
struct ArgCmp {
  unsigned arg = 0;
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kMaskedEq } op = Op::kEq;
  uint64_t value = 0;
  uint64_t mask = 0;
};

// Rule: syscall `nr` (x86_64) whose every condition holds gets `action`.
struct Rule {
  int nr = 0;
  std::vector<ArgCmp> conds;
  uint32_t action = 0;
};

struct RuleList {
  uint32_t default_action = 0x7fff0000;  // SECCOMP_RET_ALLOW
  std::vector<Rule> rules;
};

Outcome<std::vector<Insn>, std::string> Compile(const RuleList& rules);

}  // namespace sclab::bpf
