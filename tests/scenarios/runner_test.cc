// The runner against a scripted FakeMachine: the exact syscalls and buffer contents
// of docs/execution.md §3, outcomes and their normalisation (§4, §5), expectation
// checks, run-time errors and the safety rules (§6), the filter shadow's reports to
// the backend, and the explanations.
#include "scenarios/runner.h"

#include <fmt/format.h>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "fake_machine.h"
#include "golden.h"
#include "scenarios/parser.h"
#include "scenarios/timeline.h"
#include "test_files.h"

namespace sclab::scn {
namespace {

using testing::FakeMachine;
using testing::IssuedSyscall;

constexpr uint64_t kRecv = 0xc0502100, kSend = 0xc0182101, kIdValid = 0x40082102,
                   kAddfd = 0x40182103, kSetFlags = 0x40082104;

Scenario MustParse(std::string_view text) {
  ParseResult r = ParseScenario("t.scn", text);
  BOOST_TEST_REQUIRE(r.diagnostics.empty(), FormatDiagnostics(r.diagnostics));
  return std::move(*r.scenario);
}

std::string Events(const Trace& t) {
  std::string out;
  for (const Event& e : t.events) {
    out += fmt::format("{} {} | {} | {}", e.line, e.actor, e.call, e.outcome);
    for (const auto& [k, v] : e.data) {
      out += fmt::format(" {}={}", k, v);
    }
    if (!e.check.empty()) {
      out += " | " + e.check;
    }
    out += "\n";
  }
  return out;
}

// NotifyScript answers the syscalls of the language page's example the way the
// kernel does: the listener is fd 3, passed as fd 4; getppid blocks until the reply.
struct NotifyWorld {
  std::optional<CallId> blocked;
  bool replied = false;

