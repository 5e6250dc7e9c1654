// The libseccomp compiler: compiled programs are valid, check the architecture, and
// give the right verdict for matching and non-matching arguments, including 64-bit
// values whose high words differ.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "bpf/actions.h"
#include "bpf/compiler.h"
#include "tests/bpf/test_util.h"

namespace sclab::bpf {
namespace {

constexpr int kNrGetpgid = 121;
constexpr int kNrKill = 62;
constexpr int kNrMmap = 9;
constexpr int kNrGetpid = 39;

ValidatedProgram MustCompile(const RuleList& rules) {
  auto compiled = Compile(rules);
  BOOST_REQUIRE_MESSAGE(compiled.ok(), (compiled.ok() ? std::string() : compiled.error()));
  return MustValidate(compiled.value());
}

uint32_t Verdict(const ValidatedProgram& p, int nr, std::array<uint64_t, 6> args = {},
                 uint32_t arch = kAuditArchX86_64) {
  SeccompData d;
  d.nr = nr;
  d.arch = arch;
  for (size_t i = 0; i < 6; ++i) {
    d.args[i] = args[i];
  }
  return Run(p, d).ret;
}

struct OpCase {
  const char* name;
  ArgCmp::Op op;
  uint64_t value;
  uint64_t mask;
  uint64_t arg;
  bool matches;
};
std::ostream& operator<<(std::ostream& os, const OpCase& c) { return os << c.name; }

constexpr uint64_t kHi = 0x100000000ULL;
const OpCase kOps[] = {
    {"eq_equal", ArgCmp::Op::kEq, 5, 0, 5, true},
    {"eq_differs_in_high_word", ArgCmp::Op::kEq, 5, 0, kHi + 5, false},
    {"eq_64bit", ArgCmp::Op::kEq, 0xdeadbeef00000001ULL, 0, 0xdeadbeef00000001ULL, true},
    {"eq_64bit_low_differs", ArgCmp::Op::kEq, 0xdeadbeef00000001ULL, 0, 0xdeadbeef00000002ULL,
     false},
    {"ne_equal", ArgCmp::Op::kNe, 5, 0, 5, false},
    {"ne_high_word", ArgCmp::Op::kNe, 5, 0, kHi + 5, true},
    {"lt_below", ArgCmp::Op::kLt, kHi, 0, kHi - 1, true},
    {"lt_equal", ArgCmp::Op::kLt, kHi, 0, kHi, false},
    {"lt_unsigned", ArgCmp::Op::kLt, 10, 0, ~0ULL, false},
    {"le_equal", ArgCmp::Op::kLe, kHi + 7, 0, kHi + 7, true},
    {"le_above_low_word", ArgCmp::Op::kLe, kHi + 7, 0, kHi + 8, false},
    {"gt_above_in_high_word", ArgCmp::Op::kGt, 0xffffffff, 0, kHi, true},
    {"gt_equal", ArgCmp::Op::kGt, 0xffffffff, 0, 0xffffffff, false},
    {"ge_equal", ArgCmp::Op::kGe, 3 * kHi, 0, 3 * kHi, true},
    {"ge_below", ArgCmp::Op::kGe, 3 * kHi, 0, 3 * kHi - 1, false},
    {"masked_eq_match", ArgCmp::Op::kMaskedEq, 9, 0xff, 0x1209, true},
    {"masked_eq_miss", ArgCmp::Op::kMaskedEq, 9, 0xff, 0x120a, false},
    {"masked_eq_high_mask", ArgCmp::Op::kMaskedEq, kHi, kHi | 1, kHi | 2, true},
    {"masked_eq_high_miss", ArgCmp::Op::kMaskedEq, kHi, kHi | 1, 3, false},
};

BOOST_AUTO_TEST_SUITE(bpf_compile)

BOOST_DATA_TEST_CASE(argument_comparisons_give_the_right_verdict,
                     boost::unit_test::data::make(kOps), c) {
  RuleList rules;
  rules.rules.push_back(Rule{kNrMmap, {ArgCmp{2, c.op, c.value, c.mask}}, 0x00050007});
  const ValidatedProgram p = MustCompile(rules);
  std::array<uint64_t, 6> args = {};
  args[2] = c.arg;
  BOOST_TEST(Verdict(p, kNrMmap, args) == (c.matches ? 0x00050007u : kRetAllow));
  // Other arguments and other syscalls do not matter.
  args[0] = ~0ULL;
  BOOST_TEST(Verdict(p, kNrMmap, args) == (c.matches ? 0x00050007u : kRetAllow));
  BOOST_TEST(Verdict(p, kNrGetpid, args) == kRetAllow);
}

BOOST_AUTO_TEST_CASE(rule_list_with_several_conditions) {
  RuleList rules;
  rules.default_action = kRetAllow;
  rules.rules.push_back(Rule{kNrGetpgid, {ArgCmp{0, ArgCmp::Op::kEq, 0, 0}}, 0x00050001});
  rules.rules.push_back(Rule{kNrKill,
                             {ArgCmp{0, ArgCmp::Op::kGt, 1, 0},
                              ArgCmp{1, ArgCmp::Op::kMaskedEq, 9, 0xff}},
                             0x00050002});
  rules.rules.push_back(Rule{kNrGetpid, {}, kRetUserNotif});
  const ValidatedProgram p = MustCompile(rules);
  BOOST_TEST(Verdict(p, kNrGetpgid, {0}) == 0x00050001u);
  BOOST_TEST(Verdict(p, kNrGetpgid, {kHi}) == kRetAllow);  // high word set: not 0
  BOOST_TEST(Verdict(p, kNrKill, {2, 0x109}) == 0x00050002u);
  BOOST_TEST(Verdict(p, kNrKill, {1, 0x109}) == kRetAllow);
  BOOST_TEST(Verdict(p, kNrKill, {2, 0x10a}) == kRetAllow);
  BOOST_TEST(Verdict(p, kNrGetpid) == kRetUserNotif);
  BOOST_TEST(Verdict(p, 1000) == kRetAllow);
}

BOOST_AUTO_TEST_CASE(other_architectures_get_the_bad_arch_action) {
  RuleList rules;
  rules.rules.push_back(Rule{kNrGetpid, {}, 0x00050001});
  const ValidatedProgram p = MustCompile(rules);
  BOOST_TEST(Verdict(p, kNrGetpid, {}, kAuditArchI386) == kRetKillThread);
  BOOST_TEST(Verdict(p, kNrGetpid, {}, 0xC00000B7) == kRetKillThread);  // aarch64
}

BOOST_AUTO_TEST_CASE(x32_numbers_are_refused_by_libseccomp) {
  // libseccomp's x86_64 filters kill x32 syscall numbers (nr >= 0x40000000).
  RuleList rules;
  const ValidatedProgram p = MustCompile(rules);
  BOOST_TEST(Verdict(p, 0x40000000 | kNrGetpid) != kRetAllow);
  BOOST_TEST(Verdict(p, kNrGetpid) == kRetAllow);
}

BOOST_AUTO_TEST_CASE(refuses_rule_whose_action_equals_the_default) {
  RuleList rules;
  rules.default_action = 0x00050001;
  rules.rules.push_back(Rule{kNrGetpid, {}, 0x00050001});
  auto compiled = Compile(rules);
  BOOST_REQUIRE(!compiled.ok());
  BOOST_TEST(compiled.error() ==
             "libseccomp refused rule 1 (syscall 39, action 0x00050001): its action equals "
             "the default action (EACCES)");
}

BOOST_AUTO_TEST_CASE(refuses_argument_index_above_5) {
  RuleList rules;
  rules.rules.push_back(Rule{kNrGetpid, {ArgCmp{6, ArgCmp::Op::kEq, 0, 0}}, 0x00050001});
  auto compiled = Compile(rules);
  BOOST_REQUIRE(!compiled.ok());
  BOOST_TEST(compiled.error() ==
             "libseccomp refused rule 1 (syscall 39, action 0x00050001) (EINVAL)");
}

BOOST_AUTO_TEST_CASE(refuses_an_invalid_default_action) {
  RuleList rules;
  rules.default_action = 0x12340000;
  auto compiled = Compile(rules);
  BOOST_REQUIRE(!compiled.ok());
  BOOST_TEST(compiled.error() == "libseccomp refused the default action 0x12340000");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::bpf
