// TranslatedLength against bpf_convert_filter()'s rules and the chain-budget results
// observed on the live 6.18 kernel (seccomp_attach_filter: T(new) + sum(T + 4) <=
// 32768, else ENOMEM).
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "bpf/validator.h"
#include "tests/bpf/test_util.h"

namespace sclab::bpf {
namespace {

constexpr uint32_t kAllow = 0x7fff0000;

std::vector<Insn> Rets(int n) { return std::vector<Insn>(static_cast<size_t>(n), Stmt(kRetK, kAllow)); }

// LoadsThenRet is `loads` x `ld [0]` followed by `ret #ALLOW`.
std::vector<Insn> LoadsThenRet(int loads) {
  std::vector<Insn> p(static_cast<size_t>(loads), Stmt(kLdWAbs, 0));
  p.push_back(Stmt(kRetK, kAllow));
  return p;
}

// Chain models the path budget of kernel/seccomp.c seccomp_attach_filter().
class Chain {
 public:
  bool Attach(const std::vector<Insn>& program) {
    const int t = MustValidate(program).TranslatedLength();
    if (t + charged_ > kMaxInsnsPerPath) {
      return false;
    }
    charged_ += t + kPathPenaltyPerFilter;
    return true;
  }

 private:
  int charged_ = 0;
};

struct CostCase {
  const char* name;
  Insn insn;
  int cost;
};
std::ostream& operator<<(std::ostream& os, const CostCase& c) { return os << c.name; }

const CostCase kCosts[] = {
    {"ret_a", Stmt(kRetA, 0), 1},
    {"ld_abs", Stmt(kLdWAbs, 0), 1},
    {"ld_len", Stmt(kLdWLen, 0), 1},
    {"ld_mem", Stmt(kLdMem, 0), 1},
    {"st", Stmt(kSt, 0), 1},
    {"div_k", Stmt(kDivK, 3), 1},
    {"div_x", Stmt(kDivX, 0), 5},
    {"neg", Stmt(kNeg, 0), 1},
    {"tax", Stmt(kTax, 0), 1},
    {"ja", Stmt(kJa, 0), 1},
    {"jeq_jf_0", Jump(kJeqK, 1, 0, 0), 1},
    {"jeq_jt_only", Jump(kJeqK, 1, 1, 0), 1},
    {"jeq_jf_only_becomes_jne", Jump(kJeqK, 1, 0, 1), 1},
    {"jgt_jf_only_becomes_jle", Jump(kJgtK, 1, 0, 1), 1},
    {"jge_jf_only_becomes_jlt", Jump(kJgeX, 0, 0, 1), 1},
    {"jset_jf_only_needs_ja", Jump(kJsetK, 1, 0, 1), 2},
    {"jeq_both", Jump(kJeqK, 1, 1, 1), 2},
    {"jeq_x_both", Jump(kJeqX, 0, 1, 1), 2},
    {"jeq_negative_k", Jump(kJeqK, 0x80000000, 1, 0), 2},
    {"jeq_negative_k_both", Jump(kJeqK, 0xffffffff, 1, 1), 3},
    {"jset_negative_k_jf_only", Jump(kJsetK, 0xfffffffe, 0, 1), 3},
    {"jgt_k_0x7fffffff_is_positive", Jump(kJgtK, 0x7fffffff, 0, 1), 1},
};

BOOST_AUTO_TEST_SUITE(bpf_translated_length)

BOOST_DATA_TEST_CASE(costs_per_instruction, boost::unit_test::data::make(kCosts), c) {
  // Prologue 3 + the instruction + `ret a` (1); jumps land on the trailing RETs.
  std::vector<Insn> program = {c.insn, Stmt(kRetA, 0), Stmt(kRetA, 0)};
  BOOST_TEST(TranslatedLength(program) == 3 + c.cost + 2);
}

BOOST_AUTO_TEST_CASE(one_ret_is_5_and_4096_rets_are_8195) {
  BOOST_TEST(MustValidate(Rets(1)).TranslatedLength() == 5);
  BOOST_TEST(MustValidate(Rets(4096)).TranslatedLength() == 8195);
  BOOST_TEST(MustValidate(LoadsThenRet(4095)).TranslatedLength() == 4100);
}

BOOST_AUTO_TEST_CASE(seven_filters_of_4095_loads_fit_and_the_eighth_does_not) {
  Chain chain;
  for (int i = 0; i < 7; ++i) {
    BOOST_TEST(chain.Attach(LoadsThenRet(4095)));
  }
  BOOST_TEST(!chain.Attach(LoadsThenRet(4095)));
  // Live: the same holds for 4094 loads + ret (T = 4099).
  Chain shorter;
  for (int i = 0; i < 7; ++i) {
    BOOST_TEST(shorter.Attach(LoadsThenRet(4094)));
  }
  BOOST_TEST(!shorter.Attach(LoadsThenRet(4094)));
}

BOOST_AUTO_TEST_CASE(after_one_ret_three_4096_ret_filters_fit) {
  Chain chain;
  BOOST_TEST(chain.Attach(Rets(1)));
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(chain.Attach(Rets(4096)));
  }
  BOOST_TEST(!chain.Attach(Rets(4096)));
  // 32768 - (9 + 3 * 8199) = 8162 left: a 4079-RET filter (T = 8161) fits, 4080 not.
  BOOST_TEST(!chain.Attach(Rets(4080)));
  BOOST_TEST(chain.Attach(Rets(4079)));
  BOOST_TEST(!chain.Attach(Rets(1)));
}

BOOST_AUTO_TEST_CASE(after_4064_rets_twelve_fit_and_thirteen_do_not) {
  // Live: 1, 3 x 4096, 4064 fit; then 4063 and 13 are ENOMEM, 12 fits, then 1 is not.
  Chain chain;
  BOOST_TEST(chain.Attach(Rets(1)));
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(chain.Attach(Rets(4096)));
  }
  BOOST_TEST(chain.Attach(Rets(4064)));
  BOOST_TEST(!chain.Attach(Rets(4063)));
  BOOST_TEST(!chain.Attach(Rets(13)));
  BOOST_TEST(chain.Attach(Rets(12)));
  BOOST_TEST(!chain.Attach(Rets(1)));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::bpf
