// live_sigreturn: a handler's rt_sigreturn goes through the task's filters, so a task
// can sleep in it — idle, inside a call, with or without WAIT_KILLABLE_RECV. The
// settle rule must take each of these sleeps for the settled state it is (and the
// reply that ends it for a change that must be waited out), and a task whose handler
// has not returned cannot start a call.
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cstring>

#include "live/live_machine.h"
#include "tests/live/live_test_util.h"

namespace sclab::live {
namespace {

using namespace testing;
namespace utf = boost::unit_test;
using scn::RawOutcome;
using scn::TaskId;

constexpr uint64_t kRecv = 0xC0502100, kSend = 0xC0182101;
constexpr uint32_t kFlagContinue = 1;  // SECCOMP_USER_NOTIF_FLAG_CONTINUE
constexpr uint32_t kWaitKillableRecv = 32;

// NotifyTwo notifies rt_sigreturn and getppid and allows everything else (futex too).
std::vector<sock_filter> NotifyTwo() {
  return {
      Stmt(BPF_LD | BPF_W | BPF_ABS, 0),                        // A = nr
      Jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigreturn, 1, 0),  // rt_sigreturn?
      Jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),       // getppid?
      Stmt(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),            //   notify
      Stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                 // else allow
  };
}

struct Notification {
  uint64_t id = 0;
  int32_t nr = -1;
  std::array<uint64_t, 6> args{};
};

// SigreturnFixture: `target` handles SIGUSR1 with the recording handler and has
// NotifyTwo installed; `sup` holds its listener at fd 3; `other` sends signals.
struct SigreturnFixture {
  SigreturnFixture(bool futex_ok, scn::HandleMode mode, uint32_t extra_flags = 0) : m(), d(m) {
    sup = m.SpawnProcess("sup", false);
    target = m.SpawnProcess("target", false);
    other = m.SpawnProcess("other", false);
    BOOST_REQUIRE(d.Sigaction(target, SIGUSR1, mode) == 0);
    BOOST_REQUIRE(d.Nnp(target) == 0);
    BOOST_REQUIRE(d.Install(target, NotifyTwo(), SECCOMP_FILTER_FLAG_NEW_LISTENER | extra_flags) ==
                  3);
    // An idle agent sleeps in futex when allowed, and spins otherwise: both must
    // settle while their rt_sigreturn sleeps.
    m.NoteFutexAllowed(target, futex_ok);
    BOOST_REQUIRE(d.Pass(target, 3, sup) == 3);
  }

  int64_t Signal(TaskId to, int sig) {
    return d.Call(other, SYS_tgkill,
                  {static_cast<uint64_t>(m.Pid(to)), static_cast<uint64_t>(m.Tid(to)),
                   static_cast<uint64_t>(sig), 0, 0, 0});
  }
  Notification Recv() {
    const uint64_t buf = m.AllocBuffer(sup, 80);
    BOOST_REQUIRE(d.Call(sup, SYS_ioctl, {3, kRecv, buf, 0, 0, 0}) == 0);
    const std::vector<uint8_t> bytes = m.ReadMemory(sup, buf, 80);
    Notification n;
    std::memcpy(&n.id, bytes.data(), 8);
    std::memcpy(&n.nr, bytes.data() + 16, 4);
    std::memcpy(n.args.data(), bytes.data() + 32, 48);
    return n;
  }
  int64_t Reply(uint64_t id, int64_t val, uint32_t flags) {
    std::vector<uint8_t> resp(24, 0);
    std::memcpy(resp.data(), &id, 8);
    std::memcpy(resp.data() + 8, &val, 8);
    std::memcpy(resp.data() + 20, &flags, 4);
    return d.Call(sup, SYS_ioctl, {3, kSend, d.Buffer(sup, resp), 0, 0, 0});
  }

  LiveMachine m;
  Driver d;
  TaskId sup = 0;
  TaskId target = 0;
  TaskId other = 0;
};

BOOST_AUTO_TEST_SUITE(live_sigreturn, *utf::precondition(NeedsUserNotif))

// An idle task (asleep in its futex wait, or spinning) gets a signal; its handler's
// rt_sigreturn is notified. The signal step settles, the task counts as inside its
// handler (cannot act), and a CONTINUE sends it back to its idle loop, ready again.
BOOST_DATA_TEST_CASE(idle_task_asleep_in_a_notified_rt_sigreturn_settles,
                     boost::unit_test::data::make({true, false}), futex_ok) {
  SigreturnFixture f(futex_ok, scn::HandleMode::kNoRestart);
  BOOST_TEST(f.Signal(f.target, SIGUSR1) == 0);  // the step timeout before the fix
  BOOST_TEST(f.m.SignalCount(f.target, SIGUSR1) == 1u);
  BOOST_TEST(f.m.InSignalHandler(f.target));
  BOOST_TEST((f.m.TaskState(f.target).kind == scn::TaskEnd::Kind::kAlive));
  const Notification n = f.Recv();
  BOOST_TEST(n.nr == SYS_rt_sigreturn);
  BOOST_TEST((n.args == std::array<uint64_t, 6>{}));  // the restorer zeroes them
  BOOST_TEST(f.m.InSignalHandler(f.target));          // still asleep, now received
  BOOST_TEST(f.Reply(n.id, 0, kFlagContinue) == 0);
  BOOST_TEST(!f.m.InSignalHandler(f.target));
  BOOST_TEST(f.d.Call(f.target, SYS_getpid) == f.m.Pid(f.target));
  // Twice in a row: the idle loop is whole again.
  BOOST_TEST(f.Signal(f.target, SIGUSR1) == 0);
  const Notification n2 = f.Recv();
  BOOST_TEST(n2.id == n.id + 1);
  BOOST_TEST(f.Reply(n2.id, 0, kFlagContinue) == 0);
  BOOST_TEST(f.m.SignalCount(f.target, SIGUSR1) == 2u);
  BOOST_TEST(f.d.Call(f.target, SYS_gettid) == f.m.Tid(f.target));
}

