// ValidatedProgram is a classic-BPF program the kernel would accept as a seccomp
// filter; Validate() is the only way to make one. Validate() applies, in the kernel's
// order, the length rule of seccomp_prepare_filter(), every rule of
// bpf_check_classic() (net/core/filter.c) and then of seccomp_check_filter()
// (kernel/seccomp.c), and performs the kernel's rewrites.
//
// Errors, in the order they are checked (the first failing rule is reported; every
// one is EINVAL):
//   1. length 0 or > 4096 (whole program, insn -1);
//   2. bpf_check_classic, instruction by instruction: unknown opcode; DIV/MOD by
//      constant 0; LSH/RSH by a constant >= 32; M[k] with k >= 16; JA target out of
//      range; JEQ/JGT/JGE/JSET jt or jf target out of range; LD ABS at an offset
//      >= SKF_AD_OFF that is no known ancillary load;
//   3. the last instruction is not RET K / RET A;
//   4. check_load_and_stores: a scratch cell read where the path-insensitive scan
//      cannot prove a store;
//   5. seccomp_check_filter, instruction by instruction: LD|W|ABS offset >= data_size
//      or not a multiple of 4; any opcode outside the seccomp allow-list (MOD, byte and
//      halfword loads, IND loads, LDX MSH, ancillary loads, ...).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bpf/decoded_insn.h"
#include "bpf/insn.h"
#include "bpf/outcome.h"

namespace sclab::bpf {

inline constexpr uint32_t kSeccompDataSize = 64;  // sizeof(struct seccomp_data)

// ValidateOptions: `data_size` is the size of the buffer LD|W|ABS may read
// (sizeof(struct seccomp_data) = 64 for every kernel; the deep-argument-inspection
// proposal passes a larger one). LEN loads are rewritten to this value.
struct ValidateOptions {
  uint32_t data_size = kSeccompDataSize;
};

// ValidationError is why the kernel refuses a program: the errno it returns (always
// EINVAL = 22 from these rules), the index of the offending instruction (-1 for a
// whole-program rule), a human reason, and the kernel function whose rule fired.
struct ValidationError {
  int errno_value = 22;
  int insn = -1;
  std::string reason;
  const char* rule = "";  // e.g. "bpf_check_classic"

  // Message is "insn 7: jump target out of range (...)" or, for insn -1, the reason.
  std::string Message() const;
};

class ValidatedProgram {
 public:
  // Insns is the program after the kernel's rewrites: LD|W|LEN -> LD|IMM data_size,
  // LDX|W|LEN -> LDX|IMM data_size. (The kernel also retags LD|W|ABS internally; that
  // tag has no meaning outside its eBPF conversion and is not reproduced.)
  std::span<const Insn> Insns() const { return insns_; }
  // Original is the user's program before any rewrite: what the kernel keeps for
  // the action cache and for PTRACE_SECCOMP_GET_FILTER.
  std::span<const Insn> Original() const { return original_; }
  int Length() const { return static_cast<int>(insns_.size()); }
  // TranslatedLength is the eBPF length bpf_convert_filter() produces; seccomp charges
  // it (plus 4 per filter) against MAX_INSNS_PER_PATH when attaching.
  int TranslatedLength() const { return translated_length_; }
  // MaxDataOffset is one past the highest byte any LD|W|ABS reads (0 if none).
  uint32_t MaxDataOffset() const { return max_data_offset_; }
  uint32_t DataSize() const { return data_size_; }
  // Decoded is the interpreter's pre-decoded form (see bpf/decoded_insn.h).
  std::span<const detail::DecodedInsn> Decoded() const { return decoded_; }

 private:
  ValidatedProgram() = default;
  friend Outcome<ValidatedProgram, ValidationError> Validate(std::span<const Insn>,
                                                            const ValidateOptions&);

  std::vector<Insn> insns_;
  std::vector<Insn> original_;
  std::vector<detail::DecodedInsn> decoded_;
  int translated_length_ = 0;
  uint32_t max_data_offset_ = 0;
  uint32_t data_size_ = kSeccompDataSize;
};

// Validate checks `program` exactly as seccomp(SECCOMP_SET_MODE_FILTER) does between
// copying it in and converting it; see the header comment for the rules and order.
Outcome<ValidatedProgram, ValidationError> Validate(std::span<const Insn> program,
                                                   const ValidateOptions& options = {});

// TranslatedLength computes bpf_convert_filter()'s output length for a program that
// passed validation (after the LEN rewrites): 3 prologue instructions plus, per
// instruction, RET K 2, RET A 1, DIV X 5, other ALU/loads/stores/moves/JA 1, and a
// conditional jump 1, +1 if its K is negative as an int32, +1 more unless jf == 0 or
// (jt == 0 and the test is JEQ, JGT or JGE).
int TranslatedLength(std::span<const Insn> validated);

}  // namespace sclab::bpf
