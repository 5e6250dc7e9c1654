// DecodedInsn is the interpreter's pre-decoded form of one validated instruction:
// the 16-bit opcode replaced by a dense handler index, so that Run() dispatches
// through a table instead of re-decoding class/op/source on every step. The
// validator builds it once (ValidatedProgram::Decoded()); nothing else should.
#pragma once

#include <cstdint>
#include <span>
#include <type_traits>

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
  uint8_t unused;  // DecodeAll() writes 0; no initializer, so the type stays trivial
  uint32_t k;
};
static_assert(sizeof(DecodedInsn) == 8);
static_assert(std::is_trivial_v<DecodedInsn>, "a decoded program is sized without a constructor loop");

// DecodeAll maps each instruction of a program that passed validation (and
// rewriting) to its handler, into `out` (the same length). SCLAB_CHECKs that every
// code is one seccomp allows.
void DecodeAll(std::span<const Insn> validated, std::span<DecodedInsn> out);

}  // namespace sclab::bpf::detail
