// Insn is one classic-BPF instruction, laid out byte for byte like the kernel's
// `struct sock_filter` (include/uapi/linux/filter.h): u16 code, u8 jt, u8 jf, u32 k.
//
// This header also names every classic opcode (the field constants of the uapi
// header and the full 16-bit codes the kernel's checkers switch on), and gives the
// `Stmt()` / `Jump()` helpers that mirror the uapi `BPF_STMT` / `BPF_JUMP` macros.
// Nothing here validates: any 16-bit code is representable, as it is in the kernel's
// input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sclab::bpf {

struct Insn {
  uint16_t code = 0;
  uint8_t jt = 0;
  uint8_t jf = 0;
  uint32_t k = 0;

  friend bool operator==(const Insn&, const Insn&) = default;
};
static_assert(sizeof(Insn) == 8, "Insn must have the layout of struct sock_filter");

// Stmt builds a non-jump instruction (BPF_STMT).
constexpr Insn Stmt(uint16_t code, uint32_t k) { return Insn{code, 0, 0, k}; }

// Jump builds a jump instruction (BPF_JUMP); jt/jf are relative to the next insn.
constexpr Insn Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return Insn{code, jt, jf, k};
}

// Field constants of include/uapi/linux/bpf_common.h and filter.h.
namespace op {
// Instruction classes (code & 0x07).
inline constexpr uint16_t kLd = 0x00, kLdx = 0x01, kSt = 0x02, kStx = 0x03, kAlu = 0x04,
                          kJmp = 0x05, kRet = 0x06, kMisc = 0x07;
// Load sizes (code & 0x18) and modes (code & 0xe0).
inline constexpr uint16_t kW = 0x00, kH = 0x08, kB = 0x10;
inline constexpr uint16_t kImm = 0x00, kAbs = 0x20, kInd = 0x40, kMem = 0x60, kLen = 0x80,
                          kMsh = 0xa0;
// ALU operations and jump tests (code & 0xf0).
inline constexpr uint16_t kAdd = 0x00, kSub = 0x10, kMul = 0x20, kDiv = 0x30, kOr = 0x40,
                          kAnd = 0x50, kLsh = 0x60, kRsh = 0x70, kNeg = 0x80, kMod = 0x90,
                          kXor = 0xa0;
inline constexpr uint16_t kJa = 0x00, kJeq = 0x10, kJgt = 0x20, kJge = 0x30, kJset = 0x40;
// Operand source (code & 0x08) and RET value (code & 0x18).
inline constexpr uint16_t kK = 0x00, kX = 0x08;
inline constexpr uint16_t kRetValK = 0x00, kRetValX = 0x08, kRetValA = 0x10;
// MISC operations (code & 0xf8).
inline constexpr uint16_t kTax = 0x00, kTxa = 0x80;

constexpr uint16_t Class(uint16_t code) { return code & 0x07; }
constexpr uint16_t Size(uint16_t code) { return code & 0x18; }
constexpr uint16_t Mode(uint16_t code) { return code & 0xe0; }
constexpr uint16_t Op(uint16_t code) { return code & 0xf0; }
constexpr uint16_t Src(uint16_t code) { return code & 0x08; }
}  // namespace op

// Full 16-bit codes of every instruction the kernel's chk_code_allowed() knows,
// plus RET|X (which it does not know: a classic-BPF opcode Linux never accepted).
inline constexpr uint16_t kLdWAbs = 0x20, kLdHAbs = 0x28, kLdBAbs = 0x30, kLdWInd = 0x40,
                          kLdHInd = 0x48, kLdBInd = 0x50, kLdWLen = 0x80, kLdImm = 0x00,
                          kLdMem = 0x60, kLdxWLen = 0x81, kLdxBMsh = 0xb1, kLdxImm = 0x01,
                          kLdxMem = 0x61, kSt = 0x02, kStx = 0x03;
inline constexpr uint16_t kAddK = 0x04, kAddX = 0x0c, kSubK = 0x14, kSubX = 0x1c,
                          kMulK = 0x24, kMulX = 0x2c, kDivK = 0x34, kDivX = 0x3c,
                          kOrK = 0x44, kOrX = 0x4c, kAndK = 0x54, kAndX = 0x5c,
                          kLshK = 0x64, kLshX = 0x6c, kRshK = 0x74, kRshX = 0x7c,
                          kNeg = 0x84, kModK = 0x94, kModX = 0x9c, kXorK = 0xa4,
                          kXorX = 0xac;
inline constexpr uint16_t kJa = 0x05, kJeqK = 0x15, kJeqX = 0x1d, kJgtK = 0x25,
                          kJgtX = 0x2d, kJgeK = 0x35, kJgeX = 0x3d, kJsetK = 0x45,
                          kJsetX = 0x4d;
inline constexpr uint16_t kRetK = 0x06, kRetA = 0x16, kRetX = 0x0e, kTax = 0x07,
                          kTxa = 0x87;

// IsConditionalJump is true for JEQ/JGT/JGE/JSET with K or X (the codes whose
// jt/jf the kernel checks).
constexpr bool IsConditionalJump(uint16_t code) {
  switch (code) {
    case kJeqK: case kJeqX: case kJgtK: case kJgtX:
    case kJgeK: case kJgeX: case kJsetK: case kJsetX:
      return true;
    default:
      return false;
  }
}

// Limits from include/uapi/linux/filter.h and kernel/seccomp.c.
inline constexpr int kMaxInsns = 4096;             // BPF_MAXINSNS
inline constexpr uint32_t kMemWords = 16;          // BPF_MEMWORDS
inline constexpr int kMaxInsnsPerPath = 32768;     // MAX_INSNS_PER_PATH: 256 KiB / 8
inline constexpr int kPathPenaltyPerFilter = 4;    // seccomp_attach_filter()'s "+ 4"
inline constexpr uint32_t kAncillaryOffset = 0xfffff000;  // SKF_AD_OFF (-0x1000)

// OpcodeName is a short bpf_asm-style description of a 16-bit code ("mod #k",
// "ldb [x+k]", "jset x"), or "" for a code outside the table above.
std::string_view OpcodeName(uint16_t code);

// kCodeTableSize: every code classic BPF defines is below 0x100 (OpcodeName() names
// none above), so a per-code table of that size answers for any code below it, and
// a code at or above it is unknown.
inline constexpr size_t kCodeTableSize = 0x100;

// CodeTable evaluates `fn(code)` once for every code below kCodeTableSize: the
// validator's and the decoder's per-opcode decisions, looked up in their loops.
template <class T, class Fn>
std::array<T, kCodeTableSize> CodeTable(Fn fn) {
  std::array<T, kCodeTableSize> table{};
  for (size_t c = 0; c < table.size(); ++c) {
    table[c] = fn(static_cast<uint16_t>(c));
  }
  return table;
}

}  // namespace sclab::bpf
