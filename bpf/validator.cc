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
// names, except RET|X.
bool IsKnownCode(uint16_t code) {
  static const auto kKnown = CodeTable<bool>(
      [](uint16_t c) { return c != kRetX && !OpcodeName(c).empty(); });
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

// ClassicCheck is what bpf_check_classic()'s loop does with an opcode beyond
// knowing it: nothing (kNone), a range check of both jump targets (kJump), the
// ancillary-offset check of an absolute load (kLoadAbs), or anything else, unknown
// codes included (kSlow: CheckClassicInsn decides). Validate() settles the common
// cases inline and asks CheckClassicInsn, which has every rule and message, only
// when one of them may fail.
enum class ClassicCheck : uint8_t { kNone, kJump, kLoadAbs, kSlow };

ClassicCheck ClassicCheckOf(uint16_t code) {
  if (!IsKnownCode(code)) {
    return ClassicCheck::kSlow;
  }
  if (IsConditionalJump(code)) {
    return ClassicCheck::kJump;
  }
  switch (code) {
    case kLdWAbs:
    case kLdHAbs:
    case kLdBAbs:
      return ClassicCheck::kLoadAbs;
    case kDivK:
    case kModK:
    case kLshK:
    case kRshK:
    case kLdMem:
    case kLdxMem:
    case kSt:
    case kStx:
    case kJa:
      return ClassicCheck::kSlow;
    default:
      return ClassicCheck::kNone;
  }
}

// CheckClassic is bpf_check_classic()'s per-instruction loop over the whole program.
std::optional<Err<ValidationError>> CheckClassic(std::span<const Insn> program) {
  static const auto kChecks = CodeTable<ClassicCheck>(ClassicCheckOf);
  const int len = static_cast<int>(program.size());
  for (int pc = 0; pc < len; ++pc) {
    const Insn& insn = program[static_cast<size_t>(pc)];
    const ClassicCheck check = insn.code < kChecks.size() ? kChecks[insn.code] : ClassicCheck::kSlow;
    if (check == ClassicCheck::kNone ||
        (check == ClassicCheck::kJump && pc + insn.jt + 1 < len && pc + insn.jf + 1 < len) ||
        (check == ClassicCheck::kLoadAbs && insn.k < kAncillaryOffset)) {
      continue;
    }
    if (auto err = CheckClassicInsn(program, pc)) {
      return err;
    }
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

// SeccompCheck is what kernel/seccomp.c seccomp_check_filter() does with an opcode:
// let it through, check an absolute word load's offset, rewrite a LEN load into an
// immediate, or refuse it (everything off its allow-list).
enum class SeccompCheck : uint8_t { kAllowed, kLoadAbs, kLenA, kLenX, kRefused };

SeccompCheck SeccompCheckOf(uint16_t code) {
  switch (code) {
    case kLdWAbs:
      return SeccompCheck::kLoadAbs;
    case kLdWLen:
      return SeccompCheck::kLenA;
    case kLdxWLen:
      return SeccompCheck::kLenX;
    case kRetK: case kRetA:
    case kAddK: case kAddX: case kSubK: case kSubX: case kMulK: case kMulX:
    case kDivK: case kDivX: case kAndK: case kAndX: case kOrK: case kOrX:
    case kXorK: case kXorX: case kLshK: case kLshX: case kRshK: case kRshX:
    case kNeg: case kLdImm: case kLdxImm: case kTax: case kTxa:
    case kLdMem: case kLdxMem: case kSt: case kStx:
    case kJa: case kJeqK: case kJeqX: case kJgeK: case kJgeX:
    case kJgtK: case kJgtX: case kJsetK: case kJsetX:
      return SeccompCheck::kAllowed;
    default:
      return SeccompCheck::kRefused;
  }
}

SeccompCheck SeccompCheckFor(uint16_t code) {
  static const auto kChecks = CodeTable<SeccompCheck>(SeccompCheckOf);
  return code < kChecks.size() ? kChecks[code] : SeccompCheck::kRefused;
}

// InsnTranslatedCost is one instruction's share of bpf_convert_filter()'s length.
int InsnTranslatedCost(const Insn& insn) {
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
    return cost;
  }
  if (insn.code == kRetK) {
    return 2;  // mov r0, k; exit
  }
  if (insn.code == kDivX) {
    return 5;  // mov32 x, x; jne x, 0, +2; xor a, a; exit; div
  }
  return 1;
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
    total += InsnTranslatedCost(insn);
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
  if (auto err = CheckClassic(program)) {
    return *std::move(err);
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

  // seccomp_check_filter(), in one pass with the rewrites and bpf_convert_filter()'s
  // length (the first refused instruction is still the one reported); then the
  // interpreter's decoding.
  constexpr const char* kSeccompRule = "seccomp_check_filter";
  const uint32_t data_size = options.data_size;
  ValidatedProgram out;
  out.original_.assign(program.begin(), program.end());
  out.insns_ = out.original_;
  out.decoded_.resize(program.size());
  out.data_size_ = data_size;
  int translated = 3;
  for (size_t pc = 0; pc < out.insns_.size(); ++pc) {
    Insn& insn = out.insns_[pc];
    switch (SeccompCheckFor(insn.code)) {
      case SeccompCheck::kAllowed:
        break;
      case SeccompCheck::kLoadAbs:
        // DIVERGES(kernel): the kernel also retags the code as LDX|W|ABS, a marker only
        // bpf_convert_filter() reads; Insns() keeps 0x20 so it stays a classic program.
        if (insn.k >= data_size) {
          return Reject(static_cast<int>(pc),
                        fmt::format("load from offset {} is outside seccomp_data ({} bytes)",
                                    insn.k, data_size),
                        kSeccompRule);
        }
        if ((insn.k & 3) != 0) {
          return Reject(static_cast<int>(pc),
                        fmt::format("load from offset {} is not 4-byte aligned", insn.k),
                        kSeccompRule);
        }
        out.max_data_offset_ = std::max(out.max_data_offset_, insn.k + 4);
        break;
      case SeccompCheck::kLenA:
        insn = Stmt(kLdImm, data_size);
        break;
      case SeccompCheck::kLenX:
        insn = Stmt(kLdxImm, data_size);
        break;
      case SeccompCheck::kRefused:
        return Reject(static_cast<int>(pc),
                      fmt::format("'{}' (0x{:02x}) is not allowed in a seccomp filter",
                                  OpcodeName(insn.code), insn.code),
                      kSeccompRule);
    }
    translated += InsnTranslatedCost(insn);
  }
  out.translated_length_ = translated;
  detail::DecodeAll(out.insns_, out.decoded_);
  return out;
}

}  // namespace sclab::bpf
