// Action values, their names, the kernel's precedence, and RunStack's tie rules
// (seccomp_run_filters: all filters run, smallest key wins, newest wins ties).
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "bpf/actions.h"
#include "tests/bpf/test_util.h"

namespace sclab::bpf {
namespace {

ValidatedProgram Returning(uint32_t ret) { return MustValidate({Stmt(kRetK, ret)}); }

StackResult RunNewestFirst(const std::vector<uint32_t>& rets_newest_first) {
  std::vector<ValidatedProgram> programs;
  programs.reserve(rets_newest_first.size());
  for (uint32_t r : rets_newest_first) {
    programs.push_back(Returning(r));
  }
  std::vector<const ValidatedProgram*> chain;
  chain.reserve(programs.size());
  for (const auto& p : programs) {
    chain.push_back(&p);
  }
  return RunStack(chain, SeccompData{});
}

struct NameCase {
  uint32_t ret;
  const char* name;
};
std::ostream& operator<<(std::ostream& os, const NameCase& c) { return os << c.name; }

const NameCase kNames[] = {
    {0x7fff0000, "ALLOW"},         {0x7fff0001, "ALLOW"},
    {0x80000000, "KILL_PROCESS"},  {0x00000000, "KILL_THREAD"},
    {0x00030007, "TRAP(7)"},       {0x00050001, "ERRNO(1)"},
    {0x0005ffff, "ERRNO(65535)"},  {0x7fc00000, "NOTIFY"},
    {0x7ff0002a, "TRACE(42)"},     {0x7ffc0000, "LOG"},
    {0x10000000, "UNKNOWN(0x10000000)"}, {0x80010000, "UNKNOWN(0x80010000)"},
    {0x00040001, "UNKNOWN(0x00040001)"},
};

BOOST_AUTO_TEST_SUITE(bpf_actions)

BOOST_DATA_TEST_CASE(formats_actions, boost::unit_test::data::make(kNames), c) {
  BOOST_TEST(FormatAction(c.ret) == c.name);
}

BOOST_AUTO_TEST_CASE(precedence_follows_signed_action_value) {
  const uint32_t order[] = {0x80000000, 0x80010000, 0xffff0000, 0x00000000, 0x00030000,
                            0x00050000, 0x10000000, 0x7fc00000, 0x7ff00000, 0x7ffc0000,
                            0x7ffe0000, 0x7fff0000};
  for (size_t i = 0; i + 1 < std::size(order); ++i) {
    BOOST_TEST_CONTEXT(fmt::format("0x{:08x} vs 0x{:08x}", order[i], order[i + 1])) {
      if (PrecedenceKey(order[i]) == PrecedenceKey(order[i + 1])) {
        continue;
      }
      BOOST_TEST(ActionPrecedes(order[i], order[i + 1]));
      BOOST_TEST(!ActionPrecedes(order[i + 1], order[i]));
    }
  }
  BOOST_TEST(!ActionPrecedes(0x00050001, 0x00050002));  // data never counts
  BOOST_TEST(!ActionPrecedes(0x00050002, 0x00050001));
  BOOST_TEST(ActionOf(0x0005abcd) == 0x00050000u);
  BOOST_TEST(IsKnownAction(0x7ff00005));
  BOOST_TEST(!IsKnownAction(0x10000000));
}

BOOST_AUTO_TEST_CASE(empty_stack_allows_without_match) {
  const StackResult r = RunStack(std::span<const ValidatedProgram* const>{}, SeccompData{});
  BOOST_TEST(r.ret == kRetAllow);
  BOOST_TEST(r.match == -1);
  BOOST_TEST(r.insns_executed == 0u);
}

BOOST_AUTO_TEST_CASE(newest_filter_wins_ties_with_its_data) {
  // Installed ERRNO(11), ERRNO(13), ERRNO(12) in that order: live errno is 12.
  const StackResult r = RunNewestFirst({0x0005000c, 0x0005000d, 0x0005000b});
  BOOST_TEST(r.ret == 0x0005000cu);
  BOOST_TEST(r.match == 0);
  BOOST_TEST(r.insns_executed == 3u);  // every filter runs
}

BOOST_AUTO_TEST_CASE(higher_precedence_in_older_filter_wins) {
  const StackResult r = RunNewestFirst({0x7fc00000, 0x00050001, 0x7fff0000});
  BOOST_TEST(r.ret == 0x00050001u);
  BOOST_TEST(r.match == 1);
}

BOOST_AUTO_TEST_CASE(kill_process_and_negative_unknowns_rank_first) {
  BOOST_TEST(RunNewestFirst({0x00000000, 0x80000000}).ret == 0x80000000u);
  const StackResult unknown = RunNewestFirst({0x00000000, 0x80010000});
  BOOST_TEST(unknown.ret == 0x80010000u);  // beats KILL_THREAD
  BOOST_TEST(unknown.match == 1);
  BOOST_TEST(RunNewestFirst({0x80010000, 0x80000000}).ret == 0x80000000u);
}

BOOST_AUTO_TEST_CASE(positive_unknown_ranks_by_value) {
  // 0x10000000 loses to ERRNO and beats USER_NOTIF (live "X unknown").
  BOOST_TEST(RunNewestFirst({0x10000000, 0x00050001}).ret == 0x00050001u);
  BOOST_TEST(RunNewestFirst({0x7fc00000, 0x10000000}).ret == 0x10000000u);
}

BOOST_AUTO_TEST_CASE(allow_result_has_no_match_and_no_data) {
  const StackResult r = RunNewestFirst({0x7fff0005, 0x7fff0000});
  BOOST_TEST(r.ret == kRetAllow);  // ALLOW's data is dropped: the initial value stays
  BOOST_TEST(r.match == -1);
  const StackResult log = RunNewestFirst({0x7fff0000, 0x7ffc0000});
  BOOST_TEST(log.ret == kRetLog);
  BOOST_TEST(log.match == 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::bpf
