// The interpreter dispatches on the pre-decoded handler index with GCC's computed
// goto ("labels as values"): one indirect jump per instruction, predicted per
// handler, and no re-decoding of the 16-bit code. Jumps are relative and forward
// only, so the program counter is a pointer that only grows; the validator has
// proved every target is inside the program and that the last instruction is a RET,
// so the loop needs no bounds checks. Counting executed instructions costs one
// register increment per dispatch.
#include "bpf/interpreter.h"

#include <bit>
#include <cstddef>
#include <cstring>

#include "base/check.h"

namespace sclab::bpf {
namespace detail {

namespace {

// HandlerOf is the handler of an allowed code (a conditional jump by K with jf 0 has
// its own "fall through" handler); kCount for any other code. DecodeAll() reads it from
// two tables built once, for jf 0 and jf != 0.
Handler HandlerOf(uint16_t code, bool jf_is_zero) {
  Handler handler = Handler::kCount;
  switch (code) {
    case kLdWAbs: handler = Handler::kLdAbs; break;
    case kLdImm: handler = Handler::kLdImm; break;
    case kLdxImm: handler = Handler::kLdxImm; break;
    case kLdMem: handler = Handler::kLdMem; break;
    case kLdxMem: handler = Handler::kLdxMem; break;
    case kSt: handler = Handler::kSt; break;
    case kStx: handler = Handler::kStx; break;
    case kAddK: handler = Handler::kAddK; break;
    case kSubK: handler = Handler::kSubK; break;
    case kMulK: handler = Handler::kMulK; break;
    case kDivK: handler = Handler::kDivK; break;
    case kOrK: handler = Handler::kOrK; break;
    case kAndK: handler = Handler::kAndK; break;
    case kLshK: handler = Handler::kLshK; break;
    case kRshK: handler = Handler::kRshK; break;
    case kXorK: handler = Handler::kXorK; break;
    case kAddX: handler = Handler::kAddX; break;
    case kSubX: handler = Handler::kSubX; break;
    case kMulX: handler = Handler::kMulX; break;
    case kDivX: handler = Handler::kDivX; break;
    case kOrX: handler = Handler::kOrX; break;
    case kAndX: handler = Handler::kAndX; break;
    case kLshX: handler = Handler::kLshX; break;
    case kRshX: handler = Handler::kRshX; break;
    case kXorX: handler = Handler::kXorX; break;
    case kNeg: handler = Handler::kNeg; break;
    case kTax: handler = Handler::kTax; break;
    case kTxa: handler = Handler::kTxa; break;
    case kRetK: handler = Handler::kRetK; break;
    case kRetA: handler = Handler::kRetA; break;
    case kJa: handler = Handler::kJa; break;
    case kJeqK: handler = Handler::kJeqK; break;
    case kJgtK: handler = Handler::kJgtK; break;
    case kJgeK: handler = Handler::kJgeK; break;
    case kJsetK: handler = Handler::kJsetK; break;
    case kJeqX: handler = Handler::kJeqX; break;
    case kJgtX: handler = Handler::kJgtX; break;
    case kJgeX: handler = Handler::kJgeX; break;
    case kJsetX: handler = Handler::kJsetX; break;
    default: break;
  }
  if (jf_is_zero) {
    switch (handler) {
      case Handler::kJeqK: handler = Handler::kJeqKNext; break;
      case Handler::kJgtK: handler = Handler::kJgtKNext; break;
      case Handler::kJgeK: handler = Handler::kJgeKNext; break;
      case Handler::kJsetK: handler = Handler::kJsetKNext; break;
      default: break;
    }
  }
  return handler;
}

}  // namespace

void DecodeAll(std::span<const Insn> validated, std::span<DecodedInsn> out) {
  static const auto kJfNonZero = CodeTable<Handler>([](uint16_t c) { return HandlerOf(c, false); });
  static const auto kJfZero = CodeTable<Handler>([](uint16_t c) { return HandlerOf(c, true); });
  SCLAB_CHECK(validated.size() == out.size(), "DecodeAll: one decoded slot per instruction");
  for (size_t i = 0; i < validated.size(); ++i) {
    const Insn& insn = validated[i];
    const Handler handler = insn.code >= kCodeTableSize ? Handler::kCount
                            : insn.jf == 0              ? kJfZero[insn.code]
                                                        : kJfNonZero[insn.code];
    SCLAB_CHECK(handler != Handler::kCount, "DecodeAll() of an instruction seccomp does not allow");
    out[i] = DecodedInsn{handler, insn.jt, insn.jf, 0, insn.k};
  }
}

}  // namespace detail

namespace {

// Divide is a / d for d != 0, the kernel's unsigned 32-bit quotient. A power-of-two
// divisor is a shift, with the same quotient and without the divider's latency: a
// chain of `div x` with X = 1 is how scenarios pad a filter's translated length, and
// each division would otherwise wait for the one before.
inline uint32_t Divide(uint32_t a, uint32_t d) {
  if ((d & (d - 1)) == 0) {
    return a >> std::countr_zero(d);
  }
  return a / d;
}

inline uint32_t LoadLe32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  if constexpr (std::endian::native == std::endian::big) {
    v = __builtin_bswap32(v);
  }
  return v;
}

inline void StoreLe(uint8_t* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    p[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

static_assert(sizeof(SeccompData) == kSeccompDataSize && offsetof(SeccompData, arch) == 4 &&
                  offsetof(SeccompData, instruction_pointer) == 8 &&
                  offsetof(SeccompData, args) == 16,
              "SeccompData mirrors struct seccomp_data");

}  // namespace

std::array<uint8_t, kSeccompDataSize> SeccompDataBytes(const SeccompData& data) {
  std::array<uint8_t, kSeccompDataSize> out{};
  if constexpr (std::endian::native == std::endian::little) {
    // On a little-endian host SeccompData is already the kernel's layout (asserted
    // below): one copy instead of 64 byte stores, on every filtered syscall.
    std::memcpy(out.data(), &data, kSeccompDataSize);
    return out;
  }
  StoreLe(&out[0], static_cast<uint32_t>(data.nr), 4);
  StoreLe(&out[4], data.arch, 4);
  StoreLe(&out[8], data.instruction_pointer, 8);
  for (size_t i = 0; i < 6; ++i) {
    StoreLe(&out[16 + 8 * i], data.args[i], 8);
  }
  return out;
}

RunResult Run(const ValidatedProgram& program, const SeccompData& data) {
  const auto bytes = SeccompDataBytes(data);
  return Run(program, bytes);
}

// Labels as values are a GNU extension; -Wpedantic is silenced for this one function.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
RunResult Run(const ValidatedProgram& program, std::span<const uint8_t> data) {
  SCLAB_CHECK(data.size() >= program.MaxDataOffset(),
              "Run(): the data buffer is shorter than the program's highest load");
  using detail::Handler;
  // One label per Handler, in enum order.
  static const void* const kTable[] = {
      &&ld_abs, &&ld_imm, &&ldx_imm, &&ld_mem, &&ldx_mem, &&st, &&stx,
      &&add_k, &&sub_k, &&mul_k, &&div_k, &&or_k, &&and_k, &&lsh_k, &&rsh_k, &&xor_k,
      &&add_x, &&sub_x, &&mul_x, &&div_x, &&or_x, &&and_x, &&lsh_x, &&rsh_x, &&xor_x,
      &&neg, &&tax, &&txa, &&ret_k, &&ret_a, &&ja,
      &&jeq_k, &&jgt_k, &&jge_k, &&jset_k, &&jeq_x, &&jgt_x, &&jge_x, &&jset_x,
      &&jeq_k_next, &&jgt_k_next, &&jge_k_next, &&jset_k_next,
  };
  static_assert(sizeof(kTable) / sizeof(kTable[0]) == static_cast<size_t>(Handler::kCount));

  const detail::DecodedInsn* pc = program.Decoded().data();
  const uint8_t* const base = data.data();
  uint32_t a = 0;
  uint32_t x = 0;
  uint32_t mem[kMemWords] = {};
  uint32_t executed = 0;

#define SCLAB_NEXT()                                        \
  do {                                                      \
    ++executed;                                             \
    goto* kTable[static_cast<size_t>(pc->handler)];         \
  } while (0)
#define SCLAB_STEP() \
  do {               \
    ++pc;            \
    SCLAB_NEXT();    \
  } while (0)
// Each arm of a conditional jump dispatches on its own: a real branch (not a cmov)
// keeps the next instruction's address off the data-dependency chain, and two
// indirect jumps predict better than one (the "not taken" arm usually leads to
// another test, the "taken" arm to a RET or a load).
#define SCLAB_BRANCH(cond)      \
  do {                          \
    if (cond) {                 \
      pc += 1 + pc->jt;         \
      SCLAB_NEXT();             \
    }                           \
    pc += 1 + pc->jf;           \
    SCLAB_NEXT();               \
  } while (0)
#define SCLAB_BRANCH_OR_NEXT(cond) \
  do {                             \
    if (cond) {                    \
      pc += 1 + pc->jt;            \
      SCLAB_NEXT();                \
    }                              \
    ++pc;                          \
    SCLAB_NEXT();                  \
  } while (0)

  SCLAB_NEXT();
ld_abs:
  a = LoadLe32(base + pc->k);
  SCLAB_STEP();
ld_imm:
  a = pc->k;
  SCLAB_STEP();
ldx_imm:
  x = pc->k;
  SCLAB_STEP();
ld_mem:
  a = mem[pc->k];
  SCLAB_STEP();
ldx_mem:
  x = mem[pc->k];
  SCLAB_STEP();
st:
  mem[pc->k] = a;
  SCLAB_STEP();
stx:
  mem[pc->k] = x;
  SCLAB_STEP();
add_k:
  a += pc->k;
  SCLAB_STEP();
sub_k:
  a -= pc->k;
  SCLAB_STEP();
mul_k:
  a *= pc->k;
  SCLAB_STEP();
div_k:
  a = Divide(a, pc->k);  // k != 0: bpf_check_classic refused DIV #0
  SCLAB_STEP();
or_k:
  a |= pc->k;
  SCLAB_STEP();
and_k:
  a &= pc->k;
  SCLAB_STEP();
lsh_k:
  a <<= pc->k;  // k < 32: bpf_check_classic refused larger constant shifts
  SCLAB_STEP();
rsh_k:
  a >>= pc->k;
  SCLAB_STEP();
xor_k:
  a ^= pc->k;
  SCLAB_STEP();
add_x:
  a += x;
  SCLAB_STEP();
sub_x:
  a -= x;
  SCLAB_STEP();
mul_x:
  a *= x;
  SCLAB_STEP();
div_x:
  if (x == 0) {
    return RunResult{0, executed};  // the converted program's "return 0"
  }
  a = Divide(a, x);
  SCLAB_STEP();
or_x:
  a |= x;
  SCLAB_STEP();
and_x:
  a &= x;
  SCLAB_STEP();
lsh_x:
  a <<= (x & 31);  // the eBPF interpreter and JITs mask the shift amount
  SCLAB_STEP();
rsh_x:
  a >>= (x & 31);
  SCLAB_STEP();
xor_x:
  a ^= x;
  SCLAB_STEP();
neg:
  a = 0u - a;
  SCLAB_STEP();
tax:
  x = a;
  SCLAB_STEP();
txa:
  a = x;
  SCLAB_STEP();
ret_k:
  return RunResult{pc->k, executed};
ret_a:
  return RunResult{a, executed};
ja:
  pc += 1 + pc->k;
  SCLAB_NEXT();
jeq_k:
  SCLAB_BRANCH(a == pc->k);
jgt_k:
  SCLAB_BRANCH(a > pc->k);
jge_k:
  SCLAB_BRANCH(a >= pc->k);
jset_k:
  SCLAB_BRANCH((a & pc->k) != 0);
jeq_x:
  SCLAB_BRANCH(a == x);
jgt_x:
  SCLAB_BRANCH(a > x);
jge_x:
  SCLAB_BRANCH(a >= x);
jset_x:
  SCLAB_BRANCH((a & x) != 0);
jeq_k_next:
  SCLAB_BRANCH_OR_NEXT(a == pc->k);
jgt_k_next:
  SCLAB_BRANCH_OR_NEXT(a > pc->k);
jge_k_next:
  SCLAB_BRANCH_OR_NEXT(a >= pc->k);
jset_k_next:
  SCLAB_BRANCH_OR_NEXT((a & pc->k) != 0);
#undef SCLAB_BRANCH_OR_NEXT
#undef SCLAB_BRANCH
#undef SCLAB_STEP
#undef SCLAB_NEXT
}
#pragma GCC diagnostic pop

}  // namespace sclab::bpf
