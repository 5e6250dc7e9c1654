// live_filters: agents keep answering whatever filter the scenario installs, and the
// filter's verdicts reach the runner as outcomes (ERRNO, TRAP with the siginfo,
// KILL_PROCESS, strict mode).
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>

#include "live/live_machine.h"
#include "live/proc_reader.h"
#include "tests/live/live_test_util.h"

namespace sclab::live {
namespace {

using namespace testing;
namespace utf = boost::unit_test;
using scn::RawOutcome;
using scn::TaskEnd;

BOOST_AUTO_TEST_SUITE(live_filters)

BOOST_AUTO_TEST_CASE(default_deny_filter_does_not_silence_the_agent) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId a = m.SpawnProcess("a", false);
  BOOST_TEST(d.Nnp(a) == 0);
  BOOST_TEST(d.Install(a, ReturnAlways(SECCOMP_RET_ERRNO | EPERM)) == 0);
  m.NoteFutexAllowed(a, false);
  for (int i = 0; i < 20; ++i) {
    BOOST_TEST(d.Call(a, SYS_getpid) == -EPERM);
    m.NoteSkippedSyscall(a, SYS_futex);  // not modelled: the runner vouches for the filter
    BOOST_TEST(d.Call(a, SYS_futex, {0, 0, 0, 0, 0, 0}) == -EPERM);
  }
  usleep(20 * 1000);  // idle for a while: still answering, still alive
  BOOST_TEST(d.Call(a, SYS_exit_group, {0, 0, 0, 0, 0, 0}) == -EPERM);
  BOOST_TEST((m.TaskState(a).kind == TaskEnd::Kind::kAlive));
  const auto status = ReadTaskStatus(static_cast<int>(m.Pid(a)), static_cast<int>(m.Tid(a)));
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST(status->seccomp_mode == 2);
  BOOST_TEST(status->seccomp_filters == 1);
  // A spinner (lowered to SCHED_IDLE) killed by another task is dead when the step ends.
  const scn::TaskId b = m.SpawnProcess("b", false);
  BOOST_TEST(d.Call(b, SYS_kill, {static_cast<uint64_t>(m.Pid(a)), SIGKILL, 0, 0, 0, 0}) == 0);
  const TaskEnd end = m.TaskState(a);
  BOOST_TEST(end.kind == TaskEnd::Kind::kKilled);
  BOOST_TEST(end.signal == SIGKILL);
}

BOOST_AUTO_TEST_CASE(an_agent_makes_no_syscall_of_its_own) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId a = m.SpawnProcess("a", false);
  BOOST_TEST(d.Nnp(a) == 0);
  // Anything but getpid kills the whole process: a stray syscall would show.
  BOOST_TEST(d.Install(a, AllowOnly({SYS_getpid}, SECCOMP_RET_KILL_PROCESS)) == 0);
  m.NoteFutexAllowed(a, false);
  for (int i = 0; i < 10; ++i) {
    BOOST_TEST(d.Call(a, SYS_getpid) == m.Pid(a));
    usleep(5 * 1000);
  }
  BOOST_TEST((m.TaskState(a).kind == TaskEnd::Kind::kAlive));
  const RawOutcome out = d.Outcome(a, SYS_getppid);
  BOOST_TEST((out.kind == RawOutcome::Kind::kKilled));
  BOOST_TEST(out.signal == SIGSYS);
}

BOOST_AUTO_TEST_CASE(killing_futex_leaves_the_agent_spinning) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId a = m.SpawnProcess("a", false);
  BOOST_TEST(d.Nnp(a) == 0);
  BOOST_TEST(d.Install(a, OnSyscall(SYS_futex, SECCOMP_RET_KILL_PROCESS)) == 0);
  m.NoteFutexAllowed(a, false);
  for (int i = 0; i < 10; ++i) {
    BOOST_TEST(d.Call(a, SYS_gettid) == m.Tid(a));
  }
  BOOST_TEST((m.TaskState(a).kind == TaskEnd::Kind::kAlive));
}

BOOST_AUTO_TEST_CASE(strict_mode_allows_write_and_kills_the_rest) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId a = m.SpawnProcess("a", false);
  const uint64_t byte = d.Buffer(a, {'x'});
  BOOST_TEST(d.Call(a, SYS_seccomp, {SECCOMP_SET_MODE_STRICT, 0, 0, 0, 0, 0}) == 0);
  m.NoteFutexAllowed(a, false);
  BOOST_TEST(d.Call(a, SYS_write, {1, byte, 1, 0, 0, 0}) == 1);
  BOOST_TEST(d.Call(a, SYS_read, {0, byte, 1, 0, 0, 0}) == 0);
  const RawOutcome out = d.Outcome(a, SYS_getpid);
  BOOST_TEST((out.kind == RawOutcome::Kind::kKilled));
  BOOST_TEST(out.signal == SIGKILL);
  const TaskEnd end = m.TaskState(a);
  BOOST_TEST((end.kind == TaskEnd::Kind::kKilled));
  BOOST_TEST(end.signal == SIGKILL);
}

