// The bpf_asm-syntax assembler (every mnemonic form, seccomp constants, errors with
// line and column) and the disassembler (Assemble(Disassemble(p)) == p for every
// program, valid or not).
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "base/rng.h"
#include "bpf/assembler.h"
#include "bpf/compiler.h"
#include "tests/bpf/test_util.h"

namespace sclab::bpf {
namespace {

std::vector<Insn> MustAssemble(std::string_view text) {
  auto result = Assemble(text);
  std::string errors;
  if (!result.ok()) {
    for (const AsmError& e : result.error()) {
      errors += e.Format("<text>") + "\n";
    }
  }
  BOOST_REQUIRE_MESSAGE(result.ok(), errors);
  return std::move(result).value();
}

struct FormCase {
  const char* text;
  Insn insn;
};
std::ostream& operator<<(std::ostream& os, const FormCase& c) { return os << c.text; }

const FormCase kForms[] = {
    {"ld [4]", Stmt(kLdWAbs, 4)},
    {"ld [arch]", Stmt(kLdWAbs, 4)},
    {"ld [nr]", Stmt(kLdWAbs, 0)},
    {"ld [ip]", Stmt(kLdWAbs, 8)},
    {"ld [ip.hi]", Stmt(kLdWAbs, 12)},
    {"ld [args[0]]", Stmt(kLdWAbs, 16)},
    {"ld [args[5].hi]", Stmt(kLdWAbs, 60)},
    {"ldh [2]", Stmt(kLdHAbs, 2)},
    {"ldb [3]", Stmt(kLdBAbs, 3)},
    {"ld [x + 4]", Stmt(kLdWInd, 4)},
    {"ldh [%x + 6]", Stmt(kLdHInd, 6)},
    {"ldb [x+1]", Stmt(kLdBInd, 1)},
    {"ld #proto", Stmt(kLdWAbs, 0xfffff000)},
    {"ldb rand", Stmt(kLdBAbs, 0xfffff038)},
    {"ld len", Stmt(kLdWLen, 0)},
    {"ld #len", Stmt(kLdWLen, 0)},
    {"ld #42", Stmt(kLdImm, 42)},
    {"ldi 7", Stmt(kLdImm, 7)},
    {"ld M[15]", Stmt(kLdMem, 15)},
    {"ldx #0x10", Stmt(kLdxImm, 16)},
    {"ldxi #1", Stmt(kLdxImm, 1)},
    {"ldx len", Stmt(kLdxWLen, 0)},
    {"ldx M[3]", Stmt(kLdxMem, 3)},
    {"ldx 4*([14]&0xf)", Stmt(kLdxBMsh, 14)},
    {"ldxb 4*([0]&0xf)", Stmt(kLdxBMsh, 0)},
    {"st M[0]", Stmt(kSt, 0)},
    {"stx M[1]", Stmt(kStx, 1)},
    {"add #1", Stmt(kAddK, 1)},
    {"add x", Stmt(kAddX, 0)},
    {"sub %x", Stmt(kSubX, 0)},
    {"mul #3", Stmt(kMulK, 3)},
    {"div x", Stmt(kDivX, 0)},
    {"mod #7", Stmt(kModK, 7)},
    {"and #0xff", Stmt(kAndK, 0xff)},
    {"or x", Stmt(kOrX, 0)},
    {"xor #-1", Stmt(kXorK, 0xffffffff)},
    {"lsh #2", Stmt(kLshK, 2)},
    {"rsh x", Stmt(kRshX, 0)},
    {"neg", Stmt(kNeg, 0)},
    {"tax", Stmt(kTax, 0)},
    {"txa", Stmt(kTxa, 0)},
    {"ret a", Stmt(kRetA, 0)},
    {"ret %a", Stmt(kRetA, 0)},
    {"ret x", Stmt(kRetX, 0)},
    {"ret #0", Stmt(kRetK, 0)},
    {"ret #ALLOW", Stmt(kRetK, 0x7fff0000)},
    {"ret #SECCOMP_RET_ALLOW", Stmt(kRetK, 0x7fff0000)},
    {"ret #KILL_PROCESS", Stmt(kRetK, 0x80000000)},
    {"ret #KILL_THREAD", Stmt(kRetK, 0)},
    {"ret #TRAP", Stmt(kRetK, 0x00030000)},
    {"ret #TRAP(5)", Stmt(kRetK, 0x00030005)},
    {"ret #ERRNO(1)", Stmt(kRetK, 0x00050001)},
    {"ret #ERRNO(0xffff)", Stmt(kRetK, 0x0005ffff)},
    {"jeq #kill, 0", Jump(kJeqK, 62, 0, 0)},  // the syscall, not KILL
    {"ret #NOTIFY", Stmt(kRetK, 0x7fc00000)},
    {"ret #TRACE(3)", Stmt(kRetK, 0x7ff00003)},
    {"ret #LOG", Stmt(kRetK, 0x7ffc0000)},
    {"RET #0b101", Stmt(kRetK, 5)},
    {"ret #017", Stmt(kRetK, 15)},
    {"ret #-2147483648", Stmt(kRetK, 0x80000000)},
    {"jeq #AUDIT_ARCH_X86_64, 0", Jump(kJeqK, 0xC000003E, 0, 0)},
    {"jeq #AUDIT_ARCH_I386, 1, 2", Jump(kJeqK, 0x40000003, 1, 2)},
    {"jeq #getppid, 3", Jump(kJeqK, 110, 3, 0)},
    {"jeq x, 1, 2", Jump(kJeqX, 0, 1, 2)},
    {"jne #1, 4", Jump(kJeqK, 1, 0, 4)},
    {"jneq x, 4", Jump(kJeqX, 0, 0, 4)},
    {"jlt #5, 6", Jump(kJgeK, 5, 0, 6)},
    {"jle %x, 7", Jump(kJgtX, 0, 0, 7)},
    {"jgt #0x3fffffff, 1, 0", Jump(kJgtK, 0x3fffffff, 1, 0)},
    {"jge #9, 255, 254", Jump(kJgeK, 9, 255, 254)},
    {"jset #0x80000000, 1", Jump(kJsetK, 0x80000000, 1, 0)},
    {"ja 300", Stmt(kJa, 300)},
    {"jmp 0", Stmt(kJa, 0)},
    {".insn 0xffff, 1, 2, 0xdeadbeef", Insn{0xffff, 1, 2, 0xdeadbeef}},
    {".insn 0x06, 0, 0, ERRNO(9)", Stmt(kRetK, 0x00050009)},
};

BOOST_AUTO_TEST_SUITE(bpf_asm)

BOOST_DATA_TEST_CASE(assembles_each_form, boost::unit_test::data::make(kForms), c) {
  const std::vector<Insn> program = MustAssemble(c.text);
  BOOST_REQUIRE_EQUAL(program.size(), 1u);
  BOOST_TEST(program[0] == c.insn);
}

BOOST_AUTO_TEST_CASE(assembles_the_scenario_language_example) {
  const std::vector<Insn> program = MustAssemble(R"(
    ld [0]
    jeq #39, notify, pass
pass:
    ret #ALLOW
notify:
    ret #NOTIFY
)");
  const std::vector<Insn> expected = {
      Stmt(kLdWAbs, 0),          // ld [0]
      Jump(kJeqK, 39, 1, 0),     // jeq #39, notify, pass
      Stmt(kRetK, 0x7fff0000),   // pass: ret #ALLOW
      Stmt(kRetK, 0x7fc00000),   // notify: ret #NOTIFY
  };
  BOOST_TEST(program == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(comments_and_labels) {
  const std::vector<Insn> program = MustAssemble(
      "# a whole-line comment\n"
      "start: ld [nr] ; trailing comment\n"
      "  /* a block\n"
      "     comment */ jset #1, odd\n"
      "a1: b2: ret #0\n"
      "odd: ret #1 /* inline */\n");
  const std::vector<Insn> expected = {
      Stmt(kLdWAbs, 0),        // start: ld [nr]
      Jump(kJsetK, 1, 1, 0),   // jset #1, odd
      Stmt(kRetK, 0),          // a1: b2:
      Stmt(kRetK, 1),          // odd:
  };
  BOOST_TEST(program == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ja_label_reaches_beyond_255) {
  std::string text = "ja far\n";
  for (int i = 0; i < 300; ++i) {
    text += "ret #0\n";
  }
  text += "far: ret #1\n";
  const std::vector<Insn> program = MustAssemble(text);
  BOOST_TEST(program[0] == Stmt(kJa, 300));
}

struct ErrorCase {
  const char* name;
  const char* text;
  int line;
  int column;
  const char* message;
};
std::ostream& operator<<(std::ostream& os, const ErrorCase& c) { return os << c.name; }

const ErrorCase kErrors[] = {
    {"unknown_mnemonic", "ld [0]\n  jump foo\n", 2, 3, "unknown instruction 'jump'"},
    {"unknown_label", "jeq #1, nowhere\nret #0\n", 1, 9, "unknown label 'nowhere'"},
    {"backward_jump", "top: ld [0]\nja top\nret #0\n", 2, 4,
     "label 'top' is behind this instruction; classic BPF jumps only forward"},
    {"duplicate_label", "x1: ret #0\nx1: ret #1\n", 2, 1, "label 'x1' is defined twice"},
    {"label_at_end", "ret #0\ndone:\n", 2, 1, "label 'done' is not followed by an instruction"},
    {"bad_number", "ret #0x\n", 1, 6, "malformed number '0x'"},
    {"number_too_big", "ld #0x100000000\n", 1, 5, "number 0x100000000 does not fit in 32 bits"},
    {"unexpected_character", "ld [0] @\n", 1, 8, "unexpected character '@'"},
    {"trailing_tokens", "ret #0 #1\n", 1, 8, "unexpected '#' after the instruction"},
    {"unknown_constant", "ret #ALLOWED\n", 1, 6, "unknown constant 'ALLOWED'"},
    {"errno_needs_data", "ret #ERRNO\n", 1, 6, "ERRNO needs its data: ERRNO(n)"},
    {"errno_data_too_big", "ret #ERRNO(65536)\n", 1, 6, "ERRNO(65536) does not fit the 16-bit data field"},
    {"ret_needs_hash", "ret ALLOW\n", 1, 5,
     "expected '#k', 'a' or 'x' after 'ret' (e.g. 'ret #ALLOW'), found 'ALLOW'"},
    {"args_index", "ld [args[6]]\n", 1, 10, "args index must be 0..5"},
    {"raw_jt_too_big", "jeq #1, 256\n", 1, 9, "raw jump offset 256 is larger than 255"},
    {"insn_field_too_big", ".insn 0x10000, 0, 0, 0\n", 1, 7, ".insn code 65536 does not fit (65535 at most)"},
    {"missing_comma", "jeq #1 next\nnext: ret #0\n", 1, 8, "expected ',', found 'next'"},
};

BOOST_DATA_TEST_CASE(reports_errors_with_line_and_column, boost::unit_test::data::make(kErrors),
                     c) {
  auto result = Assemble(c.text);
  BOOST_REQUIRE(!result.ok());
  const AsmError& e = result.error().front();
  BOOST_TEST(e.line == c.line);
  BOOST_TEST(e.column == c.column);
  BOOST_TEST(e.message == c.message);
}

BOOST_AUTO_TEST_CASE(reports_label_beyond_255_for_conditional_jump) {
  std::string text = "jeq #1, far\n";
  for (int i = 0; i < 256; ++i) {
    text += "ret #0\n";
  }
  text += "far: ret #1\n";
  auto result = Assemble(text);
  BOOST_REQUIRE(!result.ok());
  BOOST_TEST(result.error().front().Format("f.s") ==
             "f.s:1:9: error: label 'far' is 256 instructions ahead; a conditional jump "
             "reaches at most 255 (jump to a 'ja' instead)");
}

BOOST_AUTO_TEST_CASE(collects_every_error) {
  auto result = Assemble("bogus\nret #0\nld [\n");
  BOOST_REQUIRE(!result.ok());
  BOOST_TEST(result.error().size() == 2u);
  BOOST_TEST(result.error()[0].line == 1);
  BOOST_TEST(result.error()[1].line == 3);
}

BOOST_AUTO_TEST_CASE(disassembles_readably) {
  const std::vector<Insn> program = {
      Stmt(kLdWAbs, 4),                 // ld [arch]
      Jump(kJeqK, 0xC000003E, 1, 0),    // jeq #AUDIT_ARCH_X86_64, L3
      Stmt(kRetK, 0),                   // ret #KILL_THREAD
      Stmt(kLdWAbs, 0),                 // ld [nr]
      Jump(kJeqK, 110, 0, 1),           // jeq #getppid, L5, L6
      Stmt(kRetK, 0x00050001),          // ret #ERRNO(1)
      Stmt(kRetK, 0x7fff0000),          // ret #ALLOW
  };
  BOOST_TEST(Disassemble(program) ==
             "    ld [arch]\n"
             "    jeq #AUDIT_ARCH_X86_64, L3\n"
             "    ret #KILL_THREAD\n"
             "L3:\n"
             "    ld [nr]\n"
             "    jeq #110, L5, L6                     ; getppid\n"
             "L5:\n"
             "    ret #ERRNO(1)\n"
             "L6:\n"
             "    ret #ALLOW\n");
}

BOOST_AUTO_TEST_CASE(disassembles_what_has_no_mnemonic_as_insn) {
  const std::vector<Insn> program = {
      Insn{kRetA, 0, 0, 5},      // ret a with a stray k
      Insn{kLdImm, 1, 0, 0},     // ld #0 with a stray jt
      Stmt(0x00ff, 9),           // unknown opcode
      Jump(kJeqX, 3, 0, 0),      // jeq x with a stray k
  };
  BOOST_TEST(Disassemble(program) ==
             "    .insn 0x0016, 0, 0, 0x5\n"
             "    .insn 0x0000, 1, 0, 0x0\n"
             "    .insn 0x00ff, 0, 0, 0x9\n"
             "    .insn 0x001d, 0, 0, 0x3\n");
}

void CheckRoundTrip(const std::vector<Insn>& program) {
  const std::string text = Disassemble(program);
  auto back = Assemble(text);
  BOOST_REQUIRE_MESSAGE(back.ok(), "disassembly does not assemble:\n" + text);
  BOOST_TEST(back.value() == program, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(round_trips_every_16_bit_code) {
  Rng rng(1);
  for (uint32_t base = 0; base < 0x10000; base += 4096) {
    std::vector<Insn> program;
    for (uint32_t code = base; code < base + 4096; ++code) {
      // Zero fields give the mnemonic forms; random ones exercise `.insn` and raw offsets.
      const bool zero = rng.Chance(1, 2);
      program.push_back(Insn{static_cast<uint16_t>(code),
                             static_cast<uint8_t>(zero ? 0 : rng.Below(256)),
                             static_cast<uint8_t>(zero ? 0 : rng.Below(256)),
                             static_cast<uint32_t>(zero ? 0 : rng.Next())});
    }
    CheckRoundTrip(program);
  }
}

BOOST_AUTO_TEST_CASE(round_trips_random_programs) {
  Rng rng(2);
  const uint16_t codes[] = {kLdWAbs, kLdImm, kLdMem, kSt, kAddK, kDivX, kJa, kJeqK,
                            kJgtX, kJsetK, kRetK, kRetA, kLdWLen, kTax};
  for (int round = 0; round < 200; ++round) {
    std::vector<Insn> program(1 + rng.Below(40));
    for (Insn& insn : program) {
      insn.code = codes[rng.Below(std::size(codes))];
      if (IsConditionalJump(insn.code)) {
        insn.jt = static_cast<uint8_t>(rng.Below(program.size() + 2));
        insn.jf = static_cast<uint8_t>(rng.Below(program.size() + 2));
      }
      insn.k = insn.code == kJa ? static_cast<uint32_t>(rng.Below(program.size() + 2))
                                : static_cast<uint32_t>(rng.Next());
    }
    CheckRoundTrip(program);
  }
}

BOOST_AUTO_TEST_CASE(round_trips_empty_and_compiled_programs) {
  CheckRoundTrip({});
  RuleList rules;
  rules.default_action = 0x00050001;
  rules.rules.push_back(Rule{39, {}, 0x7fff0000});
  rules.rules.push_back(Rule{62, {ArgCmp{1, ArgCmp::Op::kMaskedEq, 9, 0xff}}, 0x7fff0000});
  auto compiled = Compile(rules);
  BOOST_REQUIRE(compiled.ok());
  CheckRoundTrip(compiled.value());
}

BOOST_AUTO_TEST_CASE(survives_random_text) {
  // Fragments of valid and invalid syntax, glued at random: every outcome must be a
  // program or positioned errors, never a crash (run under ASan/UBSan too).
  const char* pieces[] = {"ld", "ldx", "jeq", "ja", "ret", ".insn", " ", " ", "\n", "#", "[",
                          "]", "(", ")", ",", ":", "x", "M", "%", "+", "-", "*", "&", "0x",
                          "4", "255", "99999999999", "ERRNO", "args", ".hi", "lbl", "/*", "*/",
                          ";", "ALLOW", "getpid", "len", "@"};
  Rng rng(3);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const uint64_t n = rng.Below(40);
    for (uint64_t i = 0; i < n; ++i) {
      text += pieces[rng.Below(std::size(pieces))];
    }
    auto result = Assemble(text);
    if (!result.ok()) {
      for (const AsmError& e : result.error()) {
        BOOST_TEST(e.line >= 1);
        BOOST_TEST(e.column >= 1);
        BOOST_TEST(!e.message.empty());
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::bpf