  FakeMachine::Script Script() {
    return [this](FakeMachine& m, CallId id, const IssuedSyscall& s) -> RawOutcome {
      switch (s.nr) {
        case 157:
          return FakeMachine::Ret(0);
        case 317:
          return FakeMachine::Ret(3);
        case 47:  // recvmsg: the SCM_RIGHTS message carries fd 4
          m.WriteLe(s.task, s.args[1] + 80, 20, 8);
          m.WriteLe(s.task, s.args[1] + 88, 1, 4);
          m.WriteLe(s.task, s.args[1] + 92, 1, 4);
          m.WriteLe(s.task, s.args[1] + 96, 4, 4);
          return FakeMachine::Ret(1);
        case 110:
          blocked = id;
          return FakeMachine::Blocked();
        case 7:
          m.WriteLe(s.task, s.args[0] + 6, 1, 2);  // revents = POLLIN
          return FakeMachine::Ret(1);
        case 16:
          if (s.args[1] == kRecv) {
            m.WriteLe(s.task, s.args[2], 777, 8);
            m.WriteLe(s.task, s.args[2] + 8, 1010, 4);
            m.WriteLe(s.task, s.args[2] + 16, 110, 4);
            m.WriteLe(s.task, s.args[2] + 20, 0xc000003e, 4);
            m.WriteLe(s.task, s.args[2] + 24, 0x401000, 8);  // ip: dropped
            return FakeMachine::Ret(0);
          }
          if (s.args[1] == kIdValid) {
            return FakeMachine::Ret(replied ? -2 : 0);
          }
          if (s.args[1] == kSend) {
            m.Complete(*blocked, static_cast<int64_t>(m.ReadLe(s.task, s.args[2] + 8, 8)));
            replied = true;
            return FakeMachine::Ret(0);
          }
          return FakeMachine::Ret(-22);
        case 121:
          return FakeMachine::Ret(-1);
        default:
          return FakeMachine::Ret(0);
      }
    };
  }
};

BOOST_AUTO_TEST_SUITE(scn_runner)

BOOST_AUTO_TEST_CASE(the_language_example_issues_the_documented_syscalls) {
  const Scenario s = MustParse(testing::ReadTestFile("notify_getppid.scn"));
  FakeMachine m;
  NotifyWorld world;
  m.script = world.Script();
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.stop_reason == "");
  BOOST_TEST_REQUIRE(m.issued.size() == 10u);
  const TaskId sup = 0, target = 1;
  const size_t prog_len = s.filters[0].program.size();
  auto expect_call = [&](size_t i, TaskId task, int nr, std::array<uint64_t, 6> args) {
    BOOST_TEST(m.issued[i].task == task, "call " << i);
    BOOST_TEST(m.issued[i].nr == nr, "call " << i);
    BOOST_TEST(m.issued[i].args == args, boost::test_tools::per_element());
  };
  expect_call(0, target, 157, {38, 1, 0, 0, 0, 0});
  const uint64_t prog = FakeMachine::Buffer(0, 8 * prog_len);
  const uint64_t fprog = FakeMachine::Buffer(1, 16);
  expect_call(1, target, 317, {1, 8, fprog, 0, 0, 0});
  BOOST_TEST(m.ReadLe(target, fprog, 2) == prog_len);
  BOOST_TEST(m.ReadLe(target, fprog + 2, 6) == 0u);
  BOOST_TEST(m.ReadLe(target, fprog + 8, 8) == prog);
  BOOST_TEST(m.ReadLe(target, prog, 2) == s.filters[0].program[0].code);
  BOOST_TEST(m.ReadLe(target, prog + 4, 4) == s.filters[0].program[0].k);
  BOOST_TEST_REQUIRE(m.sent_fds.size() == 1u);
  BOOST_TEST(m.sent_fds[0].from == target);
  BOOST_TEST(m.sent_fds[0].fd == 3);
  BOOST_TEST(m.sent_fds[0].to == sup);
  const uint64_t msg = FakeMachine::Buffer(0, 120);
  expect_call(2, sup, 47, {1023, msg, 0, 0, 0, 0});
  BOOST_TEST(m.ReadLe(sup, msg + 16, 8) == msg + 56);  // msg_iov
  BOOST_TEST(m.ReadLe(sup, msg + 24, 8) == 1u);        // msg_iovlen
  BOOST_TEST(m.ReadLe(sup, msg + 32, 8) == msg + 80);  // msg_control
  BOOST_TEST(m.ReadLe(sup, msg + 40, 8) == 24u);       // msg_controllen
  BOOST_TEST(m.ReadLe(sup, msg + 56, 8) == msg + 72);  // iov_base
  BOOST_TEST(m.ReadLe(sup, msg + 64, 8) == 1u);        // iov_len
  expect_call(3, target, 110, {0, 0, 0, 0, 0, 0});
  const uint64_t pollfd = FakeMachine::Buffer(1, 8);
  expect_call(4, sup, 7, {pollfd, 1, 0, 0, 0, 0});
  BOOST_TEST(m.ReadLe(sup, pollfd, 4) == 4u);
  BOOST_TEST(m.ReadLe(sup, pollfd + 4, 2) == 5u);  // POLLIN|POLLOUT
  expect_call(5, sup, 16, {4, kRecv, FakeMachine::Buffer(2, 80), 0, 0, 0});
  expect_call(6, sup, 16, {4, kIdValid, FakeMachine::Buffer(3, 8), 0, 0, 0});
  BOOST_TEST(m.ReadLe(sup, FakeMachine::Buffer(3, 8), 8) == 777u);
  const uint64_t resp = FakeMachine::Buffer(4, 24);
  expect_call(7, sup, 16, {4, kSend, resp, 0, 0, 0});
  BOOST_TEST(m.ReadLe(sup, resp, 8) == 777u);
  BOOST_TEST(m.ReadLe(sup, resp + 8, 8) == 4242u);
  BOOST_TEST(m.ReadLe(sup, resp + 16, 4) == 0u);
  BOOST_TEST(m.ReadLe(sup, resp + 20, 4) == 0u);
  expect_call(8, target, 121, {0, 0, 0, 0, 0, 0});
  expect_call(9, sup, 16, {4, kIdValid, FakeMachine::Buffer(5, 8), 0, 0, 0});
  BOOST_TEST(m.shut_down);
}

BOOST_AUTO_TEST_CASE(the_language_example_gives_the_expected_trace) {
  const Scenario s = MustParse(testing::ReadTestFile("notify_getppid.scn"));
  FakeMachine m;
  NotifyWorld world;
  m.script = world.Script();
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(Events(t) ==
             "15 target | nnp() = 0 | ret 0 | ok\n"
             "16 target | install(notify_getppid, NEW_LISTENER) -> L | ret 3\n"
             "17 target | pass(L, sup) -> SL | ret 4\n"
             "18 target | getppid() & -> c1 | blocked\n"
             "19 sup | poll(SL) = POLLIN | ret POLLIN | ok\n"
             "20 sup | recv(SL) -> n1 = 0 | ret 0 id=n1 pid=target flags=0 data.nr=getppid "
             "data.arch=AUDIT_ARCH_X86_64 data.args=[0,0,0,0,0,0] | ok\n"
             "21 runner | expect n1.pid == target |  lhs=target rhs=target | ok\n"
             "22 runner | expect n1.data.nr == getppid |  lhs=getppid rhs=getppid | ok\n"
             "23 runner | expect n1.data.arch == AUDIT_ARCH_X86_64 |  lhs=AUDIT_ARCH_X86_64 "
             "rhs=AUDIT_ARCH_X86_64 | ok\n"
             "24 sup | id_valid(SL, n1) = 0 | ret 0 | ok\n"
             "25 sup | reply(SL, n1, val=4242) = 0 | ret 0 | ok\n"
             "26 runner | await c1 = 4242 | ret 4242 task=target call=getppid() & -> c1 | ok\n"
             "27 target | getpgid(0) = -EPERM | err EPERM | ok\n"
             "28 sup | id_valid(SL, n1) = -ENOENT | err ENOENT | ok\n");
  BOOST_TEST(t.events[5].listener == "L");
  BOOST_TEST(t.events[9].listener == "L");
  BOOST_TEST(t.Failures() == 0u);
  BOOST_TEST(t.header.seed == 1u);
  BOOST_TEST(t.header.backend == "fake");
  testing::CheckGolden("runner_notify_getppid_fake", FormatTimeline(t));
}

BOOST_AUTO_TEST_CASE(the_same_run_gives_the_same_digest) {
  const Scenario s = MustParse(testing::ReadTestFile("notify_getppid.scn"));
  std::string digests[2];
  for (std::string& digest : digests) {
    FakeMachine m;
    NotifyWorld world;
    m.script = world.Script();
    digest = RunScenario(s, m, RunOptions{}).Digest();
  }
  BOOST_TEST(digests[0] == digests[1]);
  RunOptions seeded;
  seeded.seed = 9;
  FakeMachine m;
  NotifyWorld world;
  m.script = world.Script();
  BOOST_TEST(RunScenario(s, m, seeded).header.seed == 9u);
}

// KERNEL_SEMANTICS.md section 6: a trace says which kernel it came from: uname -r,
// the runner's Seccomp lines, and whether actions_avail lists user_notif.
BOOST_AUTO_TEST_CASE(the_header_records_what_the_backend_says_about_its_kernel) {
  struct OldKernel : FakeMachine {
    BackendInfo Info() override {
      return BackendInfo{"live", "4.14.0-test", "Seccomp: 0; Seccomp_filters: 0", false};
    }
  };
  const Scenario s = MustParse("scenario \"x\"\nprocess p\n");
  OldKernel m;
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.header.backend == "live");
  BOOST_TEST(t.header.kernel == "4.14.0-test");
  BOOST_TEST(t.header.runner_status == "Seccomp: 0; Seccomp_filters: 0");
  BOOST_TEST(!t.header.user_notif);
  TimelineOptions explain;
  explain.explain = true;
  BOOST_TEST(FormatTimeline(t, explain).find("actions_avail lists user_notif: no\n") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(failed_checks_say_what_was_expected_and_what_happened) {
  const Scenario s = MustParse(
      "scenario \"x\"\nprocess p\np: getpid() = 5\np: getppid() = runner\n"
      "p: getpgid(0) = -ENOENT\np: getpid() = killed(SIGSYS)\nexpect p == runner\n"
      "expect p.sigsys == { syscall=getppid, errno=5 }\n");
  FakeMachine m;
  m.script = [](FakeMachine& fm, CallId, const IssuedSyscall& c) {
    if (c.nr == 39) {
      return FakeMachine::Ret(fm.PidOfTask(c.task));
    }
    if (c.nr == 110) {
      return FakeMachine::Ret(FakeMachine::kRunnerPid);
    }
    return FakeMachine::Ret(-1);
  };
  m.sigsys[0] = SigsysInfo{31, 1, 7, 39, 0xc000003e, 0x1234};
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(Events(t) ==
             "3 p | getpid() = 5 | ret p | FAIL: expected ret 5, got ret p\n"
             "4 p | getppid() = runner | ret runner | ok\n"
             "5 p | getpgid(0) = -ENOENT | err EPERM | FAIL: expected err ENOENT, got err EPERM\n"
             "6 p | getpid() = killed(SIGSYS) | ret p | FAIL: expected killed SIGSYS, got ret p\n"
             "7 runner | expect p == runner |  lhs=p rhs=runner | FAIL: expected p == runner, "
             "got p = p, runner = runner\n"
             "8 runner | expect p.sigsys == { syscall=getppid, errno=5 } |  signo=SIGSYS code=1 "
             "errno=7 syscall=getpid arch=AUDIT_ARCH_X86_64 | FAIL: expected syscall=getppid "
             "errno=5, got syscall=getpid errno=7\n");
  BOOST_TEST(t.Failures() == 5u);
  BOOST_TEST(!t.runtime_error);
}

BOOST_AUTO_TEST_CASE(addresses_ids_and_pids_are_named) {
  const Scenario s = MustParse(
      "scenario \"x\"\nprocess sup\nprocess target\n"
      "target: openat(AT_FDCWD, \"/dev/null\", O_RDONLY) & -> c\n"
      "sup: recv(3) -> n1\nsup: recv(3) -> n2\n"
      "expect n1.id + 1 == n2.id\nexpect n2.id + 5 != n1.id\n"
      "expect n1.data.args[1] == n2.data.args[1]\n"
      "sup: fork() -> child\nchild: getppid() = sup\n"
      "sup: mem b = zeros(8)\nsup: store b[0] u64 = b + 4\nsup: load b[0] u64 -> v\n"
      "expect v == bad_addr\n");
  FakeMachine m;
  uint64_t next_id = 0x8000000000000000;
  m.script = [&](FakeMachine& fm, CallId, const IssuedSyscall& c) {
    if (c.nr == 257) {
      return FakeMachine::Blocked();
    }
    if (c.nr == 16) {
      fm.WriteLe(c.task, c.args[2], next_id++, 8);
      fm.WriteLe(c.task, c.args[2] + 8, 1010, 4);
      fm.WriteLe(c.task, c.args[2] + 16, 257, 4);
      fm.WriteLe(c.task, c.args[2] + 20, 0xc000003e, 4);
      fm.WriteLe(c.task, c.args[2] + 32, static_cast<uint64_t>(-100), 8);
      fm.WriteLe(c.task, c.args[2] + 40, FakeMachine::Buffer(0, 10), 8);  // target's string
      return FakeMachine::Ret(0);
    }
    if (c.nr == 110) {
      return FakeMachine::Ret(1000);
    }
    return FakeMachine::Ret(0);
  };
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.stop_reason == "");
  BOOST_TEST(Events(t) ==
             "4 target | openat(AT_FDCWD, \"/dev/null\", O_RDONLY) & -> c | blocked\n"
             "5 sup | recv(3) -> n1 | ret 0 id=n1 pid=target flags=0 data.nr=openat "
             "data.arch=AUDIT_ARCH_X86_64 data.args=[-100,&openat@4.arg1,0,0,0,0]\n"
             "6 sup | recv(3) -> n2 | ret 0 id=n2 pid=target flags=0 data.nr=openat "
             "data.arch=AUDIT_ARCH_X86_64 data.args=[-100,&openat@4.arg1,0,0,0,0]\n"
             "7 runner | expect n1.id + 1 == n2.id |  lhs=n2 rhs=n2 | ok\n"
             "8 runner | expect n2.id + 5 != n1.id |  lhs=n2+5 rhs=n1 | ok\n"
             "9 runner | expect n1.data.args[1] == n2.data.args[1] |  lhs=&openat@4.arg1 "
             "rhs=&openat@4.arg1 | ok\n"
             "10 sup | fork() -> child | ret child\n"
             "11 child | getppid() = sup | ret sup | ok\n"
             "12 sup | mem b = zeros(8) | \n"
             "13 sup | store b[0] u64 = b + 4 | \n"
             "14 sup | load b[0] u64 -> v | ret &b+4\n"
             "15 runner | expect v == bad_addr |  lhs=&b+4 rhs=bad_addr | FAIL: expected v == "
             "bad_addr, got v = &b+4, bad_addr = bad_addr\n");
}

BOOST_AUTO_TEST_CASE(verbs_lay_out_their_buffers_as_documented) {
  const Scenario s = MustParse(
      "scenario \"x\"\nprocess p\nprocess q\n"
      "p: action_avail(LOG)\np: notif_sizes() -> sz\nexpect sz.seccomp_notif == 80\n"
      "p: addfd(5, id=9, 2, newfd=7, flags=SETFD, fdflags=O_CLOEXEC)\n"
      "p: reply(5, id=9, continue)\np: reply(5, id=9, error=-EPERM, flags=3)\n"
      "p: set_flags(5, SYNC_WAKE_UP)\np: handle(SIGUSR1, restart)\np: signal(q, SIGUSR1)\n"
      "p: wait(q) = exited(3)\np: strict()\np: exit_group(2)\n");
  FakeMachine m;
  m.script = [](FakeMachine& fm, CallId, const IssuedSyscall& c) {
    if (c.nr == 317 && c.args[0] == 3) {
      fm.WriteLe(c.task, c.args[2], 80, 2);
      fm.WriteLe(c.task, c.args[2] + 2, 24, 2);
      fm.WriteLe(c.task, c.args[2] + 4, 64, 2);
    }
    if (c.nr == 61) {
      fm.WriteLe(c.task, c.args[1], 3 << 8, 4);
      return FakeMachine::Ret(1010);
    }
    if (c.nr == 231) {
      return RawOutcome{RawOutcome::Kind::kExited, 0, 0, 2};
    }
    return FakeMachine::Ret(0);
  };
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.stop_reason == "");
  BOOST_TEST_REQUIRE(m.issued.size() == 11u);
  BOOST_TEST(m.issued[0].nr == 317);
  BOOST_TEST(m.issued[0].args[0] == 2u);
  BOOST_TEST(m.ReadLe(0, m.issued[0].args[2], 4) == 0x7ffc0000u);  // SECCOMP_RET_LOG
  BOOST_TEST(m.issued[1].args[0] == 3u);
  BOOST_TEST(t.events[1].outcome == "ret 0");
  BOOST_TEST(t.events[1].data.size() == 3u);
  BOOST_TEST(t.events[2].check == "ok");
  const uint64_t addfd = m.issued[2].args[2];
  BOOST_TEST(m.issued[2].args[1] == kAddfd);
  BOOST_TEST(m.ReadLe(0, addfd, 8) == 9u);
  BOOST_TEST(m.ReadLe(0, addfd + 8, 4) == 1u);
  BOOST_TEST(m.ReadLe(0, addfd + 12, 4) == 2u);
  BOOST_TEST(m.ReadLe(0, addfd + 16, 4) == 7u);
  BOOST_TEST(m.ReadLe(0, addfd + 20, 4) == 02000000u);
  BOOST_TEST(m.ReadLe(0, m.issued[3].args[2] + 20, 4) == 1u);  // continue
  const uint64_t resp = m.issued[4].args[2];
  BOOST_TEST(m.ReadLe(0, resp + 16, 4) == 0xffffffffu);  // error = -EPERM, raw
  BOOST_TEST(m.ReadLe(0, resp + 20, 4) == 3u);           // flags= replaces continue
  BOOST_TEST(m.issued[5].args[1] == kSetFlags);
  BOOST_TEST(m.issued[5].args[2] == 1u);
  BOOST_TEST(m.issued[6].nr == 13);
  BOOST_TEST(m.issued[6].args[0] == 10u);
  BOOST_TEST(m.issued[6].args[3] == 8u);
  BOOST_TEST(m.ReadLe(0, m.issued[6].args[1], 1) == 10u);  // FakeMachine's sigaction bytes
  BOOST_TEST(m.ReadLe(0, m.issued[6].args[1] + 8, 1) ==
             static_cast<uint64_t>(HandleMode::kRestart));
  BOOST_TEST(m.issued[7].nr == 234);
  BOOST_TEST((m.issued[7].args == std::array<uint64_t, 6>{1010, 1010, 10, 0, 0, 0}));
  BOOST_TEST(m.issued[8].nr == 61);
  BOOST_TEST(m.issued[8].args[0] == 1010u);
  BOOST_TEST(t.events[9].outcome == "exited 3");
  BOOST_TEST(t.events[9].check == "ok");
  BOOST_TEST((m.issued[9].args == std::array<uint64_t, 6>{0, 0, 0, 0, 0, 0}));
  BOOST_TEST(m.issued[9].nr == 317);
  BOOST_TEST(m.issued[10].nr == 231);
  BOOST_TEST(t.events[11].outcome == "exited 2");
}

