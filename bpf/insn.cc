#include "bpf/insn.h"

namespace sclab::bpf {

std::string_view OpcodeName(uint16_t code) {
  switch (code) {
    case kLdWAbs: return "ld [k]";
    case kLdHAbs: return "ldh [k]";
    case kLdBAbs: return "ldb [k]";
    case kLdWInd: return "ld [x+k]";
    case kLdHInd: return "ldh [x+k]";
    case kLdBInd: return "ldb [x+k]";
    case kLdWLen: return "ld len";
    case kLdImm: return "ld #k";
    case kLdMem: return "ld M[k]";
    case kLdxWLen: return "ldx len";
    case kLdxBMsh: return "ldx 4*([k]&0xf)";
    case kLdxImm: return "ldx #k";
    case kLdxMem: return "ldx M[k]";
    case kSt: return "st M[k]";
    case kStx: return "stx M[k]";
    case kAddK: return "add #k";
    case kAddX: return "add x";
    case kSubK: return "sub #k";
    case kSubX: return "sub x";
    case kMulK: return "mul #k";
    case kMulX: return "mul x";
    case kDivK: return "div #k";
    case kDivX: return "div x";
    case kOrK: return "or #k";
    case kOrX: return "or x";
    case kAndK: return "and #k";
    case kAndX: return "and x";
    case kLshK: return "lsh #k";
    case kLshX: return "lsh x";
    case kRshK: return "rsh #k";
    case kRshX: return "rsh x";
    case kNeg: return "neg";
    case kModK: return "mod #k";
    case kModX: return "mod x";
    case kXorK: return "xor #k";
    case kXorX: return "xor x";
    case kJa: return "ja";
    case kJeqK: return "jeq #k";
    case kJeqX: return "jeq x";
    case kJgtK: return "jgt #k";
    case kJgtX: return "jgt x";
    case kJgeK: return "jge #k";
    case kJgeX: return "jge x";
    case kJsetK: return "jset #k";
    case kJsetX: return "jset x";
    case kRetK: return "ret #k";
    case kRetA: return "ret a";
    case kRetX: return "ret x";
    case kTax: return "tax";
    case kTxa: return "txa";
    default: return "";
  }
}

}  // namespace sclab::bpf
