// The validator replays the kernel's checks in the kernel's order, so that the first
// rule it reports is the one the kernel would stop at:
//
//   seccomp_prepare_filter()   length 1..4096
//   bpf_check_classic()        one pass over the instructions (opcode known, then the
//                              per-opcode checks), then "last is RET", then
//                              check_load_and_stores()
//   seccomp_check_filter()     one pass: LD|W|ABS bounds and alignment, LEN rewrites,
//                              the seccomp allow-list
//
// check_load_and_stores() is reproduced exactly, including its path insensitivity: a
// single forward scan with one "valid cells" mask that each jump ANDs into the mask of
// its targets and then resets to all-ones. That makes code right after a jump look
// fully initialised (even if unreachable) and code right after a RET inherit the
// RET's mask; both quirks are part of the kernel's verdict and are kept.
#include "bpf/validator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

namespace sclab::bpf {
namespace {

constexpr int kEinval = 22;

Err<ValidationError> Reject(int insn, std::string reason, const char* rule) {
  return Err<ValidationError>{ValidationError{kEinval, insn, std::move(reason), rule}};
}

// Models include/linux/filter.h bpf_anc_helper(): the SKF_AD_* offsets it knows.
bool IsKnownAncillary(uint32_t k) {
  if (k < kAncillaryOffset) {
    return false;
  }
  const uint32_t ad = k - kAncillaryOffset;
  // SKF_AD_PROTOCOL (0) .. SKF_AD_VLAN_TPID (60), every 4 bytes.
  return ad <= 60 && ad % 4 == 0;
}

// Models net/core/filter.c chk_code_allowed(): the codes classic BPF knows. Its
// table, like the kernel's codes[], is indexed by the code: every code OpcodeName()
// names (all below 0x100), except RET|X.
bool IsKnownCode(uint16_t code) {
  static const std::array<bool, 0x100> kKnown = [] {
    std::array<bool, 0x100> known{};
    for (size_t c = 0; c < known.size(); ++c) {
      const auto code16 = static_cast<uint16_t>(c);
      known[c] = code16 != kRetX && !OpcodeName(code16).empty();
    }
    return known;
  }();
  return code < kKnown.size() && kKnown[code];
}

// Models net/core/filter.c bpf_check_classic()'s per-instruction loop.
std::optional<Err<ValidationError>> CheckClassicInsn(std::span<const Insn> program, int pc) {
  constexpr const char* kRule = "bpf_check_classic";
  const Insn& insn = program[static_cast<size_t>(pc)];
  const int len = static_cast<int>(program.size());
  if (!IsKnownCode(insn.code)) {
    return Reject(pc, fmt::format("unknown opcode 0x{:04x}", insn.code), kRule);
  }
  switch (insn.code) {
    case kDivK:
    case kModK:
      if (insn.k == 0) {
        return Reject(pc, fmt::format("{} by constant 0", insn.code == kDivK ? "division" : "modulo"),
                      kRule);
      }
      break;
    case kLshK:
    case kRshK:
      if (insn.k >= 32) {
        return Reject(pc, fmt::format("constant shift by {} (must be below 32)", insn.k), kRule);
      }
      break;
    case kLdMem:
    case kLdxMem:
    case kSt:
    case kStx:
      if (insn.k >= kMemWords) {
        return Reject(pc, fmt::format("scratch cell M[{}] does not exist (M[0]..M[15])", insn.k),
                      kRule);
      }
      break;
    case kJa:
      if (insn.k >= static_cast<uint32_t>(len - pc - 1)) {
        return Reject(pc,
                      fmt::format("jump target out of range (ja +{} from insn {}; program has {})",
                                  insn.k, pc, len),
                      kRule);
      }
      break;
    case kJeqK: case kJeqX: case kJgtK: case kJgtX:
    case kJgeK: case kJgeX: case kJsetK: case kJsetX:
      if (pc + insn.jt + 1 >= len || pc + insn.jf + 1 >= len) {
        const bool true_bad = pc + insn.jt + 1 >= len;
        return Reject(pc,
                      fmt::format("jump target out of range ({} +{} reaches insn {}; program has {})",
                                  true_bad ? "jt" : "jf", true_bad ? insn.jt : insn.jf,
                                  pc + 1 + (true_bad ? insn.jt : insn.jf), len),
                      kRule);
      }
      break;
    case kLdWAbs:
    case kLdHAbs:
    case kLdBAbs:
      if (insn.k >= kAncillaryOffset && !IsKnownAncillary(insn.k)) {
        return Reject(pc,
                      fmt::format("unknown ancillary load at offset 0x{:08x} (SKF_AD_OFF + {})",
                                  insn.k, insn.k - kAncillaryOffset),
                      kRule);
      }
      break;
    default:
      break;
  }
  return std::nullopt;
}

// Models net/core/filter.c check_load_and_stores(); see the essay at the top.
std::optional<Err<ValidationError>> CheckLoadsAndStores(std::span<const Insn> program) {
  std::vector<uint16_t> masks(program.size(), 0xffff);
  uint16_t valid = 0;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const Insn& insn = program[pc];
    valid &= masks[pc];
    if (IsConditionalJump(insn.code)) {
      masks[pc + 1 + insn.jt] &= valid;
      masks[pc + 1 + insn.jf] &= valid;
      valid = 0xffff;
      continue;
    }
    switch (insn.code) {
      case kSt:
      case kStx:
        valid = static_cast<uint16_t>(valid | (1u << insn.k));
        break;
      case kLdMem:
      case kLdxMem:
        if ((valid & (1u << insn.k)) == 0) {
          return Reject(static_cast<int>(pc),
                        fmt::format("M[{}] may be read before it is written", insn.k),
                        "check_load_and_stores");
        }
        break;
      case kJa:
        masks[pc + 1 + insn.k] &= valid;
        valid = 0xffff;
        break;
      default:
        break;
    }
  }
  return std::nullopt;
}

// Models kernel/seccomp.c seccomp_check_filter(): the allow-list and the rewrites,
// applied to `program` in place.
std::optional<Err<ValidationError>> CheckSeccomp(std::vector<Insn>& program,
                                                 uint32_t data_size) {
  constexpr const char* kRule = "seccomp_check_filter";
  for (size_t pc = 0; pc < program.size(); ++pc) {
    Insn& insn = program[pc];
    switch (insn.code) {
      case kLdWAbs:
        // DIVERGES(kernel): the kernel also retags the code as LDX|W|ABS, a marker only
        // bpf_convert_filter() reads; Insns() keeps 0x20 so it stays a classic program.
        if (insn.k >= data_size) {
          return Reject(static_cast<int>(pc),
                        fmt::format("load from offset {} is outside seccomp_data ({} bytes)",
                                    insn.k, data_size),
                        kRule);
        }
        if ((insn.k & 3) != 0) {
          return Reject(static_cast<int>(pc),
                        fmt::format("load from offset {} is not 4-byte aligned", insn.k), kRule);
        }
        continue;
      case kLdWLen:
        insn = Stmt(kLdImm, data_size);
        continue;
      case kLdxWLen:
        insn = Stmt(kLdxImm, data_size);
        continue;
      case kRetK: case kRetA:
      case kAddK: case kAddX: case kSubK: case kSubX: case kMulK: case kMulX:
      case kDivK: case kDivX: case kAndK: case kAndX: case kOrK: case kOrX:
      case kXorK: case kXorX: case kLshK: case kLshX: case kRshK: case kRshX:
      case kNeg: case kLdImm: case kLdxImm: case kTax: case kTxa:
      case kLdMem: case kLdxMem: case kSt: case kStx:
      case kJa: case kJeqK: case kJeqX: case kJgeK: case kJgeX:
      case kJgtK: case kJgtX: case kJsetK: case kJsetX:
        continue;
      default:
        return Reject(static_cast<int>(pc),
                      fmt::format("'{}' (0x{:02x}) is not allowed in a seccomp filter",
                                  OpcodeName(insn.code), insn.code),
                      kRule);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string ValidationError::Message() const {
  if (insn < 0) {
    return reason;
  }
  return fmt::format("insn {}: {}", insn, reason);
}

// Models net/core/filter.c bpf_convert_filter()'s length pass for seccomp programs
// (no packet loads survive seccomp_check_filter, so the prologue is 3 instructions).
int TranslatedLength(std::span<const Insn> validated) {
  int total = 3;
  for (const Insn& insn : validated) {
    if (IsConditionalJump(insn.code)) {
      int cost = 1;
      // A negative immediate is first moved to a temporary register.
      if (op::Src(insn.code) == op::kK && static_cast<int32_t>(insn.k) < 0) {
        ++cost;
      }
      // jf == 0 maps to one test; jt == 0 too, inverted (JNE/JLE/JLT), except for
      // JSET, which has no inverse; otherwise a test to jt and a JA to jf.
      const bool inverted = insn.jt == 0 && op::Op(insn.code) != op::kJset;
      if (insn.jf != 0 && !inverted) {
        ++cost;
      }
      total += cost;
    } else if (insn.code == kRetK) {
      total += 2;  // mov r0, k; exit
    } else if (insn.code == kDivX) {
      total += 5;  // mov32 x, x; jne x, 0, +2; xor a, a; exit; div
    } else {
      total += 1;
    }
  }
  return total;
}

Outcome<ValidatedProgram, ValidationError> Validate(std::span<const Insn> program,
                                                   const ValidateOptions& options) {
  // seccomp_prepare_filter(): 0 < len <= BPF_MAXINSNS.
  if (program.empty()) {
    return Reject(-1, "program is empty (length 0)", "seccomp_prepare_filter");
  }
  if (program.size() > static_cast<size_t>(kMaxInsns)) {
    return Reject(-1,
                  fmt::format("program has {} instructions; the limit is {} (BPF_MAXINSNS)",
                              program.size(), kMaxInsns),
                  "seccomp_prepare_filter");
  }
  for (int pc = 0; pc < static_cast<int>(program.size()); ++pc) {
    if (auto err = CheckClassicInsn(program, pc)) {
      return *std::move(err);
    }
  }
  const Insn& last = program.back();
  if (last.code != kRetK && last.code != kRetA) {
    return Reject(static_cast<int>(program.size()) - 1, "last instruction is not a RET",
                  "bpf_check_classic");
  }
  // check_load_and_stores() can only fail at a load from M[]: without one its scan
  // has no verdict to give.
  const bool loads_memory = std::any_of(program.begin(), program.end(), [](const Insn& insn) {
    return insn.code == kLdMem || insn.code == kLdxMem;
  });
  if (loads_memory) {
    if (auto err = CheckLoadsAndStores(program)) {
      return *std::move(err);
    }
  }

  ValidatedProgram out;
  out.original_.assign(program.begin(), program.end());
  std::vector<Insn> rewritten = out.original_;
  if (auto err = CheckSeccomp(rewritten, options.data_size)) {
    return *std::move(err);
  }

  out.translated_length_ = TranslatedLength(rewritten);
  out.data_size_ = options.data_size;
  out.decoded_.reserve(rewritten.size());
  for (const Insn& insn : rewritten) {
    if (insn.code == kLdWAbs && insn.k + 4 > out.max_data_offset_) {
      out.max_data_offset_ = insn.k + 4;
    }
    out.decoded_.push_back(detail::Decode(insn));
  }
  out.insns_ = std::move(rewritten);
  return out;
}

}  // namespace sclab::bpf