BOOST_AUTO_TEST_CASE(a_busy_actor_stops_the_run_at_its_step) {
  const Scenario s = MustParse("scenario \"x\"\nprocess p\np: getppid() & -> c\np: getpid()\n");
  FakeMachine m;
  m.script = [](FakeMachine&, CallId, const IssuedSyscall&) { return FakeMachine::Blocked(); };
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.runtime_error);
  BOOST_TEST(t.stop_reason ==
             "t.scn:4:1: error: `p` cannot act: it is still inside `getppid() & -> c` (line 3)");
  BOOST_TEST(t.events.size() == 1u);
  BOOST_TEST(m.shut_down);
}

BOOST_AUTO_TEST_CASE(a_call_that_finished_frees_its_actor) {
  const Scenario s =
      MustParse("scenario \"x\"\nprocess p\np: getppid() & -> c\np: getpid()\nawait c = 7\n");
  FakeMachine m;
  m.script = [](FakeMachine&, CallId, const IssuedSyscall& c) {
    return FakeMachine::Ret(c.nr == 110 ? 7 : 0);
  };
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.stop_reason == "");
  BOOST_TEST(Events(t) ==
             "3 p | getppid() & -> c | ret 7\n"
             "4 p | getpid() | ret 0\n"
             "5 runner | await c = 7 | ret 7 task=p call=getppid() & -> c | ok\n");
}

