// The scenario side of the proposal verbs: `requires proposal NAME user=… kernel=…`,
// the diagnostics (a verb without its `requires`, an unknown field), and the shared
// runner turning a verb into the plug-in's buffers and one syscall, then reading back
// its fields and binding its notification, against a scripted FakeMachine.
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <string>

#include "scenarios/diagnostic.h"
#include "scenarios/parser.h"
#include "scenarios/runner.h"
#include "tests/scenarios/fake_machine.h"

namespace sclab::scn {
namespace {

using testing::FakeMachine;

ParseResult Parse(std::string_view text) { return ParseScenario("t.scn", text); }

Scenario MustParse(std::string_view text) {
  ParseResult r = Parse(text);
  BOOST_TEST_REQUIRE(r.diagnostics.empty(), FormatDiagnostics(r.diagnostics));
  return std::move(*r.scenario);
}

std::string FirstError(std::string_view text) {
  ParseResult r = Parse(text);
  BOOST_TEST_REQUIRE(!r.diagnostics.empty());
  return r.diagnostics.front().message;
}

const Event* EventAt(const Trace& t, uint32_t line) {
  for (const Event& e : t.events) {
    if (e.line == line) return &e;
  }
  return nullptr;
}

std::string Data(const Event& e, const std::string& key) {
  for (const auto& [k, v] : e.data) {
    if (k == key) return v;
  }
  return "(none)";
}

BOOST_AUTO_TEST_SUITE(proposals_scenario_verbs)

BOOST_AUTO_TEST_CASE(requires_proposal_takes_the_two_abi_versions) {
  const Scenario s =
      MustParse("scenario \"x\"\nrequires proposal ea_notif user=old kernel=new\nprocess p\n");
  BOOST_TEST_REQUIRE(s.proposal_abis.size() == 1u);
  BOOST_TEST(s.proposal_abis[0].name == "ea_notif");
  BOOST_TEST(s.proposal_abis[0].user_old);
  BOOST_TEST(!s.proposal_abis[0].kernel_old);
  const Scenario d = MustParse("scenario \"x\"\nrequires proposal deep_args\nprocess p\n");
  BOOST_TEST(!d.proposal_abis[0].user_old);
  BOOST_TEST(!d.proposal_abis[0].kernel_old);
  BOOST_TEST(FirstError("scenario \"x\"\nrequires proposal ea_notif user=mid\n") ==
             "expected `old` or `new`, found `mid`");
}

BOOST_AUTO_TEST_CASE(a_proposal_verb_without_its_requires_is_a_diagnostic) {
  BOOST_TEST(FirstError("scenario \"x\"\nprocess p\np: ea_recv(3) -> n\n") ==
             "`ea_recv` belongs to proposal `ea_notif`: add `requires proposal ea_notif`");
  BOOST_TEST(FirstError("scenario \"x\"\nrequires proposal today\nprocess p\n"
                        "p: ea_recv(3) -> n\n") ==
             "`ea_recv` belongs to proposal `ea_notif`: add `requires proposal ea_notif`");
}

BOOST_AUTO_TEST_CASE(a_verbs_fields_are_checked_by_name) {
  MustParse(
      "scenario \"x\"\nrequires proposal ea_notif\nprocess p\np: ea_recv(3) -> n\n"
      "expect n.tgid == p\nexpect n.data.nr == openat2\n");
  BOOST_TEST(FirstError("scenario \"x\"\nrequires proposal ea_notif\nprocess p\n"
                        "p: ea_recv(3) -> n\nexpect n.bogus == 1\n")
                 .find("unknown field `bogus` of notification `n` (it has id, pid") == 0u);
  MustParse(
      "scenario \"x\"\nrequires proposal today\nprocess p\np: read_open_how(p, 0x1000) -> h\n"
      "expect h.how.flags == 0\nexpect h == 24\n");
  BOOST_TEST(FirstError("scenario \"x\"\nrequires proposal today\nprocess p\n"
                        "p: read_open_how(p, 0x1000) -> h\nexpect h.how.bogus == 0\n") ==
             "unknown field `how.bogus` of `h` (it has how.flags, how.mode, how.resolve)");
}

BOOST_AUTO_TEST_CASE(the_runner_issues_the_plan_and_binds_the_notification) {
  FakeMachine m;
  constexpr uint64_t kRecvEa = 0xC0602110;
  m.script = [&](FakeMachine& fm, CallId, const testing::IssuedSyscall& s) -> RawOutcome {
    if (s.nr == 16 && s.args[1] == kRecvEa) {
      // The kernel's answer: size 104, HAS_TGID, id 777, pid = p, tgid = p, openat2.
      fm.WriteLe(s.task, s.args[2], 104, 4);
      fm.WriteLe(s.task, s.args[2] + 4, 1, 4);
      fm.WriteLe(s.task, s.args[2] + 8, 777, 8);
      fm.WriteLe(s.task, s.args[2] + 16, 1000, 4);
      fm.WriteLe(s.task, s.args[2] + 20, 1000, 4);
      fm.WriteLe(s.task, s.args[2] + 32, 437, 4);
      fm.WriteLe(s.task, s.args[2] + 96, 5, 4);
      return FakeMachine::Ret(0);
    }
    return FakeMachine::Ret(0);
  };
  const Scenario s = MustParse(
      "scenario \"x\"\nrequires proposal ea_notif\nprocess p\n"
      "p: ea_recv(3) -> n\n"            // line 4
      "expect n.tgid == p\n"            // line 5
      "expect n.pidfd == 5\n"           // line 6
      "p: reply(3, n, continue) = 0\n"  // line 7
  );
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST_REQUIRE(!t.runtime_error, t.stop_reason);
  BOOST_TEST_REQUIRE(m.issued.size() == 2u);
  const uint64_t buf = FakeMachine::Buffer(0, 104);
  BOOST_TEST(m.issued[0].nr == 16);
  BOOST_TEST(m.issued[0].args[0] == 3u);
  BOOST_TEST(m.issued[0].args[1] == kRecvEa);
  BOOST_TEST(m.issued[0].args[2] == buf);
  const Event* recv = EventAt(t, 4);
  BOOST_TEST_REQUIRE(recv != nullptr);
  BOOST_TEST(recv->outcome == "ret 0");
  BOOST_TEST(Data(*recv, "id") == "n");
  BOOST_TEST(Data(*recv, "pid") == "p");
  BOOST_TEST(Data(*recv, "data.nr") == "openat2");
  BOOST_TEST(Data(*recv, "tgid") == "p");
  BOOST_TEST(Data(*recv, "size") == "104");
  BOOST_TEST(EventAt(t, 5)->check == "ok");
  BOOST_TEST(EventAt(t, 6)->check == "ok");
  // The reply names n's id.
  BOOST_TEST(m.ReadLe(0, m.issued[1].args[2], 8) == 777u);
}

BOOST_AUTO_TEST_CASE(the_userspace_abi_sizes_the_buffers) {
  FakeMachine m;
  const Scenario s = MustParse(
      "scenario \"x\"\nrequires proposal ea_notif user=old\nprocess p\np: ea_recv(3) -> n\n");
  RunScenario(s, m, RunOptions{});
  BOOST_TEST_REQUIRE(m.issued.size() == 1u);
  BOOST_TEST(m.issued[0].args[2] == FakeMachine::Buffer(0, 96));
}

BOOST_AUTO_TEST_CASE(pointers_between_buffers_hold_the_runners_addresses) {
  FakeMachine m;
  const Scenario s = MustParse(
      "scenario \"x\"\nrequires proposal today\nprocess p\n"
      "p: read_open_how(p, 0x12345000) -> h\n");
  RunScenario(s, m, RunOptions{});
  BOOST_TEST_REQUIRE(m.issued.size() == 1u);
  const auto& call = m.issued[0];
  BOOST_TEST(call.nr == 310);
  BOOST_TEST(call.args[0] == 1000u);
  const uint64_t how = FakeMachine::Buffer(0, 24);
  BOOST_TEST(call.args[1] == FakeMachine::Buffer(1, 16));
  BOOST_TEST(call.args[2] == 1u);
  BOOST_TEST(call.args[3] == FakeMachine::Buffer(2, 16));
  BOOST_TEST(m.ReadLe(0, call.args[1], 8) == how);          // local iov_base
  BOOST_TEST(m.ReadLe(0, call.args[1] + 8, 8) == 24u);      // local iov_len
  BOOST_TEST(m.ReadLe(0, call.args[3], 8) == 0x12345000u);  // remote iov_base
}

BOOST_AUTO_TEST_CASE(fields_are_read_back_after_a_failure_too) {
  FakeMachine m;
  m.script = [](FakeMachine& fm, CallId, const testing::IssuedSyscall& s) -> RawOutcome {
    fm.WriteLe(s.task, s.args[2], 24, 4);  // the kernel writes its size back
    return FakeMachine::Ret(-7);           // E2BIG
  };
  const Scenario s = MustParse(
      "scenario \"x\"\nrequires proposal perf_config kernel=old\nprocess p\n"
      "p: notif_config(3, data_v2=88) -> c = -E2BIG\n"
      "expect c.size == 24\n");
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(EventAt(t, 4)->outcome == "err E2BIG");
  BOOST_TEST(EventAt(t, 4)->check == "ok");
  BOOST_TEST(Data(*EventAt(t, 4), "size") == "24");
  BOOST_TEST(EventAt(t, 5)->check == "ok");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
