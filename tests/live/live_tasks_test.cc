// live_tasks: thread() and fork() as real clones issued by the agents, how tasks
// end (exited, killed, gone) and what the kernel reports to wait4.
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <cstring>

#include "live/live_machine.h"
#include "live/proc_reader.h"
#include "tests/live/live_test_util.h"

namespace sclab::live {
namespace {

using namespace testing;
namespace utf = boost::unit_test;
using scn::RawOutcome;
using scn::TaskEnd;
using scn::TaskId;

bool Returned(const RawOutcome& out, int64_t value) {
  return out.kind == RawOutcome::Kind::kReturned && out.ret == value;
}
bool Exited(const RawOutcome& out, int code) {
  return out.kind == RawOutcome::Kind::kExited && out.exit_code == code;
}
bool Gone(const RawOutcome& out) { return out.kind == RawOutcome::Kind::kGone; }

TaskId Clone(LiveMachine& m, TaskId parent, scn::CloneKind kind) {
  const scn::CallId call = m.StartClone(parent, kind);
  const RawOutcome out = m.Await(call);
  BOOST_REQUIRE(out.kind == RawOutcome::Kind::kReturned);
  BOOST_REQUIRE(out.ret > 0);
  const auto child = m.ChildOf(call);
  BOOST_REQUIRE(child.has_value());
  BOOST_TEST(m.Tid(*child) == out.ret);
  return *child;
}

uint32_t Status(LiveMachine& m, TaskId task, uint64_t addr) {
  const auto bytes = m.ReadMemory(task, addr, 4);
  uint32_t status = 0;
  std::memcpy(&status, bytes.data(), 4);
  return status;
}

BOOST_AUTO_TEST_SUITE(live_tasks)

BOOST_AUTO_TEST_CASE(thread_is_a_real_thread_of_the_process) {
  LiveMachine m;
  Driver d(m);
  const TaskId a = m.SpawnProcess("a", false);
  const TaskId t = Clone(m, a, scn::CloneKind::kThread);
  BOOST_TEST(m.Pid(t) == m.Pid(a));
  BOOST_TEST(m.Tid(t) != m.Tid(a));
  BOOST_TEST(d.Call(t, SYS_gettid) == m.Tid(t));
  BOOST_TEST(d.Call(t, SYS_getpid) == m.Pid(a));
  BOOST_TEST(d.Call(a, SYS_gettid) == m.Tid(a));
  BOOST_TEST(CountTasks(static_cast<int>(m.Pid(a))) == 2);
  // Threads share fds: an fd opened by one is there for the other.
  const uint64_t path = d.String(t, "/dev/null");
  BOOST_TEST(d.Call(t, SYS_openat, {static_cast<uint64_t>(AT_FDCWD), path, 0, 0, 0, 0}) == 3);
  BOOST_TEST(d.Call(a, SYS_close, {3, 0, 0, 0, 0, 0}) == 0);
}

BOOST_AUTO_TEST_CASE(kill_thread_ends_only_the_thread) {
  LiveMachine m;
  Driver d(m);
  const TaskId a = m.SpawnProcess("a", false);
  const TaskId t = Clone(m, a, scn::CloneKind::kThread);
  BOOST_TEST(d.Nnp(t) == 0);
  BOOST_TEST(d.Install(t, OnSyscall(SYS_getpgid, SECCOMP_RET_KILL_THREAD)) == 0);
  BOOST_TEST(Gone(d.Outcome(t, SYS_getpgid, {0, 0, 0, 0, 0, 0})));
  BOOST_TEST((m.TaskState(t).kind == TaskEnd::Kind::kGone));
  BOOST_TEST((m.TaskState(a).kind == TaskEnd::Kind::kAlive));
  BOOST_TEST(d.Call(a, SYS_getpgid, {0, 0, 0, 0, 0, 0}) == m.Pid(a));  // a has no filter
  BOOST_TEST(CountTasks(static_cast<int>(m.Pid(a))) == 1);
  BOOST_CHECK_THROW(m.StartSyscall(t, SYS_getpid, {}), scn::MachineError);
}

BOOST_AUTO_TEST_CASE(thread_exit_is_gone_and_the_last_exit_group_ends_the_process) {
  LiveMachine m;
  Driver d(m);
  const TaskId a = m.SpawnProcess("a", false);
  const TaskId t = Clone(m, a, scn::CloneKind::kThread);
  BOOST_TEST(Gone(d.Outcome(t, SYS_exit, {5, 0, 0, 0, 0, 0})));
  BOOST_TEST(Exited(d.Outcome(a, SYS_exit_group, {3, 0, 0, 0, 0, 0}), 3));
  BOOST_TEST((m.TaskState(t).kind == TaskEnd::Kind::kGone));  // ended before the process
  const TaskEnd end = m.TaskState(a);
  BOOST_TEST((end.kind == TaskEnd::Kind::kExited));
  BOOST_TEST(end.exit_code == 3);
}

BOOST_AUTO_TEST_CASE(leader_exit_leaves_the_process_to_its_thread) {
  LiveMachine m;
  Driver d(m);
  const TaskId a = m.SpawnProcess("a", false);
  const TaskId t = Clone(m, a, scn::CloneKind::kThread);
  BOOST_TEST(Gone(d.Outcome(a, SYS_exit, {0, 0, 0, 0, 0, 0})));
  BOOST_TEST(d.Call(t, SYS_getpid) == m.Pid(a));
  // Memory goes through the living thread.
  const uint64_t buf = d.Buffer(t, {1, 2, 3});
  BOOST_TEST(m.ReadMemory(t, buf, 3).size() == 3u);
  BOOST_TEST(Exited(d.Outcome(t, SYS_exit_group, {4, 0, 0, 0, 0, 0}), 4));
  BOOST_TEST((m.TaskState(a).kind == TaskEnd::Kind::kGone));
}

BOOST_AUTO_TEST_CASE(exit_of_the_last_thread_gives_the_process_status) {
  LiveMachine m;
  Driver d(m);
  const TaskId a = m.SpawnProcess("a", false);
  const TaskId t = Clone(m, a, scn::CloneKind::kThread);
  BOOST_TEST(Gone(d.Outcome(a, SYS_exit, {1, 0, 0, 0, 0, 0})));
  BOOST_TEST(Exited(d.Outcome(t, SYS_exit, {2, 0, 0, 0, 0, 0}), 2));
  // The same in a fork, whose status the runner reads from /proc until the parent
  // reaps it; wait4 in the parent must agree.
  const TaskId p = m.SpawnProcess("p", false);
  const TaskId c = Clone(m, p, scn::CloneKind::kFork);
  const TaskId ct = Clone(m, c, scn::CloneKind::kThread);
  BOOST_TEST(Gone(d.Outcome(c, SYS_exit, {1, 0, 0, 0, 0, 0})));
  BOOST_TEST(Exited(d.Outcome(ct, SYS_exit, {2, 0, 0, 0, 0, 0}), 2));
  const uint64_t w = m.AllocBuffer(p, 4);
  BOOST_TEST(d.Call(p, SYS_wait4, {static_cast<uint64_t>(m.Pid(c)), w, 0, 0, 0, 0}) == m.Pid(c));
  BOOST_TEST(Status(m, p, w) == 2u << 8);
}

BOOST_AUTO_TEST_CASE(tsync_installs_on_every_thread) {
  LiveMachine m;
  Driver d(m);
  const TaskId a = m.SpawnProcess("a", false);
  const TaskId t = Clone(m, a, scn::CloneKind::kThread);
  BOOST_TEST(d.Nnp(a) == 0);
  BOOST_TEST(
      d.Install(a, OnSyscall(SYS_getpgid, SECCOMP_RET_ERRNO | 9), SECCOMP_FILTER_FLAG_TSYNC) == 0);
  m.NoteFutexAllowed(a, true);
  m.NoteFutexAllowed(t, true);
  BOOST_TEST(d.Call(t, SYS_getpgid, {0, 0, 0, 0, 0, 0}) == -9);
  const auto status = ReadTaskStatus(static_cast<int>(m.Pid(a)), static_cast<int>(m.Tid(t)));
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST(status->seccomp_filters == 1);
  BOOST_TEST(status->no_new_privs == 1);
}

BOOST_AUTO_TEST_CASE(fork_child_is_an_agent_with_a_copy_of_the_memory) {
  LiveMachine m;
  Driver d(m);
  const TaskId a = m.SpawnProcess("a", false);
  const uint64_t before = d.Buffer(a, {7, 7, 7});
  const TaskId c = Clone(m, a, scn::CloneKind::kFork);
  BOOST_TEST(m.Pid(c) == m.Tid(c));
  BOOST_TEST(d.Call(c, SYS_getpid) == m.Pid(c));
  BOOST_TEST(d.Call(c, SYS_getppid) == m.Pid(a));
  BOOST_TEST(d.Call(c, SYS_getpgid, {0, 0, 0, 0, 0, 0}) == m.Pid(a));  // a's group
  BOOST_TEST(m.ReadMemory(c, before, 3) == (std::vector<uint8_t>{7, 7, 7}),
             boost::test_tools::per_element());
  // Both continue from the parent's next slot, each in its own copy.
  const uint64_t in_child = d.Buffer(c, {1});
  const uint64_t in_parent = d.Buffer(a, {2});
  BOOST_TEST(in_child == in_parent);
  BOOST_TEST(m.ReadMemory(c, in_child, 1)[0] == 1);
  BOOST_TEST(m.ReadMemory(a, in_parent, 1)[0] == 2);
  // fd 1023 is the top-level ancestor's channel: pass works into a fork.
  BOOST_TEST(d.Pass(a, 0, c) == 3);
}

BOOST_AUTO_TEST_CASE(fork_and_wait4) {
  LiveMachine m;
  Driver d(m);
  const TaskId a = m.SpawnProcess("a", false);
  const TaskId c = Clone(m, a, scn::CloneKind::kFork);
  const uint64_t w = m.AllocBuffer(a, 4);
  const scn::CallId wait =
      m.StartSyscall(a, SYS_wait4, {static_cast<uint64_t>(m.Pid(c)), w, 0, 0, 0, 0});
  BOOST_TEST((m.Poll(wait).kind == RawOutcome::Kind::kBlocked));
  BOOST_TEST(Exited(d.Outcome(c, SYS_exit_group, {7, 0, 0, 0, 0, 0}), 7));
  BOOST_TEST(Returned(m.Poll(wait), m.Pid(c)));  // the parent woke within the step
  BOOST_TEST(Status(m, a, w) == 7u << 8);
  const TaskEnd end = m.TaskState(c);  // reaped by its parent, remembered
  BOOST_TEST((end.kind == TaskEnd::Kind::kExited));
  BOOST_TEST(end.exit_code == 7);

  const TaskId k = Clone(m, a, scn::CloneKind::kFork);
  const RawOutcome killed = d.Outcome(
      k, SYS_tgkill,
      {static_cast<uint64_t>(m.Pid(k)), static_cast<uint64_t>(m.Tid(k)), SIGKILL, 0, 0, 0});
  BOOST_TEST((killed.kind == RawOutcome::Kind::kKilled));
  BOOST_TEST(killed.signal == SIGKILL);
  BOOST_TEST(d.Call(a, SYS_wait4, {static_cast<uint64_t>(m.Pid(k)), w, 0, 0, 0, 0}) == m.Pid(k));
  BOOST_TEST(Status(m, a, w) == static_cast<uint32_t>(SIGKILL));
  BOOST_TEST(d.Call(a, SYS_wait4, {static_cast<uint64_t>(-1), w, 0, 0, 0, 0}) == -ECHILD);
}

BOOST_AUTO_TEST_CASE(orphans_are_reparented_to_the_runner) {
  LiveMachine m;
  Driver d(m);
  const TaskId a = m.SpawnProcess("a", false);
  const TaskId c = Clone(m, a, scn::CloneKind::kFork);
  BOOST_TEST(Exited(d.Outcome(a, SYS_exit_group, {0, 0, 0, 0, 0, 0}), 0));
  BOOST_TEST(d.Call(c, SYS_getppid) == m.RunnerPid());
  BOOST_TEST(Exited(d.Outcome(c, SYS_exit_group, {5, 0, 0, 0, 0, 0}), 5));
}

BOOST_AUTO_TEST_CASE(clone_that_a_filter_answers_makes_no_task) {
  LiveMachine m;
  Driver d(m);
  const TaskId a = m.SpawnProcess("a", false);
  BOOST_TEST(d.Nnp(a) == 0);
  // errno(0): clone "returns 0" in the parent; nothing was created.
  BOOST_TEST(d.Install(a, OnSyscall(SYS_clone, SECCOMP_RET_ERRNO | 0)) == 0);
  m.NoteFutexAllowed(a, true);
  for (scn::CloneKind kind : {scn::CloneKind::kFork, scn::CloneKind::kThread}) {
    const scn::CallId call = m.StartClone(a, kind);
    BOOST_TEST(Returned(m.Await(call), 0));
    BOOST_TEST(!m.ChildOf(call).has_value());
    BOOST_TEST(d.Call(a, SYS_getpid) == m.Pid(a));
  }
  BOOST_TEST(CountTasks(static_cast<int>(m.Pid(a))) == 1);
  const TaskId b = m.SpawnProcess("b", false);
  BOOST_TEST(d.Nnp(b) == 0);
  BOOST_TEST(d.Install(b, OnSyscall(SYS_clone, SECCOMP_RET_ERRNO | EAGAIN)) == 0);
  const scn::CallId call = m.StartClone(b, scn::CloneKind::kFork);
  BOOST_TEST(Returned(m.Await(call), -EAGAIN));
  BOOST_TEST(!m.ChildOf(call).has_value());
  // Task ids count created tasks only: a real clone gets the next one.
  const TaskId c = m.SpawnProcess("c", false);
  BOOST_TEST(Clone(m, c, scn::CloneKind::kFork) == 3u);
}

BOOST_AUTO_TEST_CASE(clone_continued_by_a_supervisor_makes_the_task,
                     *utf::precondition(NeedsUserNotif)) {
  LiveMachine m;
  Driver d(m);
  const TaskId sup = m.SpawnProcess("sup", false);
  const TaskId a = m.SpawnProcess("a", false);
  BOOST_TEST(d.Nnp(a) == 0);
  BOOST_TEST(d.Install(a, OnSyscall(SYS_clone, SECCOMP_RET_USER_NOTIF),
                       SECCOMP_FILTER_FLAG_NEW_LISTENER) == 3);
  m.NoteFutexAllowed(a, true);
  BOOST_TEST(d.Pass(a, 3, sup) == 3);
  auto recv_id = [&] {
    const uint64_t n = m.AllocBuffer(sup, 80);
    BOOST_TEST(d.Call(sup, SYS_ioctl, {3, 0xC0502100, n, 0, 0, 0}) == 0);
    return d.U64(sup, n);
  };
  auto reply = [&](uint64_t id, int64_t val, uint32_t flags) {
    std::vector<uint8_t> r(24, 0);
    std::memcpy(r.data(), &id, 8);
    std::memcpy(r.data() + 8, &val, 8);
    std::memcpy(r.data() + 20, &flags, 4);
    return d.Call(sup, SYS_ioctl, {3, 0xC0182101, d.Buffer(sup, r), 0, 0, 0});
  };
  for (scn::CloneKind kind : {scn::CloneKind::kThread, scn::CloneKind::kFork}) {
    const scn::CallId call = m.StartClone(a, kind);
    BOOST_TEST((m.Poll(call).kind == RawOutcome::Kind::kBlocked));
    BOOST_TEST(reply(recv_id(), 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE) == 0);
    const RawOutcome out = m.Poll(call);
    BOOST_TEST(out.kind == RawOutcome::Kind::kReturned);
    BOOST_TEST(out.ret > 0);
    const auto child = m.ChildOf(call);
    BOOST_REQUIRE(child.has_value());
    BOOST_TEST(d.Call(*child, SYS_gettid) == out.ret);
  }
  // A supervisor's val=0 for fork: the parent gets 0 and no child exists.
  const scn::CallId fake0 = m.StartClone(a, scn::CloneKind::kFork);
  BOOST_TEST(reply(recv_id(), 0, 0) == 0);
  BOOST_TEST(Returned(m.Poll(fake0), 0));
  BOOST_TEST(!m.ChildOf(fake0).has_value());
  // A made-up pid: no child either.
  const scn::CallId fake = m.StartClone(a, scn::CloneKind::kFork);
  BOOST_TEST(reply(recv_id(), 31337, 0) == 0);
  BOOST_TEST(Returned(m.Poll(fake), 31337));
  BOOST_TEST(!m.ChildOf(fake).has_value());
  const scn::CallId fake_thread = m.StartClone(a, scn::CloneKind::kThread);
  BOOST_TEST(reply(recv_id(), 0, 0) == 0);
  BOOST_TEST(Returned(m.Poll(fake_thread), 0));
  BOOST_TEST(!m.ChildOf(fake_thread).has_value());
  BOOST_TEST(d.Call(a, SYS_getpid) == m.Pid(a));
}

BOOST_AUTO_TEST_CASE(ended_processes_stay_zombies_until_shutdown) {
  // The runner never reaps during a run: kill() still finds a dead `process`, and
  // its pid cannot be recycled under the scenario's feet.
  LiveMachine m;
  Driver d(m);
  const TaskId a = m.SpawnProcess("a", false);
  const TaskId b = m.SpawnProcess("b", false);
  BOOST_TEST(Exited(d.Outcome(a, SYS_exit_group, {0, 0, 0, 0, 0, 0}), 0));
  BOOST_TEST(ReadProcStat(static_cast<int>(m.Pid(a)))->state == 'Z');
  BOOST_TEST(d.Call(b, SYS_kill, {static_cast<uint64_t>(m.Pid(a)), 0, 0, 0, 0, 0}) == 0);
  BOOST_TEST(d.Call(b, SYS_kill, {static_cast<uint64_t>(m.Pid(a)), SIGKILL, 0, 0, 0, 0}) == 0);
  const TaskEnd end = m.TaskState(a);  // unchanged by the later signal
  BOOST_TEST(end.kind == TaskEnd::Kind::kExited);
  BOOST_TEST(end.exit_code == 0);
}

BOOST_AUTO_TEST_CASE(exit_statuses_of_a_process) {
  LiveMachine m;
  Driver d(m);
  const TaskId a = m.SpawnProcess("a", false);
  BOOST_TEST(Exited(d.Outcome(a, SYS_exit, {42, 0, 0, 0, 0, 0}), 42));
  const TaskEnd end = m.AwaitTaskEnd(a);
  BOOST_TEST((end.kind == TaskEnd::Kind::kExited));
  BOOST_TEST(end.exit_code == 42);
  const TaskId b = m.SpawnProcess("b", false);
  BOOST_TEST(Exited(d.Outcome(b, SYS_exit_group, {256 + 3, 0, 0, 0, 0, 0}), 3));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::live