BOOST_AUTO_TEST_CASE(a_dead_actor_stops_the_run) {
  const Scenario s =
      MustParse("scenario \"x\"\nprocess p\np: getpid() = killed(SIGSYS)\np: getpid()\n");
  FakeMachine m;
  m.script = [](FakeMachine& fm, CallId, const IssuedSyscall& c) {
    fm.ends[c.task] = TaskEnd{TaskEnd::Kind::kKilled, 0, 31};
    return FakeMachine::Killed(31);
  };
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.events[0].outcome == "killed SIGSYS");
  BOOST_TEST(t.events[0].check == "ok");
  BOOST_TEST(t.stop_reason == "t.scn:4:1: error: `p` cannot act: it was killed by SIGSYS");
}

BOOST_AUTO_TEST_CASE(an_actor_whose_handler_has_not_returned_stops_the_run) {
  // The signal's handler returns through rt_sigreturn, which the filters may notify:
  // until a reply comes, the task sleeps in it and cannot start a call.
  const Scenario s =
      MustParse("scenario \"x\"\nprocess p\nprocess q\nq: signal(p, SIGUSR1)\np: getpid()\n");
  FakeMachine m;
  m.script = [](FakeMachine& fm, CallId, const IssuedSyscall& c) {
    if (c.nr == 234) fm.in_handler[0] = true;
    return FakeMachine::Ret(0);
  };
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.runtime_error);
  BOOST_TEST(t.stop_reason ==
             "t.scn:5:1: error: `p` cannot act: its signal handler has not returned (its "
             "rt_sigreturn sleeps in the kernel)");
  BOOST_TEST(m.issued.size() == 1u);
}