BOOST_AUTO_TEST_CASE(trap_runs_the_handler_and_records_the_siginfo) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId a = m.SpawnProcess("a", false);
  BOOST_TEST(d.Sigaction(a, SIGSYS, scn::HandleMode::kNoRestart) == 0);
  BOOST_TEST(!m.LastSigsys(a).has_value());
  BOOST_TEST(d.Nnp(a) == 0);
  BOOST_TEST(d.Install(a, OnSyscall(SYS_getpgid, SECCOMP_RET_TRAP | 7)) == 0);
  // The skipped call returns its own number once the handler returns (x86_64).
  BOOST_TEST(d.Call(a, SYS_getpgid, {0, 0, 0, 0, 0, 0}) == SYS_getpgid);
  const auto info = m.LastSigsys(a);
  BOOST_REQUIRE(info.has_value());
  BOOST_TEST(info->signo == SIGSYS);
  BOOST_TEST(info->code == 1);  // SYS_SECCOMP
  BOOST_TEST(info->error == 7);
  BOOST_TEST(info->syscall == SYS_getpgid);
  BOOST_TEST(info->arch == AUDIT_ARCH_X86_64);
  BOOST_TEST(info->call_addr != 0u);
  BOOST_TEST(m.SignalCount(a, SIGSYS) == 1u);
  BOOST_TEST(d.Call(a, SYS_getpid) == m.Pid(a));
}

BOOST_AUTO_TEST_CASE(trap_without_a_handler_kills_with_sigsys) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId a = m.SpawnProcess("a", false);
  BOOST_TEST(d.Nnp(a) == 0);
  BOOST_TEST(d.Install(a, OnSyscall(SYS_getpgid, SECCOMP_RET_TRAP)) == 0);
  const RawOutcome out = d.Outcome(a, SYS_getpgid, {0, 0, 0, 0, 0, 0});
  BOOST_TEST((out.kind == RawOutcome::Kind::kKilled));
  BOOST_TEST(out.signal == SIGSYS);
}

BOOST_AUTO_TEST_CASE(kill_process_is_killed_sigsys) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId a = m.SpawnProcess("a", false);
  BOOST_TEST(d.Nnp(a) == 0);
  BOOST_TEST(d.Install(a, OnSyscall(SYS_getpgid, SECCOMP_RET_KILL_PROCESS)) == 0);
  const scn::CallId call = m.StartSyscall(a, SYS_getpgid, {});
  const RawOutcome out = m.Poll(call);  // settled: the death is already visible
  BOOST_TEST((out.kind == RawOutcome::Kind::kKilled));
  BOOST_TEST(out.signal == SIGSYS);
  const TaskEnd end = m.AwaitTaskEnd(a);
  BOOST_TEST((end.kind == TaskEnd::Kind::kKilled));
  BOOST_TEST(end.signal == SIGSYS);
  BOOST_CHECK_THROW(m.StartSyscall(a, SYS_getpid, {}), scn::MachineError);
}

BOOST_AUTO_TEST_CASE(rt_sigreturn_refused_by_a_filter_ends_in_sigill) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId a = m.SpawnProcess("a", false);
  BOOST_TEST(d.Sigaction(a, SIGUSR1, scn::HandleMode::kNoRestart) == 0);
  BOOST_TEST(d.Nnp(a) == 0);
  BOOST_TEST(d.Install(a, OnSyscall(SYS_rt_sigreturn, SECCOMP_RET_ERRNO | EPERM)) == 0);
  // The handler runs, its rt_sigreturn fails, the restorer's ud2 ends the task.
  const RawOutcome out = d.Outcome(
      a, SYS_tgkill,
      {static_cast<uint64_t>(m.Pid(a)), static_cast<uint64_t>(m.Tid(a)), SIGUSR1, 0, 0, 0});
  BOOST_TEST((out.kind == RawOutcome::Kind::kKilled));
  BOOST_TEST(out.signal == SIGILL);
  BOOST_TEST(m.SignalCount(a, SIGUSR1) == 1u);
}

BOOST_AUTO_TEST_CASE(a_signal_to_an_idle_agent_runs_its_handler_before_the_step_ends) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId a = m.SpawnProcess("a", false);
  const scn::TaskId b = m.SpawnProcess("b", false);
  BOOST_TEST(d.Sigaction(a, SIGUSR1, scn::HandleMode::kRestart) == 0);
  // Once while `a` sleeps in futex, once while it spins.
  BOOST_TEST(d.Call(b, SYS_kill, {static_cast<uint64_t>(m.Pid(a)), SIGUSR1, 0, 0, 0, 0}) == 0);
  BOOST_TEST(m.SignalCount(a, SIGUSR1) == 1u);
  m.NoteFutexAllowed(a, false);
  BOOST_TEST(d.Call(b, SYS_kill, {static_cast<uint64_t>(m.Pid(a)), SIGUSR1, 0, 0, 0, 0}) == 0);
  BOOST_TEST(m.SignalCount(a, SIGUSR1) == 2u);
  BOOST_TEST(d.Call(a, SYS_getpid) == m.Pid(a));
  // A default-action signal: the process is dead when the step ends.
  BOOST_TEST(d.Call(b, SYS_kill, {static_cast<uint64_t>(m.Pid(a)), SIGTERM, 0, 0, 0, 0}) == 0);
  const TaskEnd end = m.TaskState(a);
  BOOST_TEST((end.kind == TaskEnd::Kind::kKilled));
  BOOST_TEST(end.signal == SIGTERM);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::live
