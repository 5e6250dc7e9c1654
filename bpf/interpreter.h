// Run executes a validated seccomp program over a data buffer exactly as the kernel's
// classic-BPF semantics define it (kernel-semantics-detailed §5.9): A and X start at
// 0; ALU is 32-bit and wraps; DIV is unsigned and a division by X == 0 ends the
// program with return value 0; shifts by X use the low 5 bits of X; comparisons are
// unsigned; JSET tests (A & operand) != 0; LD|W|ABS reads a little-endian u32.
//
// `data` is normally the 64-byte struct seccomp_data (see SeccompData), and may be
// longer (the deep-argument-inspection proposal); it must cover MaxDataOffset()
// (SCLAB_CHECK). There is no other failure: a validated program always returns.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#include "bpf/validator.h"

namespace sclab::bpf {

// SeccompData mirrors include/uapi/linux/seccomp.h struct seccomp_data.
struct SeccompData {
  int32_t nr = 0;
  uint32_t arch = 0;
  uint64_t instruction_pointer = 0;
  uint64_t args[6] = {};
};

// Audit architecture values the filters compare against (include/uapi/linux/audit.h).
inline constexpr uint32_t kAuditArchX86_64 = 0xC000003E;
inline constexpr uint32_t kAuditArchI386 = 0x40000003;

// SeccompDataBytes lays `data` out as the kernel does on x86_64: 64 bytes, little
// endian, nr @0, arch @4, instruction_pointer @8, args[i] @16+8i.
std::array<uint8_t, kSeccompDataSize> SeccompDataBytes(const SeccompData& data);

// SeccompDataSpan is the same 64 bytes for a filter run: on a little-endian host
// SeccompData already has the kernel's layout, so its own bytes, with no copy (on every
// filtered syscall); elsewhere SeccompDataBytes() written into *scratch.
inline std::span<const uint8_t> SeccompDataSpan(const SeccompData& data,
                                                std::array<uint8_t, kSeccompDataSize>* scratch) {
  static_assert(sizeof(SeccompData) == kSeccompDataSize && offsetof(SeccompData, args) == 16);
  if constexpr (std::endian::native == std::endian::little) {
    return {reinterpret_cast<const uint8_t*>(&data), kSeccompDataSize};
  } else {
    *scratch = SeccompDataBytes(data);
    return *scratch;
  }
}

// RunResult is the program's 32-bit return value and the number of instructions it
// executed (including the final RET).
struct RunResult {
  uint32_t ret = 0;
  uint32_t insns_executed = 0;
};

RunResult Run(const ValidatedProgram& program, std::span<const uint8_t> data);
RunResult Run(const ValidatedProgram& program, const SeccompData& data);

}  // namespace sclab::bpf