// Answered with a value instead, rt_sigreturn "returns" into the restorer's ud2.
BOOST_AUTO_TEST_CASE(a_value_reply_to_rt_sigreturn_ends_in_sigill) {
  SigreturnFixture f(true, scn::HandleMode::kNoRestart);
  BOOST_TEST(f.Signal(f.target, SIGUSR1) == 0);
  const Notification n = f.Recv();
  BOOST_TEST(f.Reply(n.id, 0, 0) == 0);
  const scn::TaskEnd end = f.m.AwaitTaskEnd(f.target);
  BOOST_TEST((end.kind == scn::TaskEnd::Kind::kKilled));
  BOOST_TEST(end.signal == SIGILL);
}

// A call asleep in a notification is interrupted: the notification is withdrawn, the
// handler runs, its rt_sigreturn is notified; the call stays blocked (the task sleeps
// in syscall 15, not in its call) until CONTINUE lets the SA_RESTART restart notify
// again, with the next id.
BOOST_AUTO_TEST_CASE(a_call_whose_handler_return_sleeps_stays_blocked_and_restarts) {
  SigreturnFixture f(true, scn::HandleMode::kRestart);
  const scn::CallId c = f.m.StartSyscall(f.target, SYS_getppid, {});
  const Notification n1 = f.Recv();
  BOOST_TEST(n1.nr == SYS_getppid);
  BOOST_TEST(f.Signal(f.target, SIGUSR1) == 0);
  BOOST_TEST((f.m.Poll(c).kind == RawOutcome::Kind::kBlocked));
  const Notification n2 = f.Recv();
  BOOST_TEST(n2.nr == SYS_rt_sigreturn);
  BOOST_TEST(n2.id == n1.id + 1);
  BOOST_TEST(f.Reply(n2.id, 0, kFlagContinue) == 0);
  BOOST_TEST((f.m.Poll(c).kind == RawOutcome::Kind::kBlocked));  // restarted: notified again
  const Notification n3 = f.Recv();
  BOOST_TEST(n3.nr == SYS_getppid);
  BOOST_TEST(n3.id == n2.id + 1);
  BOOST_TEST(f.Reply(n3.id, 42, 0) == 0);
  const RawOutcome out = f.m.Poll(c);
  BOOST_TEST((out.kind == RawOutcome::Kind::kReturned));
  BOOST_TEST(out.ret == 42);
}

// With WAIT_KILLABLE_RECV a received rt_sigreturn notification sleeps killable-only
// (state D, in the seccomp wait): settled, and so it stays with an unblocked signal
// pending, which is delivered once CONTINUE lets the handler return.
BOOST_AUTO_TEST_CASE(a_received_rt_sigreturn_under_wait_killable_recv_settles) {
  SigreturnFixture f(true, scn::HandleMode::kNoRestart, kWaitKillableRecv);
  BOOST_TEST(f.d.Sigaction(f.target, SIGUSR2, scn::HandleMode::kNoRestart) == 0);
  BOOST_TEST(f.Signal(f.target, SIGUSR1) == 0);
  const Notification n = f.Recv();  // now killable-only
  BOOST_TEST(n.nr == SYS_rt_sigreturn);
  BOOST_TEST(f.Signal(f.target, SIGUSR2) == 0);  // pending, not interrupting
  BOOST_TEST(f.m.SignalCount(f.target, SIGUSR2) == 0u);
  BOOST_TEST(f.m.InSignalHandler(f.target));
  BOOST_TEST(f.Reply(n.id, 0, kFlagContinue) == 0);
  // Back in user mode SIGUSR2 is delivered: its handler's return is notified in turn.
  const Notification n2 = f.Recv();
  BOOST_TEST(n2.nr == SYS_rt_sigreturn);
  BOOST_TEST(f.m.SignalCount(f.target, SIGUSR2) == 1u);
  BOOST_TEST(f.Reply(n2.id, 0, kFlagContinue) == 0);
  BOOST_TEST(!f.m.InSignalHandler(f.target));
  BOOST_TEST(f.d.Call(f.target, SYS_getpid) == f.m.Pid(f.target));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::live
