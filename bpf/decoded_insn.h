// DecodedInsn is the interpreter's pre-decoded form of one validated instruction:
// the 16-bit opcode replaced by a dense handler index, so that Run() dispatches
// through a table instead of re-decoding class/op/source on every step. The
// validator builds it once (ValidatedProgram::Decoded()); nothing else should.
#pragma once

#include <cstdint>

#include "bpf/insn.h"

namespace sclab::bpf::detail {

// Handler lists the instructions a validated seccomp program can contain: exactly
// the allow-list of seccomp_check_filter(), with LEN loads already rewritten to IMM.
enum class Handler : uint8_t {
  kLdAbs, kLdImm, kLdxImm, kLdMem, kLdxMem, kSt, kStx,
  kAddK, kSubK, kMulK, kDivK, kOrK, kAndK, kLshK, kRshK, kXorK,
  kAddX, kSubX, kMulX, kDivX, kOrX, kAndX, kLshX, kRshX, kXorX,
  kNeg, kTax, kTxa, kRetK, kRetA, kJa,
  kJeqK, kJgtK, kJgeK, kJsetK, kJeqX, kJgtX, kJgeX, kJsetX,
  // K-form tests whose false branch is the next instruction (jf == 0), as in the
  // long `jeq #nr, match` chains libseccomp emits: the common path is `pc + 1`, with
  // no load on the address chain.
  kJeqKNext, kJgtKNext, kJgeKNext, kJsetKNext,
  kCount,
};

struct DecodedInsn {
  Handler handler;
  uint8_t jt;
  uint8_t jf;
  uint8_t unused = 0;
  uint32_t k;
};
static_assert(sizeof(DecodedInsn) == 8);

// Decode maps one instruction that passed validation (and rewriting) to its handler.
// SCLAB_CHECKs that the code is one seccomp allows.
DecodedInsn Decode(const Insn& validated);

}  // namespace sclab::bpf::detail
