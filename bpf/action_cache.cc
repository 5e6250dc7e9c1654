#include "bpf/action_cache.h"

#include "bpf/actions.h"
#include "bpf/interpreter.h"

namespace sclab::bpf {
namespace {

bool IsUprobeException(uint32_t arch, int nr) {
  return arch == kAuditArchX86_64 && (nr == kNrUretprobe || nr == kNrUprobe);
}

// EmulateConstant is ConstantResult; *branched (when given) says whether the run
// took a conditional jump. Only those read A, so a run without one follows the same
// path, and reaches the same result, for every arch and nr.
std::optional<uint32_t> EmulateConstant(std::span<const Insn> original, uint32_t arch, int nr,
                                        bool* branched) {
  uint32_t a = 0;
  for (size_t pc = 0; pc < original.size(); ++pc) {
    const Insn& insn = original[pc];
    switch (insn.code) {
      case kLdWAbs:
        if (insn.k == 0) {
          a = static_cast<uint32_t>(nr);
        } else if (insn.k == 4) {
          a = arch;
        } else {
          return std::nullopt;  // args or instruction pointer: not constant
        }
        break;
      case kRetK:
        return insn.k;
      case kJa:
        pc += insn.k;
        break;
      case kJeqK:
        if (branched != nullptr) *branched = true;
        pc += a == insn.k ? insn.jt : insn.jf;
        break;
      case kJgeK:
        if (branched != nullptr) *branched = true;
        pc += a >= insn.k ? insn.jt : insn.jf;
        break;
      case kJgtK:
        if (branched != nullptr) *branched = true;
        pc += a > insn.k ? insn.jt : insn.jf;
        break;
      case kJsetK:
        if (branched != nullptr) *branched = true;
        pc += (a & insn.k) != 0 ? insn.jt : insn.jf;
        break;
      case kAndK:
        a &= insn.k;
        break;
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;  // ran off the end: the kernel WARNs and does not cache
}

}  // namespace

// Models the emulation loop of kernel/seccomp.c seccomp_is_const_allow(), returning
// the constant instead of comparing it with ALLOW.
std::optional<uint32_t> ConstantResult(std::span<const Insn> original, uint32_t arch, int nr) {
  return EmulateConstant(original, arch, nr, nullptr);
}

bool KernelCacheAllows(std::span<const Insn> original, uint32_t arch, int nr) {
  if (IsUprobeException(arch, nr)) {
    return true;
  }
  const auto result = ConstantResult(original, arch, nr);
  return result.has_value() && *result == kRetAllow;
}

// Models kernel/seccomp.c seccomp_cache_prepare() / seccomp_cache_prepare_bitmap().
// The kernel emulates the program once per (arch, nr); when a first emulation takes
// no conditional jump, every other one would follow the same path to the same
// result, so that result is used for all of them (a long straight-line program
// costs one emulation instead of 940).
ActionCache ActionCache::Prepare(const ValidatedProgram& filter, const ActionCache* parent) {
  ActionCache cache;
  if (parent != nullptr) {
    cache = *parent;
  } else {
    cache.native_.set();
    cache.compat_.set();
  }
  const std::span<const Insn> original = filter.Original();
  bool branched = false;
  const std::optional<uint32_t> first = EmulateConstant(original, kAuditArchX86_64, 0, &branched);
  const bool uniform = !branched;
  auto allows = [&](uint32_t arch, int nr) {
    if (!uniform) return KernelCacheAllows(original, arch, nr);
    return IsUprobeException(arch, nr) || (first.has_value() && *first == kRetAllow);
  };
  for (int nr = 0; nr < kX86_64SyscallCount; ++nr) {
    const auto bit = static_cast<size_t>(nr);
    if (cache.native_.test(bit) && !allows(kAuditArchX86_64, nr)) {
      cache.native_.reset(bit);
    }
  }
  for (int nr = 0; nr < kI386SyscallCount; ++nr) {
    const auto bit = static_cast<size_t>(nr);
    if (cache.compat_.test(bit) && !allows(kAuditArchI386, nr)) {
      cache.compat_.reset(bit);
    }
  }
  return cache;
}

// Models kernel/seccomp.c seccomp_cache_check_allow().
std::vector<std::optional<uint32_t>> ConstantActions(std::span<const Insn> original) {
  std::vector<std::optional<uint32_t>> out;
  out.reserve(kX86_64SyscallCount);
  for (int nr = 0; nr < kX86_64SyscallCount; ++nr) {
    out.push_back(ConstantResult(original, kAuditArchX86_64, nr));
  }
  return out;
}

}  // namespace sclab::bpf