struct RefusalCase {
  const char* name;
  const char* body;
  const char* stop;
};
std::ostream& operator<<(std::ostream& os, const RefusalCase& c) { return os << c.name; }

const RefusalCase kRefusals[] = {
    {"path_outside_scratch", "p: openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY)\n",
     "t.scn:4:21: error: path \"/etc/passwd\" is outside /dev/null, /dev/zero, / and $scratch "
     "(a relative path needs AT_FDCWD): refused"},
    {"path_climbing_out_of_scratch", "p: mkdirat(AT_FDCWD, \"$scratch/../x\", 0o700)\n",
     "t.scn:4:22: error: path \"$scratch/../x\" is outside /dev/null, /dev/zero, / and $scratch "
     "(a relative path needs AT_FDCWD): refused"},
    {"relative_path_without_at_fdcwd", "p: openat(3, \"x\", O_RDONLY)\n",
     "t.scn:4:14: error: path \"x\" is outside /dev/null, /dev/zero, / and $scratch (a relative "
     "path needs AT_FDCWD): refused"},
    {"path_not_in_a_buffer", "p: openat(AT_FDCWD, 0x7f0000001234, O_RDONLY)\n",
     "t.scn:4:21: error: a path must be a string or point into one of the actor's buffers: "
     "refused"},
    {"unmodelled_syscall", "p: syscall(mount, 0, 0, 0, 0, 0)\n",
     "t.scn:4:1: error: syscall 165 is not modelled and the filters of `p` do not certainly "
     "skip it (KILL, TRAP or ERRNO whatever the arguments): refused"},
    {"clone_by_name", "p: clone(0, 0, 0, 0, 0)\n",
     "t.scn:4:1: error: clone is issued only through fork() and thread(); calling it directly "
     "is refused unless the task's filters certainly skip it"},
    {"recvmsg_by_number", "p: syscall(recvmsg, 0, 0, 0)\n",
     "t.scn:4:1: error: recvmsg is issued only through pass(); calling it directly is refused "
     "unless the task's filters certainly skip it"},
    {"address_outside_the_buffers", "p: read(0, 0x7f0000123456, 8)\n",
     "t.scn:4:12: error: an address argument must be a string, bad_addr, NULL or inside one "
     "of the actor's buffers: refused"},
    {"sigaction_by_hand", "p: mem act = zeros(32)\np: rt_sigaction(SIGUSR1, act, 0, 8)\n",
     "t.scn:5:1: error: rt_sigaction with a new action is issued only through handle(): "
     "refused"},
    {"prctl_outside_the_list", "p: prctl(PR_SET_NAME, 0)\n",
     "t.scn:4:10: error: prctl option 15 is not one a scenario may issue (only the seccomp, "
     "no_new_privs, dumpable, keepcaps and capbset ones): refused"},
    {"kill_of_everyone", "p: kill(-1, SIGKILL)\n",
     "t.scn:4:9: error: kill(-1, …) would signal every process: refused"},
    {"kill_of_the_runner", "p: kill(runner, SIGKILL)\n",
     "t.scn:4:9: error: 100 is not a task of this scenario: refused"},
    {"computed_channel_fd", "p: getpid() -> v\np: close(v + 13)\n",
     "t.scn:5:10: error: fd 1023 is the runner's channel and cannot be named"},
    {"computed_job_control_signal", "p: getpid() -> v\np: kill(p, v - 991)\n",
     "t.scn:5:12: error: kill() of SIGSTOP: job-control signals are not supported in version 1"},
    {"computed_fault_signal_for_handle", "p: getpid() -> v\np: handle(v - 999, restart)\n",
     "t.scn:5:11: error: handle() refuses SIGSEGV: the fault signals belong to the backend"},
    {"value_of_a_blocked_call", "p: getpid() -> v = blocked\nq: close(v)\n",
     "t.scn:5:10: error: `v` has no value yet: `getpid() -> v = blocked` (line 4) is still "
     "blocked"},
};

