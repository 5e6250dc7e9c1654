// Every opcode of the interpreter, with the kernel's corner cases: 32-bit wrap,
// unsigned division, DIV by X == 0 returning 0, shift amounts masked to 5 bits,
// unsigned comparisons, `ld len` = 64, A and X starting at 0, little-endian loads.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "bpf/interpreter.h"
#include "tests/bpf/test_util.h"

namespace sclab::bpf {
namespace {

uint32_t RunOn(const std::vector<Insn>& program, const SeccompData& data = {}) {
  return Run(MustValidate(program), data).ret;
}

struct AluCase {
  const char* name;
  uint16_t code;  // the K form; the X form is code | 0x08
  uint32_t a;
  uint32_t operand;
  uint32_t expected;
};
std::ostream& operator<<(std::ostream& os, const AluCase& c) { return os << c.name; }

const AluCase kAluCases[] = {
    {"add_wraps", kAddK, 0xffffffff, 2, 1},
    {"sub_wraps", kSubK, 0, 1, 0xffffffff},
    {"mul_truncates", kMulK, 0x10001, 0x10000, 0x10000},
    {"div_is_unsigned", kDivK, 0xffffffff, 2, 0x7fffffff},
    {"div_rounds_down", kDivK, 7, 2, 3},
    {"or", kOrK, 0xf0f00000, 0x0f, 0xf0f0000f},
    {"and", kAndK, 0xff00ff00, 0x0ff00ff0, 0x0f000f00},
    {"xor", kXorK, 0xffff0000, 0xff00ff00, 0x00ffff00},
    {"lsh_31", kLshK, 1, 31, 0x80000000},
    {"lsh_drops_high_bits", kLshK, 0xc0000001, 1, 0x80000002},
    {"rsh_is_logical", kRshK, 0x80000000, 31, 1},
    {"rsh_0", kRshK, 0x1234, 0, 0x1234},
};

BOOST_AUTO_TEST_SUITE(bpf_interpret)

BOOST_DATA_TEST_CASE(alu_with_constant, boost::unit_test::data::make(kAluCases), c) {
  BOOST_TEST(RunOn({
                 Stmt(kLdImm, c.a),       // ld #a
                 Stmt(c.code, c.operand),  // op #operand
                 Stmt(kRetA, 0),          // ret a
             }) == c.expected);
}

BOOST_DATA_TEST_CASE(alu_with_x, boost::unit_test::data::make(kAluCases), c) {
  BOOST_TEST(RunOn({
                 Stmt(kLdImm, c.a),                             // ld #a
                 Stmt(kLdxImm, c.operand),                      // ldx #operand
                 Stmt(static_cast<uint16_t>(c.code | op::kX), 0),  // op x
                 Stmt(kRetA, 0),                                // ret a
             }) == c.expected);
}

BOOST_AUTO_TEST_CASE(neg_is_twos_complement) {
  BOOST_TEST(RunOn({Stmt(kLdImm, 1), Stmt(kNeg, 0), Stmt(kRetA, 0)}) == 0xffffffffu);
  BOOST_TEST(RunOn({Stmt(kLdImm, 0), Stmt(kNeg, 0), Stmt(kRetA, 0)}) == 0u);
  BOOST_TEST(RunOn({Stmt(kLdImm, 0x80000000), Stmt(kNeg, 0), Stmt(kRetA, 0)}) == 0x80000000u);
}

BOOST_AUTO_TEST_CASE(div_by_x_zero_returns_0_at_once) {
  const ValidatedProgram p = MustValidate({
      Stmt(kLdImm, 10),     // ld #10
      Stmt(kDivX, 0),       // div x (X is 0)
      Stmt(kRetK, 0x7fff0000),
  });
  const RunResult r = Run(p, SeccompData{});
  BOOST_TEST(r.ret == 0u);
  BOOST_TEST(r.insns_executed == 2u);
}

// A power-of-two divisor takes a shift instead of the divider: the quotient must be
// the division's for every divisor kind, by K and by X.
BOOST_AUTO_TEST_CASE(div_by_powers_of_two_and_others_is_the_unsigned_quotient) {
  const uint32_t dividends[] = {
      0, 1, 2, 3, 7, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x7fff0000, 0x12345678};
  const uint32_t divisors[] = {1, 2,          4,          0x8000,     0x80000000, 3,         5,
                               6, 0x7fffffff, 0x80000001, 0xfffffffe, 0xffffffff, 0xc0000000};
  for (const uint32_t a : dividends) {
    for (const uint32_t d : divisors) {
      BOOST_TEST_CONTEXT("a " << a << " d " << d) {
        BOOST_TEST(RunOn({Stmt(kLdImm, a), Stmt(kDivK, d), Stmt(kRetA, 0)}) == a / d);
        BOOST_TEST(RunOn({Stmt(kLdImm, a), Stmt(kLdxImm, d), Stmt(kDivX, 0), Stmt(kRetA, 0)}) ==
                   a / d);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(shift_by_x_uses_low_5_bits) {
  // 7 << 35 == 7 << 3 (live: 56).
  BOOST_TEST(RunOn({Stmt(kLdImm, 7), Stmt(kLdxImm, 35), Stmt(kLshX, 0), Stmt(kRetA, 0)}) == 56u);
  // x >> 32 == x; x >> 63 == x >> 31.
  BOOST_TEST(RunOn({Stmt(kLdImm, 0x80000000), Stmt(kLdxImm, 32), Stmt(kRshX, 0), Stmt(kRetA, 0)}) ==
             0x80000000u);
  BOOST_TEST(RunOn({Stmt(kLdImm, 0x80000000), Stmt(kLdxImm, 63), Stmt(kRshX, 0), Stmt(kRetA, 0)}) ==
             1u);
  // 1 << 33 == 2.
  BOOST_TEST(RunOn({Stmt(kLdImm, 1), Stmt(kLdxImm, 33), Stmt(kLshX, 0), Stmt(kRetA, 0)}) == 2u);
}

BOOST_AUTO_TEST_CASE(a_and_x_start_at_zero) {
  BOOST_TEST(RunOn({Stmt(kRetA, 0)}) == 0u);                 // ret a
  BOOST_TEST(RunOn({Stmt(kTxa, 0), Stmt(kRetA, 0)}) == 0u);  // txa; ret a
}

BOOST_AUTO_TEST_CASE(len_loads_give_64) {
  BOOST_TEST(RunOn({Stmt(kLdWLen, 0), Stmt(kRetA, 0)}) == 64u);                   // ld len
  BOOST_TEST(RunOn({Stmt(kLdxWLen, 0), Stmt(kTxa, 0), Stmt(kRetA, 0)}) == 64u);  // ldx len; txa
}

BOOST_AUTO_TEST_CASE(tax_and_txa_move_between_registers) {
  BOOST_TEST(RunOn({
                 Stmt(kLdImm, 5),   // A = 5
                 Stmt(kTax, 0),     // X = 5
                 Stmt(kLdImm, 1),   // A = 1
                 Stmt(kAddX, 0),    // A = 6
                 Stmt(kTax, 0),     // X = 6
                 Stmt(kLdImm, 0),   // A = 0
                 Stmt(kTxa, 0),     // A = 6
                 Stmt(kRetA, 0),
             }) == 6u);
}

BOOST_AUTO_TEST_CASE(scratch_memory_round_trips) {
  BOOST_TEST(RunOn({
                 Stmt(kLdImm, 11),   // A = 11
                 Stmt(kSt, 15),      // M[15] = 11
                 Stmt(kLdxImm, 22),  // X = 22
                 Stmt(kStx, 0),      // M[0] = 22
                 Stmt(kLdImm, 0),    // A = 0
                 Stmt(kLdxMem, 15),  // X = 11
                 Stmt(kLdMem, 0),    // A = 22
                 Stmt(kSubX, 0),     // A = 11
                 Stmt(kRetA, 0),
             }) == 11u);
}

BOOST_AUTO_TEST_CASE(loads_little_endian_words_of_seccomp_data) {
  SeccompData d;
  d.nr = -1;
  d.arch = kAuditArchX86_64;
  d.instruction_pointer = 0x1122334455667788ULL;
  d.args[0] = 0xaaaaaaaabbbbbbbbULL;
  d.args[5] = 0x0102030405060708ULL;
  const auto at = [&](uint32_t off) { return RunOn({Stmt(kLdWAbs, off), Stmt(kRetA, 0)}, d); };
  BOOST_TEST(at(0) == 0xffffffffu);
  BOOST_TEST(at(4) == kAuditArchX86_64);
  BOOST_TEST(at(8) == 0x55667788u);
  BOOST_TEST(at(12) == 0x11223344u);
  BOOST_TEST(at(16) == 0xbbbbbbbbu);
  BOOST_TEST(at(20) == 0xaaaaaaaau);
  BOOST_TEST(at(56) == 0x05060708u);
  BOOST_TEST(at(60) == 0x01020304u);
  const auto bytes = SeccompDataBytes(d);
  BOOST_TEST(bytes[0] == 0xff);
  BOOST_TEST(bytes[4] == 0x3e);
  BOOST_TEST(bytes[7] == 0xc0);
  BOOST_TEST(bytes[63] == 0x01);
}

struct JumpCase {
  const char* name;
  uint16_t code;  // K form
  uint32_t a;
  uint32_t operand;
  bool taken;
};
std::ostream& operator<<(std::ostream& os, const JumpCase& c) { return os << c.name; }

const JumpCase kJumpCases[] = {
    {"jeq_equal", kJeqK, 5, 5, true},
    {"jeq_different", kJeqK, 5, 6, false},
    {"jgt_unsigned", kJgtK, 0x80000000, 1, true},  // would be false if signed
    {"jgt_equal", kJgtK, 7, 7, false},
    {"jge_equal", kJgeK, 7, 7, true},
    {"jge_unsigned", kJgeK, 1, 0xffffffff, false},
    {"jset_overlap", kJsetK, 0x10, 0x30, true},
    {"jset_disjoint", kJsetK, 0x10, 0x20, false},
};

BOOST_DATA_TEST_CASE(conditional_jumps_with_k_and_x, boost::unit_test::data::make(kJumpCases),
                     c) {
  const uint32_t expected = c.taken ? 1 : 2;
  BOOST_TEST(RunOn({
                 Stmt(kLdImm, c.a),          // ld #a
                 Jump(c.code, c.operand, 1, 0),  // jXX #operand, taken, not
                 Stmt(kRetK, 2),             // not taken
                 Stmt(kRetK, 1),             // taken
             }) == expected);
  // jf != 0 takes the general handler (jf == 0 above takes the "next" one).
  BOOST_TEST(RunOn({
                 Stmt(kLdImm, c.a),              // ld #a
                 Jump(c.code, c.operand, 0, 1),  // jXX #operand, taken, not
                 Stmt(kRetK, 1),                 // taken
                 Stmt(kRetK, 2),                 // not taken
             }) == expected);
  BOOST_TEST(RunOn({
                 Stmt(kLdImm, c.a),                                    // ld #a
                 Stmt(kLdxImm, c.operand),                             // ldx #operand
                 Jump(static_cast<uint16_t>(c.code | op::kX), 0, 1, 0),  // jXX x, taken, not
                 Stmt(kRetK, 2),
                 Stmt(kRetK, 1),
             }) == expected);
}

BOOST_AUTO_TEST_CASE(ja_skips_k_instructions) {
  BOOST_TEST(RunOn({
                 Stmt(kJa, 2),    // ja +2
                 Stmt(kRetK, 1),  // skipped
                 Stmt(kRetK, 2),  // skipped
                 Stmt(kRetK, 3),
             }) == 3u);
}

BOOST_AUTO_TEST_CASE(counts_executed_instructions) {
  const ValidatedProgram p = MustValidate({
      Stmt(kLdWAbs, 0),       // 0: ld [nr]
      Jump(kJeqK, 39, 0, 2),  // 1: jeq #getpid, +0, +2
      Stmt(kLdImm, 1),        // 2
      Stmt(kRetA, 0),         // 3
      Stmt(kRetK, 0x7fff0000),  // 4
  });
  SeccompData getpid{39, kAuditArchX86_64, 0, {}};
  BOOST_TEST(Run(p, getpid).insns_executed == 4u);
  BOOST_TEST(Run(p, getpid).ret == 1u);
  SeccompData other{40, kAuditArchX86_64, 0, {}};
  BOOST_TEST(Run(p, other).insns_executed == 3u);
  BOOST_TEST(Run(p, other).ret == 0x7fff0000u);
}

BOOST_AUTO_TEST_CASE(runs_over_a_larger_buffer) {
  std::vector<uint8_t> buffer(8192, 0);
  buffer[8188] = 0x2a;
  const ValidatedProgram p =
      MustValidate({Stmt(kLdWAbs, 8188), Stmt(kRetA, 0)}, ValidateOptions{8192});
  BOOST_TEST(Run(p, buffer).ret == 0x2au);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::bpf
