// Every rule of bpf_check_classic() and seccomp_check_filter(), each accepted and
// rejected, with the exact index and reason; the kernel's order; the LEN rewrites.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "bpf/validator.h"
#include "tests/bpf/test_util.h"

namespace sclab::bpf {
namespace {

constexpr uint32_t kAllow = 0x7fff0000;

struct RejectCase {
  const char* name;
  std::vector<Insn> program;
  int insn;
  std::string reason;
  std::string rule;
};

std::ostream& operator<<(std::ostream& os, const RejectCase& c) { return os << c.name; }

const std::vector<RejectCase> kRejects = {
    {"unknown_opcode", {
         Stmt(kLdWAbs, 0),   // ld [nr]
         Stmt(0xffff, 0),    // not a classic opcode
         Stmt(kRetK, kAllow),
     }, 1, "unknown opcode 0xffff", "bpf_check_classic"},
    {"ret_x_is_unknown", {
         Stmt(kRetX, 0),     // ret x: never a Linux opcode
     }, 0, "unknown opcode 0x000e", "bpf_check_classic"},
    {"ld_with_extra_bits", {
         Stmt(kLdWAbs | 0x100, 0),  // ld [0] with a high bit set
         Stmt(kRetK, kAllow),
     }, 0, "unknown opcode 0x0120", "bpf_check_classic"},
    {"division_by_constant_0", {
         Stmt(kDivK, 0),     // div #0
         Stmt(kRetA, 0),
     }, 0, "division by constant 0", "bpf_check_classic"},
    {"modulo_by_constant_0_before_mod_refusal", {
         Stmt(kModK, 0),     // mod #0: bpf_check_classic fires before seccomp's MOD ban
         Stmt(kRetA, 0),
     }, 0, "modulo by constant 0", "bpf_check_classic"},
    {"constant_shift_of_32", {
         Stmt(kLshK, 32),    // lsh #32
         Stmt(kRetA, 0),
     }, 0, "constant shift by 32 (must be below 32)", "bpf_check_classic"},
    {"constant_right_shift_of_33", {
         Stmt(kRshK, 33),    // rsh #33
         Stmt(kRetA, 0),
     }, 0, "constant shift by 33 (must be below 32)", "bpf_check_classic"},
    {"st_m16", {
         Stmt(kSt, 16),      // st M[16]
         Stmt(kRetA, 0),
     }, 0, "scratch cell M[16] does not exist (M[0]..M[15])", "bpf_check_classic"},
    {"stx_m16", {
         Stmt(kStx, 16),     // stx M[16]
         Stmt(kRetA, 0),
     }, 0, "scratch cell M[16] does not exist (M[0]..M[15])", "bpf_check_classic"},
    {"ld_m16", {
         Stmt(kLdMem, 16),   // ld M[16]
         Stmt(kRetA, 0),
     }, 0, "scratch cell M[16] does not exist (M[0]..M[15])", "bpf_check_classic"},
    {"ldx_m_huge", {
         Stmt(kLdxMem, 0xffffffff),  // ldx M[0xffffffff]
         Stmt(kRetA, 0),
     }, 0, "scratch cell M[4294967295] does not exist (M[0]..M[15])", "bpf_check_classic"},
    {"ja_past_end", {
         Stmt(kJa, 1),       // ja +1: lands one past the last insn
         Stmt(kRetK, kAllow),
     }, 0, "jump target out of range (ja +1 from insn 0; program has 2)", "bpf_check_classic"},
    {"ja_huge_offset", {
         Stmt(kJa, 0xffffffff),  // ja +4294967295 (must not wrap around)
         Stmt(kRetK, kAllow),
     }, 0, "jump target out of range (ja +4294967295 from insn 0; program has 2)",
     "bpf_check_classic"},
    {"jt_past_end", {
         Jump(kJeqK, 1, 1, 0),   // jeq #1, +1, +0: jt lands past the end
         Stmt(kRetK, kAllow),
     }, 0, "jump target out of range (jt +1 reaches insn 2; program has 2)", "bpf_check_classic"},
    {"jf_past_end", {
         Stmt(kLdWAbs, 0),       // ld [nr]
         Jump(kJsetX, 0, 0, 5),  // jset x, +0, +5
         Stmt(kRetK, kAllow),
     }, 1, "jump target out of range (jf +5 reaches insn 7; program has 3)", "bpf_check_classic"},
    {"unknown_ancillary_load", {
         Stmt(kLdWAbs, 0xfffff040),  // ld [SKF_AD_OFF + 64]: SKF_AD_MAX, not a load
         Stmt(kRetK, kAllow),
     }, 0, "unknown ancillary load at offset 0xfffff040 (SKF_AD_OFF + 64)", "bpf_check_classic"},
    {"unaligned_ancillary_load", {
         Stmt(kLdBAbs, 0xfffff002),  // ldb [SKF_AD_OFF + 2]
         Stmt(kRetK, kAllow),
     }, 0, "unknown ancillary load at offset 0xfffff002 (SKF_AD_OFF + 2)", "bpf_check_classic"},
    {"last_is_not_ret", {
         Stmt(kLdWAbs, 0),   // ld [nr]
     }, 0, "last instruction is not a RET", "bpf_check_classic"},
    {"last_is_jump", {
         Stmt(kRetK, kAllow),
         Stmt(kJa, 0xfffffff0),  // ja far: rejected by the jump check first
     }, 1, "jump target out of range (ja +4294967280 from insn 1; program has 2)",
     "bpf_check_classic"},
    {"mem_read_before_store", {
         Stmt(kLdMem, 0),    // ld M[0]: never written
         Stmt(kRetA, 0),
     }, 0, "M[0] may be read before it is written", "check_load_and_stores"},
    {"mem_read_after_store_on_one_path", {
         Stmt(kLdWAbs, 0),       // 0: ld [nr]
         Jump(kJeqK, 1, 0, 1),   // 1: jeq #1, +0, +1
         Stmt(kSt, 3),           // 2: st M[3] (only when nr == 1)
         Stmt(kLdxMem, 3),       // 3: ldx M[3]: the jf path skipped the store
         Stmt(kRetA, 0),
     }, 3, "M[3] may be read before it is written", "check_load_and_stores"},
    {"mem_after_ret_inherits_pre_ret_mask", {
         Stmt(kRetK, kAllow),    // 0: ret
         Stmt(kLdMem, 0),        // 1: unreachable, but inherits the (empty) mask
         Stmt(kRetA, 0),
     }, 1, "M[0] may be read before it is written", "check_load_and_stores"},
    {"ld_abs_offset_64", {
         Stmt(kLdWAbs, 64),  // ld [64]: one past seccomp_data
         Stmt(kRetK, kAllow),
     }, 0, "load from offset 64 is outside seccomp_data (64 bytes)", "seccomp_check_filter"},
    {"ld_abs_unaligned", {
         Stmt(kLdWAbs, 2),   // ld [2]
         Stmt(kRetK, kAllow),
     }, 0, "load from offset 2 is not 4-byte aligned", "seccomp_check_filter"},
    {"known_ancillary_load", {
         Stmt(kLdWAbs, 0xfffff000),  // ld #proto: bpf_check_classic knows it, seccomp does not
         Stmt(kRetK, kAllow),
     }, 0, "load from offset 4294963200 is outside seccomp_data (64 bytes)",
     "seccomp_check_filter"},
    {"mod_k", {
         Stmt(kModK, 3),     // mod #3
         Stmt(kRetA, 0),
     }, 0, "'mod #k' (0x94) is not allowed in a seccomp filter", "seccomp_check_filter"},
    {"mod_x", {
         Stmt(kModX, 0),     // mod x
         Stmt(kRetA, 0),
     }, 0, "'mod x' (0x9c) is not allowed in a seccomp filter", "seccomp_check_filter"},
    {"ldb", {
         Stmt(kLdBAbs, 0),   // ldb [0]
         Stmt(kRetA, 0),
     }, 0, "'ldb [k]' (0x30) is not allowed in a seccomp filter", "seccomp_check_filter"},
    {"ldh", {
         Stmt(kLdHAbs, 0),   // ldh [0]
         Stmt(kRetA, 0),
     }, 0, "'ldh [k]' (0x28) is not allowed in a seccomp filter", "seccomp_check_filter"},
    {"ld_ind", {
         Stmt(kLdWInd, 0),   // ld [x + 0]
         Stmt(kRetA, 0),
     }, 0, "'ld [x+k]' (0x40) is not allowed in a seccomp filter", "seccomp_check_filter"},
    {"ldb_ind", {
         Stmt(kLdBInd, 4),   // ldb [x + 4]
         Stmt(kRetA, 0),
     }, 0, "'ldb [x+k]' (0x50) is not allowed in a seccomp filter", "seccomp_check_filter"},
    {"ldx_msh", {
         Stmt(kLdxBMsh, 0),  // ldx 4*([0]&0xf)
         Stmt(kRetA, 0),
     }, 0, "'ldx 4*([k]&0xf)' (0xb1) is not allowed in a seccomp filter", "seccomp_check_filter"},
    // Order: the whole bpf_check_classic pass runs before seccomp_check_filter, so a
    // later classic error wins over an earlier seccomp-only one.
    {"classic_rule_wins_over_earlier_seccomp_rule", {
         Stmt(kLdBAbs, 0),   // 0: ldb [0]: refused only by seccomp_check_filter
         Stmt(kDivK, 0),     // 1: div #0: refused by bpf_check_classic
         Stmt(kRetA, 0),
     }, 1, "division by constant 0", "bpf_check_classic"},
    {"unknown_opcode_wins_over_missing_ret", {
         Stmt(0x00ff, 0),    // unknown
         Stmt(kLdWAbs, 0),   // the program does not end in RET either
     }, 0, "unknown opcode 0x00ff", "bpf_check_classic"},
    {"missing_ret_wins_over_mem_check", {
         Stmt(kLdMem, 0),    // would fail check_load_and_stores
         Stmt(kTax, 0),      // but the program does not end in RET
     }, 1, "last instruction is not a RET", "bpf_check_classic"},
};

BOOST_AUTO_TEST_SUITE(bpf_validate)

BOOST_DATA_TEST_CASE(rejects_with_kernel_reason_and_index, boost::unit_test::data::make(kRejects),
                     c) {
  auto result = Validate(c.program);
  BOOST_REQUIRE(!result.ok());
  BOOST_TEST(result.error().errno_value == 22);
  BOOST_TEST(result.error().insn == c.insn);
  BOOST_TEST(result.error().reason == c.reason);
  BOOST_TEST(std::string(result.error().rule) == c.rule);
}

BOOST_AUTO_TEST_CASE(rejects_empty_program) {
  auto result = Validate(std::vector<Insn>{});
  BOOST_REQUIRE(!result.ok());
  BOOST_TEST(result.error().insn == -1);
  BOOST_TEST(result.error().Message() == "program is empty (length 0)");
}

BOOST_AUTO_TEST_CASE(rejects_4097_instructions_and_accepts_4096) {
  std::vector<Insn> program(4097, Stmt(kRetK, kAllow));
  auto result = Validate(program);
  BOOST_REQUIRE(!result.ok());
  BOOST_TEST(result.error().insn == -1);
  BOOST_TEST(result.error().Message() ==
             "program has 4097 instructions; the limit is 4096 (BPF_MAXINSNS)");
  program.pop_back();
  BOOST_TEST(Validate(program).ok());
}

BOOST_AUTO_TEST_CASE(message_names_the_instruction) {
  auto result = Validate(std::vector<Insn>{
      Stmt(kLdWAbs, 0),      // ld [nr]
      Jump(kJeqK, 0, 7, 0),  // jeq #0, +7
      Stmt(kRetK, kAllow),
  });
  BOOST_REQUIRE(!result.ok());
  BOOST_TEST(result.error().Message() ==
             "insn 1: jump target out of range (jt +7 reaches insn 9; program has 3)");
}

// One accepted program per rule, right at each rule's boundary.
struct AcceptCase {
  const char* name;
  std::vector<Insn> program;
};
std::ostream& operator<<(std::ostream& os, const AcceptCase& c) { return os << c.name; }

const std::vector<AcceptCase> kAccepts = {
    {"div_by_constant_1", {Stmt(kDivK, 1), Stmt(kRetA, 0)}},
    {"div_by_x", {Stmt(kDivX, 0), Stmt(kRetA, 0)}},  // X == 0 is a runtime matter
    {"constant_shift_of_31", {Stmt(kLshK, 31), Stmt(kRshK, 31), Stmt(kRetA, 0)}},
    {"shift_by_x", {Stmt(kLshX, 0), Stmt(kRshX, 0), Stmt(kRetA, 0)}},
    {"m15_store_then_load", {
         Stmt(kSt, 15),      // st M[15]
         Stmt(kLdxMem, 15),  // ldx M[15]
         Stmt(kStx, 0),      // stx M[0]
         Stmt(kLdMem, 0),    // ld M[0]
         Stmt(kRetA, 0),
     }},
    {"ja_to_last", {Stmt(kJa, 1), Stmt(kRetK, 1), Stmt(kRetK, 2)}},
    {"jumps_to_last", {Jump(kJgeX, 0, 1, 0), Stmt(kRetK, 1), Stmt(kRetK, 2)}},
    {"jt_jf_255", [] {
       std::vector<Insn> p = {Jump(kJsetK, 1, 255, 255)};  // jset #1, +255, +255
       p.insert(p.end(), 256, Stmt(kRetK, kAllow));
       return p;
     }()},
    {"ld_abs_60", {Stmt(kLdWAbs, 60), Stmt(kRetA, 0)}},  // args[5].hi
    {"every_allowed_opcode", {
         Stmt(kLdWAbs, 0), Stmt(kLdWLen, 0), Stmt(kLdxWLen, 0), Stmt(kLdImm, 1),
         Stmt(kLdxImm, 2), Stmt(kSt, 0), Stmt(kStx, 1), Stmt(kLdMem, 0), Stmt(kLdxMem, 1),
         Stmt(kAddK, 1), Stmt(kAddX, 0), Stmt(kSubK, 1), Stmt(kSubX, 0), Stmt(kMulK, 1),
         Stmt(kMulX, 0), Stmt(kDivK, 1), Stmt(kDivX, 0), Stmt(kOrK, 1), Stmt(kOrX, 0),
         Stmt(kAndK, 1), Stmt(kAndX, 0), Stmt(kXorK, 1), Stmt(kXorX, 0), Stmt(kLshK, 1),
         Stmt(kLshX, 0), Stmt(kRshK, 1), Stmt(kRshX, 0), Stmt(kNeg, 0), Stmt(kTax, 0),
         Stmt(kTxa, 0), Stmt(kJa, 0), Jump(kJeqK, 1, 0, 0), Jump(kJeqX, 0, 0, 0),
         Jump(kJgtK, 1, 0, 0), Jump(kJgtX, 0, 0, 0), Jump(kJgeK, 1, 0, 0),
         Jump(kJgeX, 0, 0, 0), Jump(kJsetK, 1, 0, 0), Jump(kJsetX, 0, 0, 0),
         Jump(kJeqK, 1, 0, 1), Stmt(kRetK, 0), Stmt(kRetA, 0),
     }},
    {"unreachable_load_right_after_ja", {
         Stmt(kJa, 1),       // 0: ja +1
         Stmt(kLdMem, 0),    // 1: never reached; the scan reset its mask to all-ones
         Stmt(kRetK, kAllow),
     }},
    {"unreachable_load_right_after_jump", {
         Jump(kJeqK, 0, 1, 1),  // 0: both branches skip insn 1
         Stmt(kLdMem, 7),       // 1: unreachable: accepted
         Stmt(kRetK, kAllow),
     }},
    {"load_after_ret_inherits_store", {
         Stmt(kSt, 0),       // 0: st M[0]
         Stmt(kRetK, kAllow),
         Stmt(kLdMem, 0),    // 2: unreachable; inherits M[0] from before the RET
         Stmt(kRetA, 0),
     }},
    {"store_on_both_paths", {
         Stmt(kLdWAbs, 0),       // 0: ld [nr]
         Jump(kJeqK, 1, 0, 2),   // 1: jeq #1, +0, +2
         Stmt(kSt, 3),           // 2: st M[3]
         Stmt(kJa, 1),           // 3: ja +1
         Stmt(kSt, 3),           // 4: st M[3]
         Stmt(kLdMem, 3),        // 5: ld M[3]: stored on both paths
         Stmt(kRetA, 0),
     }},
};

BOOST_DATA_TEST_CASE(accepts_at_each_rules_boundary, boost::unit_test::data::make(kAccepts), c) {
  auto result = Validate(c.program);
  BOOST_TEST(result.ok(), (result.ok() ? std::string() : result.error().Message()));
}

BOOST_AUTO_TEST_CASE(rewrites_len_loads_and_keeps_the_original) {
  const std::vector<Insn> program = {
      Stmt(kLdWLen, 0),   // ld len
      Stmt(kLdxWLen, 7),  // ldx len (k is ignored and overwritten)
      Stmt(kRetA, 0),
  };
  const ValidatedProgram v = MustValidate(program);
  const std::vector<Insn> rewritten(v.Insns().begin(), v.Insns().end());
  const std::vector<Insn> expected = {Stmt(kLdImm, 64), Stmt(kLdxImm, 64), Stmt(kRetA, 0)};
  BOOST_TEST(rewritten == expected, boost::test_tools::per_element());
  const std::vector<Insn> original(v.Original().begin(), v.Original().end());
  BOOST_TEST(original == program, boost::test_tools::per_element());
  BOOST_TEST(v.Length() == 3);
  BOOST_TEST(v.MaxDataOffset() == 0u);
}

BOOST_AUTO_TEST_CASE(max_data_offset_is_one_past_highest_load) {
  const ValidatedProgram v = MustValidate({
      Stmt(kLdWAbs, 20),  // ld [args[0].hi]
      Stmt(kLdWAbs, 4),   // ld [arch]
      Stmt(kRetA, 0),
  });
  BOOST_TEST(v.MaxDataOffset() == 24u);
  BOOST_TEST(v.Insns()[0].code == kLdWAbs);  // DIVERGES(kernel): no LDX|W|ABS retag
}

BOOST_AUTO_TEST_CASE(data_size_option_widens_ld_abs_for_the_proposal) {
  const std::vector<Insn> program = {
      Stmt(kLdWAbs, 8188),  // ld [8188]: last word of an 8192-byte buffer
      Stmt(kLdWLen, 0),     // ld len
      Stmt(kRetA, 0),
  };
  BOOST_TEST(!Validate(program).ok());
  const ValidatedProgram v = MustValidate(program, ValidateOptions{8192});
  BOOST_TEST(v.MaxDataOffset() == 8192u);
  BOOST_TEST(v.Insns()[1].k == 8192u);  // LEN is the buffer size
  auto too_far = Validate(std::vector<Insn>{Stmt(kLdWAbs, 8192), Stmt(kRetA, 0)},
                          ValidateOptions{8192});
  BOOST_REQUIRE(!too_far.ok());
  BOOST_TEST(too_far.error().reason == "load from offset 8192 is outside seccomp_data (8192 bytes)");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::bpf