BOOST_DATA_TEST_CASE(safety_rules_refuse_at_run_time, boost::unit_test::data::make(kRefusals), c) {
  const Scenario s = MustParse(std::string("scenario \"x\"\nprocess p\nprocess q\n") + c.body);
  FakeMachine m;
  // getpid() answers 1010, so v + 13 == 1023, v - 991 == SIGSTOP, v - 999 == SIGSEGV.
  m.script = [](FakeMachine&, CallId, const IssuedSyscall& call) {
    return FakeMachine::Ret(call.nr == 39 ? 1010 : 0);
  };
  if (std::string_view(c.name) == "value_of_a_blocked_call") {
    m.script = [](FakeMachine&, CallId, const IssuedSyscall&) { return FakeMachine::Blocked(); };
  }
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.runtime_error);
  BOOST_TEST(t.stop_reason == c.stop);
  for (const IssuedSyscall& call : m.issued) {
    BOOST_TEST((call.nr == 39 || std::string_view(c.name) == "value_of_a_blocked_call"),
               "issued syscall " << call.nr);
  }
}

BOOST_AUTO_TEST_CASE(paths_inside_the_allowed_set_are_issued) {
  const Scenario s = MustParse(
      "scenario \"x\"\nprocess p\np: openat(AT_FDCWD, \"/dev/null\", O_RDONLY)\n"
      "p: openat(AT_FDCWD, \"$scratch\", O_RDONLY)\np: mkdirat(AT_FDCWD, \"$scratch/d\", 0o700)\n"
      "p: openat(AT_FDCWD, \"d/f\", O_CREAT|O_WRONLY, 0o600)\np: openat(AT_FDCWD, bad_addr, 0)\n"
      "p: mem path = \"/\"\np: openat(3, path, O_RDONLY)\n");
  FakeMachine m;
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.stop_reason == "");
  BOOST_TEST(m.issued.size() == 6u);
  // $scratch expands to the backend's scratch path, NUL-terminated.
  const uint64_t arg = m.issued[1].args[1];
  BOOST_TEST(m.ReadLe(0, arg, 1) == uint64_t{'/'});
  BOOST_TEST(m.ReadLe(0, arg + 17, 1) == 0u);
  BOOST_TEST(m.issued[4].args[1] == 0x1000u);
}

