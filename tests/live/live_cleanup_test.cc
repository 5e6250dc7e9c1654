// live_cleanup: no process survives a run, however it ends: Shutdown, a step
// timeout, an exception, SIGINT in the runner, even a runner killed with SIGKILL
// (the agents notice through the robust lock word). Counted through /proc.
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include "live/agent.h"
#include "live/live_machine.h"
#include "live/proc_reader.h"
#include "tests/live/live_test_util.h"

// SpinForever is a signal handler that never returns: a task running it can never
// settle. It touches neither the TLS nor libc.
extern "C" void sclab_live_test_spin_forever(int) {
  for (;;) {
    __builtin_ia32_pause();
  }
}

namespace sclab::live {
namespace {

using namespace testing;
namespace utf = boost::unit_test;
using scn::RawOutcome;
using scn::TaskId;

// Busy builds a run with every kind of task in every state the runner can leave
// behind: forks of forks, threads, a zombie fork, a stopped agent, a spinning agent
// under a default-deny filter, a call blocked on a notification, files in $scratch.
void Busy(LiveMachine& m) {
  Driver d(m);
  const TaskId a = m.SpawnProcess("a", false);
  const TaskId b = m.SpawnProcess("b", false);
  const TaskId s = m.SpawnProcess("s", false);
  const auto clone = [&](TaskId parent, scn::CloneKind kind) {
    const scn::CallId call = m.StartClone(parent, kind);
    BOOST_REQUIRE(m.Await(call).kind == RawOutcome::Kind::kReturned);
    return *m.ChildOf(call);
  };
  const TaskId af = clone(a, scn::CloneKind::kFork);
  clone(af, scn::CloneKind::kFork);
  clone(af, scn::CloneKind::kThread);
  const TaskId zombie = clone(a, scn::CloneKind::kFork);
  BOOST_TEST(d.Outcome(zombie, SYS_exit_group, {1, 0, 0, 0, 0, 0}).kind ==
             RawOutcome::Kind::kExited);
  BOOST_TEST(d.Call(a, SYS_mkdirat,
                    {static_cast<uint64_t>(AT_FDCWD), d.String(a, "dir"), 0, 0, 0, 0}) == 0);
  BOOST_TEST(d.Call(a, SYS_openat,
                    {static_cast<uint64_t>(AT_FDCWD), d.String(a, "file"), O_CREAT | O_WRONLY, 0, 0,
                     0}) == 3);
  BOOST_TEST(d.Nnp(b) == 0);
  BOOST_TEST(d.Install(b, ReturnAlways(SECCOMP_RET_ERRNO | EPERM)) == 0);
  m.NoteFutexAllowed(b, false);
  clone(s, scn::CloneKind::kThread);
  BOOST_TEST(d.Call(a, SYS_kill, {static_cast<uint64_t>(m.Pid(s)), SIGSTOP, 0, 0, 0, 0}) == 0);
  const TaskId t = m.SpawnProcess("t", false);
  BOOST_TEST(d.Nnp(t) == 0);
  BOOST_TEST(d.Install(t, OnSyscall(SYS_getppid, SECCOMP_RET_USER_NOTIF),
                       SECCOMP_FILTER_FLAG_NEW_LISTENER) == 3);
  m.NoteFutexAllowed(t, true);
  const scn::CallId blocked = m.StartSyscall(t, SYS_getppid, {});
  BOOST_TEST(m.Poll(blocked).kind == RawOutcome::Kind::kBlocked);
  BOOST_TEST(CountDescendants() == 7);
}

void CheckNothingLeft(const std::vector<int>& groups, const std::string& scratch) {
  BOOST_TEST(CountDescendants() == 0);
  for (int pgid : groups) {
    BOOST_TEST(ProcessGroupEmpty(pgid));
  }
  BOOST_TEST(!std::filesystem::exists(scratch));
}

BOOST_AUTO_TEST_SUITE(live_cleanup)

BOOST_AUTO_TEST_CASE(shutdown_leaves_no_process_and_no_scratch) {
  LiveMachine m;
  Busy(m);
  const std::vector<int> groups = m.ProcessGroups();
  const std::string scratch = m.ScratchPath();
  const auto start = std::chrono::steady_clock::now();
  m.Shutdown();
  BOOST_TEST_MESSAGE("Shutdown of 7 processes: "
                     << std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count()
                     << " us");
  CheckNothingLeft(groups, scratch);
  m.Shutdown();  // idempotent
  BOOST_CHECK_THROW(m.SpawnProcess("late", false), scn::MachineError);
}

BOOST_AUTO_TEST_CASE(a_step_timeout_throws_and_cleans_up) {
  LiveOptions options;
  options.step_timeout_ms = 100;
  std::vector<int> groups;
  std::string scratch;
  {
    LiveMachine m(options);
    Driver d(m);
    Busy(m);
    const TaskId a = m.SpawnProcess("stuck", false);
    groups = m.ProcessGroups();
    scratch = m.ScratchPath();
    const uint64_t fields[4] = {reinterpret_cast<uintptr_t>(&sclab_live_test_spin_forever),
                                0x04000000 /*SA_RESTORER*/,
                                reinterpret_cast<uintptr_t>(&sclab_live_restorer), 0};
    std::vector<uint8_t> act(32);
    std::memcpy(act.data(), fields, 32);
    BOOST_TEST(d.Call(a, SYS_rt_sigaction, {SIGUSR1, d.Buffer(a, act), 0, 8, 0, 0}) == 0);
    try {
      m.StartSyscall(
          a, SYS_tgkill,
          {static_cast<uint64_t>(m.Pid(a)), static_cast<uint64_t>(m.Tid(a)), SIGUSR1, 0, 0, 0});
      BOOST_FAIL("no step timeout");
    } catch (const scn::MachineError& e) {
      BOOST_TEST_MESSAGE(e.what());
      BOOST_TEST(std::string(e.what()).find("step timeout") != std::string::npos);
      BOOST_TEST(std::string(e.what()).find("task stuck") != std::string::npos);
    }
  }
  CheckNothingLeft(groups, scratch);
}

BOOST_AUTO_TEST_CASE(an_exception_in_the_runner_cleans_up) {
  std::vector<int> groups;
  std::string scratch;
  try {
    LiveMachine m;
    Busy(m);
    groups = m.ProcessGroups();
    scratch = m.ScratchPath();
    throw std::runtime_error("the runner failed");
  } catch (const std::runtime_error&) {
  }
  CheckNothingLeft(groups, scratch);
}

// InChildRunner forks a process that builds a run, reports the agents' pids (and
// the scratch path) through a pipe, and waits; returns its pid.
pid_t InChildRunner(std::vector<int>* pids, std::string* scratch) {
  int fds[2];
  BOOST_REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    close(fds[0]);
    try {
      LiveMachine m;
      Driver d(m);
      const TaskId a = m.SpawnProcess("a", false);
      const scn::CallId fork_a = m.StartClone(a, scn::CloneKind::kFork);
      m.Await(fork_a);
      const TaskId af = *m.ChildOf(fork_a);
      const TaskId b = m.SpawnProcess("b", false);
      d.Nnp(b);
      d.Install(b, ReturnAlways(SECCOMP_RET_ERRNO | EPERM));
      m.NoteFutexAllowed(b, false);
      const scn::CallId fork_b = m.StartClone(b, scn::CloneKind::kFork);
      m.Await(fork_b);
      const TaskId bf = *m.ChildOf(fork_b);
      std::string report = m.ScratchPath();
      for (TaskId t : {a, af, b, bf}) {
        report += " " + std::to_string(m.Pid(t));
      }
      report += "\n";
      if (write(fds[1], report.data(), report.size()) < 0) {
        _exit(3);
      }
      for (;;) {
        pause();
      }
    } catch (...) {
      _exit(2);
    }
  }
  close(fds[1]);
  char buf[256] = {};
  size_t used = 0;
  while (used < sizeof buf - 1) {
    const ssize_t n = read(fds[0], buf + used, sizeof buf - 1 - used);
    if (n <= 0) {
      break;
    }
    used += static_cast<size_t>(n);
    if (std::memchr(buf, '\n', used) != nullptr) {
      break;
    }
  }
  close(fds[0]);
  std::istringstream in(std::string(buf, used));
  in >> *scratch;
  int pid = 0;
  while (in >> pid) {
    pids->push_back(pid);
  }
  BOOST_REQUIRE(pids->size() == 4u);
  return child;
}

bool Dead(int pid) {
  const auto stat = ReadProcStat(pid);
  return !stat || stat->state == 'Z' || stat->state == 'X';
}

bool AllDeadWithin(const std::vector<int>& pids, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    bool all = true;
    for (int pid : pids) {
      all = all && Dead(pid);
    }
    if (all) {
      return true;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

BOOST_AUTO_TEST_CASE(sigint_in_the_runner_kills_reaps_and_removes_scratch) {
  std::vector<int> pids;
  std::string scratch;
  const pid_t runner = InChildRunner(&pids, &scratch);
  BOOST_TEST(kill(runner, SIGINT) == 0);
  int status = 0;
  BOOST_TEST(waitpid(runner, &status, 0) == runner);
  BOOST_TEST(WIFSIGNALED(status));
  BOOST_TEST(WTERMSIG(status) == SIGINT);
  BOOST_TEST(AllDeadWithin(pids, std::chrono::milliseconds(10)));  // already gone
  BOOST_TEST(ProcessGroupEmpty(pids[0]));
  BOOST_TEST(ProcessGroupEmpty(pids[2]));
  BOOST_TEST(!std::filesystem::exists(scratch));
}

BOOST_AUTO_TEST_CASE(a_runner_killed_with_sigkill_leaves_no_agent_behind) {
  std::vector<int> pids;
  std::string scratch;
  const pid_t runner = InChildRunner(&pids, &scratch);
  BOOST_TEST(kill(runner, SIGKILL) == 0);
  int status = 0;
  BOOST_TEST(waitpid(runner, &status, 0) == runner);
  // Top-level agents die of PDEATHSIG; their forks (sleeping in futex, or spinning)
  // see FUTEX_OWNER_DIED in the robust lock word and end themselves with ud2.
  BOOST_TEST(AllDeadWithin(pids, std::chrono::milliseconds(3000)));
  std::filesystem::remove_all(scratch);  // nobody was left to do it
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::live
