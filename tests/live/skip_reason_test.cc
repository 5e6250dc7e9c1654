// live_skip: why the live backend skips a scenario, in the documented order.
#include "live/skip_reason.h"

#include <boost/test/unit_test.hpp>

#include "model/syscall_table.h"

namespace sclab::live {
namespace {

LiveHost Host() {
  LiveHost host;
  host.root = true;
  host.kernel = "6.18.44";
  host.kernel_major = 6;
  host.kernel_minor = 18;
  host.seccomp_filter = true;
  host.user_notif = true;
  return host;
}

scn::Step CallStep(scn::Verb verb, int nr = -1) {
  scn::Step step;
  step.kind = scn::Step::Kind::kCall;
  step.call.verb = verb;
  step.call.nr = nr;
  return step;
}

BOOST_AUTO_TEST_SUITE(live_skip)

BOOST_AUTO_TEST_CASE(a_plain_scenario_runs) {
  scn::Scenario s;
  s.processes.push_back({"a", false, {}});
  BOOST_TEST(LiveSkipReason(s, Host()) == "");
}

BOOST_AUTO_TEST_CASE(proposals_are_sim_only_and_come_first) {
  scn::Scenario s;
  s.requires_proposals = {"ea_notif"};
  s.requires_kernel = std::make_pair(9, 0);
  LiveHost host = Host();
  host.root = false;
  BOOST_TEST(LiveSkipReason(s, host) == "sim only: proposal ea_notif has no kernel");
}

BOOST_AUTO_TEST_CASE(privileged_and_ids_need_root) {
  scn::Scenario s;
  s.processes.push_back({"sup", true, {}});
  LiveHost host = Host();
  BOOST_TEST(LiveSkipReason(s, host) == "");
  host.root = false;
  BOOST_TEST(LiveSkipReason(s, host) == "process sup is privileged and the runner is not root");
  scn::Scenario ids;
  ids.steps.push_back(CallStep(scn::Verb::kSyscall, model::nr::kGetuid));
  BOOST_TEST(LiveSkipReason(ids, host) ==
             "getuid()/getgid() expect uid/gid 65534, which needs a root runner");
  BOOST_TEST(LiveSkipReason(ids, Host()) == "");
}

BOOST_AUTO_TEST_CASE(requires_kernel_compares_major_then_minor) {
  scn::Scenario s;
  s.requires_kernel = std::make_pair(6, 19);
  BOOST_TEST(LiveSkipReason(s, Host()) == "requires kernel >= 6.19, this is 6.18.44");
  s.requires_kernel = std::make_pair(6, 18);
  BOOST_TEST(LiveSkipReason(s, Host()) == "");
  s.requires_kernel = std::make_pair(5, 99);
  BOOST_TEST(LiveSkipReason(s, Host()) == "");
}

BOOST_AUTO_TEST_CASE(seccomp_and_user_notif_availability) {
  scn::Scenario s;
  LiveHost host = Host();
  host.user_notif = false;
  BOOST_TEST(LiveSkipReason(s, host) == "");
  scn::FilterDecl filter;
  filter.program = {{0x06, 0, 0, 0x7fc00000u}};  // ret NOTIFY
  s.filters.push_back(filter);
  BOOST_TEST(LiveSkipReason(s, host) == "this kernel does not offer SECCOMP_RET_USER_NOTIF");
  scn::Scenario recv;
  recv.steps.push_back(CallStep(scn::Verb::kRecv));
  BOOST_TEST(LiveSkipReason(recv, host) == "this kernel does not offer SECCOMP_RET_USER_NOTIF");
  host.seccomp_filter = false;
  BOOST_TEST(LiveSkipReason(s, host) == "this kernel has no seccomp filters (no actions_avail)");
}

BOOST_AUTO_TEST_CASE(probe_reads_this_machine) {
  const LiveHost host = ProbeLiveHost();
  BOOST_TEST(!host.kernel.empty());
  BOOST_TEST(host.kernel_major >= 3);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::live
