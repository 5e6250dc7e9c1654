// The kernel's constant-action cache (kernel/seccomp.c, 5.11+): when a filter is
// attached, the kernel emulates it for every syscall number of each native arch with
// only `nr` and `arch` known, and records in a per-filter bitmap the syscalls the
// filter *and every older filter* certainly ALLOW. A syscall whose bit is set in the
// newest filter's bitmap skips all filters. The cache never changes a verdict except
// through the deliberate exception: on 6.18 x86_64, native syscalls 335 (uretprobe)
// and 336 (uprobe) are always treated as allowed, so no filter can stop them.
//
// The emulator understands only LD|W|ABS of nr (offset 0) and arch (offset 4), JA,
// JEQ/JGE/JGT/JSET with K, AND with K and RET K; any other instruction reached makes
// the syscall "not constant". It runs on the ORIGINAL program (before the LEN
// rewrites), as the kernel does.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bpf/insn.h"
#include "bpf/interpreter.h"
#include "bpf/validator.h"

namespace sclab::bpf {

// Bitmap sizes on 6.18 x86_64: SECCOMP_ARCH_NATIVE_NR = NR_syscalls (the last
// x86_64 syscall is file_setattr, 469) and SECCOMP_ARCH_COMPAT_NR = IA32_NR_syscalls.
inline constexpr int kX86_64SyscallCount = 470;
inline constexpr int kI386SyscallCount = 470;
inline constexpr int kNrUretprobe = 335;  // __NR_uretprobe (x86_64)
inline constexpr int kNrUprobe = 336;     // __NR_uprobe (x86_64, 6.18)

// ConstantResult runs the kernel's limited emulator on `original` with `nr` and
// `arch` fixed and returns the RET K value it reaches, or nullopt when the result may
// depend on arguments or the instruction pointer (or the emulator gives up). It has
// no uprobe exception: it describes the program, not the cache.
std::optional<uint32_t> ConstantResult(std::span<const Insn> original, uint32_t arch, int nr);

// KernelCacheAllows models kernel/seccomp.c seccomp_is_const_allow() on 6.18: true
// for native 335/336 without looking at the program, else true only when the
// emulation returns exactly SECCOMP_RET_ALLOW (0x7fff0000; ALLOW with data, or LOG,
// is not cached).
bool KernelCacheAllows(std::span<const Insn> original, uint32_t arch, int nr);

// ActionCache is one filter's pair of bitmaps (struct action_cache).
class ActionCache {
 public:
  // Prepare models seccomp_cache_prepare(): start from `parent`'s bitmaps (all ones
  // when the filter is the first), keep a bit only if KernelCacheAllows().
  static ActionCache Prepare(const ValidatedProgram& filter, const ActionCache* parent);

  // Allows models seccomp_cache_check_allow(): true when (arch, nr) skips every filter.
  // nr < 0, nr beyond the bitmap, or an arch that is neither x86_64 nor i386 → false.
  // Inline: every filtered syscall asks it first.
  bool Allows(uint32_t arch, int nr) const {
    if (nr < 0) {
      return false;
    }
    const auto bit = static_cast<size_t>(nr);
    if (arch == kAuditArchX86_64) {
      return bit < native_.size() && native_[bit];
    }
    if (arch == kAuditArchI386) {
      return bit < compat_.size() && compat_[bit];
    }
    return false;
  }

  const std::bitset<kX86_64SyscallCount>& Native() const { return native_; }
  const std::bitset<kI386SyscallCount>& Compat() const { return compat_; }

 private:
  std::bitset<kX86_64SyscallCount> native_;
  std::bitset<kI386SyscallCount> compat_;
};

// ConstantActions gives, for every x86_64 syscall number 0..kX86_64SyscallCount-1,
// ConstantResult(original, AUDIT_ARCH_X86_64, nr): the action the program always
// returns for it, or nullopt for "depends on the arguments".
std::vector<std::optional<uint32_t>> ConstantActions(std::span<const Insn> original);

}  // namespace sclab::bpf