BOOST_AUTO_TEST_CASE(an_unmodelled_syscall_runs_once_a_filter_certainly_skips_it) {
  const Scenario s = MustParse(
      "scenario \"x\"\nprocess p\nfilter no_mount {\n  mount -> errno(EPERM)\n}\n"
      "p: nnp()\np: install(no_mount)\np: syscall(mount, 0, 0, 0, 0, 0) = -EPERM\n"
      "p: syscall(-5) = -ENOSYS\np: syscall(5000) = -ENOSYS\n");
  FakeMachine m;
  m.script = [](FakeMachine&, CallId, const IssuedSyscall& c) {
    if (c.nr == 165) {
      return FakeMachine::Ret(-1);
    }
    if (c.nr == -5 || c.nr == 5000) {
      return FakeMachine::Ret(-38);
    }
    return FakeMachine::Ret(0);
  };
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.stop_reason == "");
  BOOST_TEST(t.Failures() == 0u);
  BOOST_TEST(m.issued.size() == 5u);
  BOOST_TEST(m.issued[2].nr == 165);
}

BOOST_AUTO_TEST_CASE(clone3_is_issued_only_when_it_fails_before_creating_a_task) {
  const Scenario s = MustParse(
      "scenario \"x\"\nprocess p\np: mem args = clone_args { exit_signal=SIGCHLD }\n"
      "p: clone3(args, 8) = -EINVAL\np: clone3(args, 4097) = -E2BIG\n"
      "p: clone3(bad_addr, 64) = -EFAULT\np: clone3(args + 80, 16) = -EINVAL\n"
      "p: store args[0] u64 = CLONE_THREAD\np: clone3(args, 88) = -EINVAL\n"
      "p: store args[0] u64 = 0\np: clone3(args, 88)\n");
  FakeMachine m;
  m.script = [](FakeMachine&, CallId, const IssuedSyscall& c) {
    return FakeMachine::Ret(c.nr == 435 ? -22 : 0);
  };
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(m.issued.size() == 5u);
  BOOST_TEST(t.stop_reason ==
             "t.scn:11:1: error: this clone3 would create a task, which only fork() and thread() "
             "may do: refused");
  const Scenario wild = MustParse("scenario \"x\"\nprocess p\np: clone3(0x123456, 88)\n");
  FakeMachine m2;
  BOOST_TEST(RunScenario(wild, m2, RunOptions{}).stop_reason ==
             "t.scn:3:1: error: clone3's arguments are not in the actor's buffers, so whether it "
             "would create a task cannot be told: refused");
  BOOST_TEST(m2.issued.empty());
}

BOOST_AUTO_TEST_CASE(the_backend_hears_whether_futex_is_allowed) {
  const Scenario s = MustParse(
      "scenario \"x\"\nprocess p\nfilter allow_all {\n  mount -> errno(EPERM)\n}\n"
      "filter deny_futex default allow {\n  futex -> errno(EPERM)\n}\n"
      "p: nnp()\np: install(allow_all)\np: thread() -> t\np: install(deny_futex, TSYNC)\n");
  FakeMachine m;
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.stop_reason == "");
  // spawn: p allowed; install(allow_all): p allowed; thread t (inherits): allowed;
  // install(deny_futex, TSYNC): p and t not allowed.
  std::string notes;
  for (const auto& [task, allowed] : m.futex_notes) {
    notes += std::to_string(task) + (allowed ? "+ " : "- ");
  }
  BOOST_TEST(notes == "0+ 0+ 1+ 0- 1- ");
}

BOOST_AUTO_TEST_CASE(the_task_budget_stops_the_run) {
  const Scenario s = MustParse("scenario \"x\"\nprocess p\np: fork() -> a\np: fork() -> b\n");
  FakeMachine m;
  RunOptions o;
  o.task_budget = 2;
  const Trace t = RunScenario(s, m, o);
  BOOST_TEST(t.events.size() == 1u);
  BOOST_TEST(t.stop_reason == "t.scn:4:1: error: the task budget is reached (2 tasks per run)");
}

BOOST_AUTO_TEST_CASE(a_backend_failure_is_a_run_time_error) {
  const Scenario s = MustParse("scenario \"x\"\nprocess p\np: mem b = zeros(4)\n");
  FakeMachine m;
  m.fail_alloc = "agent vanished";
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.runtime_error);
  BOOST_TEST(t.stop_reason == "t.scn:3:1: error: the backend failed: agent vanished");
  BOOST_TEST(m.shut_down);
}

BOOST_AUTO_TEST_CASE(explain_collects_reasons_notes_and_queues) {
  const Scenario s = MustParse("scenario \"x\"\nprocess p\np: getpid()\np: mem b = zeros(1)\n");
  FakeMachine m;
  m.reasons[0] = "no filter: getpid runs";
  m.notes_to_drain = {"task p: getpid"};
  m.queue_state = "(no listeners)";
  RunOptions o;
  o.explain = true;
  const Trace t = RunScenario(s, m, o);
  BOOST_TEST(t.events[0].reason == "no filter: getpid runs");
  BOOST_TEST(t.events[0].notes == std::vector<std::string>{"task p: getpid"});
  BOOST_TEST(t.events[0].queue_state == "(no listeners)");
  BOOST_TEST(t.events[1].notes.empty());
  FakeMachine quiet;
  quiet.reasons[0] = "x";
  BOOST_TEST(RunScenario(s, quiet, RunOptions{}).events[0].reason.empty());
}

BOOST_AUTO_TEST_CASE(pass_of_a_closed_fd_fails_with_ebadf_and_issues_nothing) {
  const Scenario s = MustParse("scenario \"x\"\nprocess p\nprocess q\np: pass(7, q) = -EBADF\n");
  FakeMachine m;
  m.send_fd_ok = false;
  const Trace t = RunScenario(s, m, RunOptions{});
  BOOST_TEST(t.events[0].outcome == "err EBADF");
  BOOST_TEST(t.events[0].check == "ok");
  BOOST_TEST(m.issued.empty());
}

BOOST_AUTO_TEST_CASE(a_failed_fork_leaves_no_task) {
  const Scenario s = MustParse("scenario \"x\"\nprocess p\np: fork() -> c\nc: getpid()\n");
  FakeMachine m;
  struct NoChild : FakeMachine {
    CallId StartClone(TaskId task, CloneKind kind) override {
      const CallId id = StartSyscall(task, 56, {17, 0, 0, 0, 0, 0});
      (void)kind;
      return id;
    }
  } failing;
  failing.script = [](FakeMachine&, CallId, const IssuedSyscall&) { return FakeMachine::Ret(-11); };
  const Trace t = RunScenario(s, failing, RunOptions{});
  BOOST_TEST(t.events[0].outcome == "err EAGAIN");
  BOOST_TEST(t.stop_reason == "t.scn:4:1: error: `c` does not exist");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
