// live_notify: user notifications end to end through real listeners passed between
// agents, and the settle rule around them (a reply, a signal, a close, a kill wake
// the target; the next Poll sees what happened).
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "live/live_machine.h"
#include "tests/live/live_test_util.h"

namespace sclab::live {
namespace {

using namespace testing;
namespace utf = boost::unit_test;
using scn::RawOutcome;
using scn::TaskId;

constexpr uint64_t kRecv = 0xC0502100, kSend = 0xC0182101, kIdValid = 0x40082102,
                   kAddfd = 0x40182103;

std::vector<uint8_t> Le(std::initializer_list<std::pair<uint64_t, int>> fields) {
  std::vector<uint8_t> bytes;
  for (const auto& [value, size] : fields) {
    for (int i = 0; i < size; ++i) {
      bytes.push_back(static_cast<uint8_t>(value >> (8 * i)));
    }
  }
  return bytes;
}

// NotifyFixture: `target` has a filter that notifies getppid, and `sup` holds the
// listener at `listener`.
struct NotifyFixture {
  explicit NotifyFixture(uint32_t flags = SECCOMP_FILTER_FLAG_NEW_LISTENER,
                         const LiveOptions& options = {})
      : m(options), d(m) {
    sup = m.SpawnProcess("sup", false);
    target = m.SpawnProcess("target", false);
    BOOST_REQUIRE(d.Nnp(target) == 0);
    target_listener = d.Install(target, OnSyscall(SYS_getppid, SECCOMP_RET_USER_NOTIF), flags);
    BOOST_REQUIRE(target_listener == 3);
    m.NoteFutexAllowed(target, true);
    listener = d.Pass(target, 3, sup);
    BOOST_REQUIRE(listener == 3);
  }

  struct Notification {
    uint64_t id;
    uint32_t pid;
    int32_t nr;
    uint32_t arch;
  };
  int64_t Recv(Notification* n) {
    const uint64_t buf = m.AllocBuffer(sup, 80);
    const int64_t r =
        d.Call(sup, SYS_ioctl, {static_cast<uint64_t>(listener), kRecv, buf, 0, 0, 0});
    const std::vector<uint8_t> bytes = m.ReadMemory(sup, buf, 80);
    std::memcpy(&n->id, bytes.data(), 8);
    std::memcpy(&n->pid, bytes.data() + 8, 4);
    std::memcpy(&n->nr, bytes.data() + 16, 4);
    std::memcpy(&n->arch, bytes.data() + 20, 4);
    return r;
  }
  int64_t Reply(uint64_t id, int64_t val, int32_t error = 0, uint32_t flags = 0) {
    const uint64_t buf = d.Buffer(sup, Le({{id, 8},
                                           {static_cast<uint64_t>(val), 8},
                                           {static_cast<uint32_t>(error), 4},
                                           {flags, 4}}));
    return d.Call(sup, SYS_ioctl, {static_cast<uint64_t>(listener), kSend, buf, 0, 0, 0});
  }
  int64_t IdValid(uint64_t id) {
    const uint64_t buf = d.Buffer(sup, Le({{id, 8}}));
    return d.Call(sup, SYS_ioctl, {static_cast<uint64_t>(listener), kIdValid, buf, 0, 0, 0});
  }
  int64_t PollListener() {
    const uint64_t buf =
        d.Buffer(sup, Le({{static_cast<uint64_t>(listener), 4}, {POLLIN | POLLOUT, 2}, {0, 2}}));
    const int64_t r = d.Call(sup, SYS_poll, {buf, 1, 0, 0, 0, 0});
    if (r < 0) {
      return r;
    }
    const std::vector<uint8_t> bytes = m.ReadMemory(sup, buf + 6, 2);
    return bytes[0] | bytes[1] << 8;
  }
  int64_t Signal(TaskId to, int sig) {
    return d.Call(sup, SYS_tgkill,
                  {static_cast<uint64_t>(m.Pid(to)), static_cast<uint64_t>(m.Tid(to)),
                   static_cast<uint64_t>(sig), 0, 0, 0});
  }

  LiveMachine m;
  Driver d;
  TaskId sup = 0;
  TaskId target = 0;
  int64_t target_listener = -1;
  int64_t listener = -1;
};

bool Blocked(const RawOutcome& out) { return out.kind == RawOutcome::Kind::kBlocked; }
bool Returned(const RawOutcome& out, int64_t value) {
  return out.kind == RawOutcome::Kind::kReturned && out.ret == value;
}

BOOST_AUTO_TEST_SUITE(live_notify, *utf::precondition(NeedsUserNotif))

BOOST_AUTO_TEST_CASE(notification_round_trip_through_a_passed_listener) {
  NotifyFixture f;
  const auto start = std::chrono::steady_clock::now();
  const scn::CallId c1 = f.m.StartSyscall(f.target, SYS_getppid, {});
  BOOST_TEST(Blocked(f.m.Poll(c1)));
  BOOST_TEST(f.PollListener() == POLLIN);
  NotifyFixture::Notification n{};
  BOOST_TEST(f.Recv(&n) == 0);
  BOOST_TEST(n.pid == f.m.Pid(f.target));
  BOOST_TEST(n.nr == SYS_getppid);
  BOOST_TEST(n.arch == AUDIT_ARCH_X86_64);
  BOOST_TEST(f.PollListener() == POLLOUT);
  BOOST_TEST(f.IdValid(n.id) == 0);
  BOOST_TEST(f.Reply(n.id, 4242) == 0);
  // Settled after the reply: the next Poll sees the result without an Await.
  BOOST_TEST(Returned(f.m.Poll(c1), 4242));
  BOOST_TEST_MESSAGE("notification round trip: "
                     << std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count()
                     << " us");
  BOOST_TEST(Returned(f.m.Await(c1), 4242));
  BOOST_TEST(f.IdValid(n.id) == -ENOENT);
  // Ids are consecutive.
  const scn::CallId c2 = f.m.StartSyscall(f.target, SYS_getppid, {});
  NotifyFixture::Notification n2{};
  BOOST_TEST(f.Recv(&n2) == 0);
  BOOST_TEST(n2.id == n.id + 1);
  BOOST_TEST(f.Reply(n2.id, 0, -EPERM) == 0);
  BOOST_TEST(Returned(f.m.Poll(c2), -EPERM));
}

BOOST_AUTO_TEST_CASE(signal_without_sa_restart_ends_the_wait_with_eintr) {
  NotifyFixture f;
  BOOST_TEST(f.d.Sigaction(f.target, SIGUSR1, scn::HandleMode::kNoRestart) == 0);
  const scn::CallId c = f.m.StartSyscall(f.target, SYS_getppid, {});
  NotifyFixture::Notification n{};
  BOOST_TEST(f.Recv(&n) == 0);
  BOOST_TEST(f.Signal(f.target, SIGUSR1) == 0);
  BOOST_TEST(Returned(f.m.Poll(c), -EINTR));
  BOOST_TEST(f.m.SignalCount(f.target, SIGUSR1) == 1u);
  BOOST_TEST(f.IdValid(n.id) == -ENOENT);
}

BOOST_AUTO_TEST_CASE(signal_with_sa_restart_sends_a_new_notification) {
  NotifyFixture f;
  BOOST_TEST(f.d.Sigaction(f.target, SIGUSR1, scn::HandleMode::kRestart) == 0);
  const scn::CallId c = f.m.StartSyscall(f.target, SYS_getppid, {});
  NotifyFixture::Notification n1{};
  BOOST_TEST(f.Recv(&n1) == 0);
  BOOST_TEST(f.Signal(f.target, SIGUSR1) == 0);
  BOOST_TEST(Blocked(f.m.Poll(c)));  // the handler ran and the call restarted
  BOOST_TEST(f.m.SignalCount(f.target, SIGUSR1) == 1u);
  BOOST_TEST(f.IdValid(n1.id) == -ENOENT);
  NotifyFixture::Notification n2{};
  BOOST_TEST(f.Recv(&n2) == 0);
  BOOST_TEST(n2.id == n1.id + 1);
  BOOST_TEST(f.Reply(n2.id, 77) == 0);
  BOOST_TEST(Returned(f.m.Poll(c), 77));
}

BOOST_AUTO_TEST_CASE(wait_killable_recv_keeps_a_signal_pending_until_the_reply) {
  NotifyFixture f(SECCOMP_FILTER_FLAG_NEW_LISTENER | 32 /*WAIT_KILLABLE_RECV*/);
  BOOST_TEST(f.d.Sigaction(f.target, SIGUSR1, scn::HandleMode::kNoRestart) == 0);
  const scn::CallId c = f.m.StartSyscall(f.target, SYS_getppid, {});
  NotifyFixture::Notification n{};
  BOOST_TEST(f.Recv(&n) == 0);
  BOOST_TEST(f.Signal(f.target, SIGUSR1) == 0);
  BOOST_TEST(Blocked(f.m.Poll(c)));  // asleep (killable), the signal pending
  BOOST_TEST(f.m.SignalCount(f.target, SIGUSR1) == 0u);
  BOOST_TEST(f.Reply(n.id, 5) == 0);
  BOOST_TEST(Returned(f.m.Poll(c), 5));
  BOOST_TEST(f.m.SignalCount(f.target, SIGUSR1) == 1u);  // delivered on the way out
}

BOOST_AUTO_TEST_CASE(closing_the_last_listener_fd_fails_the_wait_with_enosys) {
  NotifyFixture f;
  BOOST_TEST(f.d.Call(f.target, SYS_close, {3, 0, 0, 0, 0, 0}) == 0);
  const scn::CallId c = f.m.StartSyscall(f.target, SYS_getppid, {});
  BOOST_TEST(Blocked(f.m.Poll(c)));
  BOOST_TEST(f.d.Call(f.sup, SYS_close, {3, 0, 0, 0, 0, 0}) == 0);
  BOOST_TEST(Returned(f.m.Poll(c), -ENOSYS));
}

BOOST_AUTO_TEST_CASE(killed_target_disappears_from_the_listener) {
  NotifyFixture f;
  const scn::CallId c = f.m.StartSyscall(f.target, SYS_getppid, {});
  NotifyFixture::Notification n{};
  BOOST_TEST(f.Recv(&n) == 0);
  BOOST_TEST(f.Signal(f.target, SIGKILL) == 0);
  const RawOutcome out = f.m.Poll(c);
  BOOST_TEST((out.kind == RawOutcome::Kind::kKilled));
  BOOST_TEST(out.signal == SIGKILL);
  BOOST_TEST(f.IdValid(n.id) == -ENOENT);
  BOOST_TEST(f.PollListener() == POLLHUP);  // the zombie no longer uses the filter
}

BOOST_AUTO_TEST_CASE(addfd_installs_an_fd_in_the_waiting_target) {
  NotifyFixture f;
  const scn::CallId c = f.m.StartSyscall(f.target, SYS_getppid, {});
  NotifyFixture::Notification n{};
  BOOST_TEST(f.Recv(&n) == 0);
  const uint64_t addfd = f.d.Buffer(f.sup, Le({{n.id, 8}, {0, 4}, {0, 4}, {0, 4}, {0, 4}}));
  BOOST_TEST(
      f.d.Call(f.sup, SYS_ioctl, {static_cast<uint64_t>(f.listener), kAddfd, addfd, 0, 0, 0}) == 4);
  BOOST_TEST(f.Reply(n.id, 1) == 0);
  BOOST_TEST(Returned(f.m.Poll(c), 1));
  BOOST_TEST(f.d.Call(f.target, SYS_close, {4, 0, 0, 0, 0, 0}) == 0);  // it was there
}

BOOST_AUTO_TEST_CASE(pass_of_a_closed_fd_is_ebadf_and_fds_queue_in_order) {
  NotifyFixture f;
  BOOST_TEST(!f.m.SendFdToChannel(f.target, 9, f.sup));
  // Two sends, then two receives: the lowest free numbers, in order.
  BOOST_TEST(f.m.SendFdToChannel(f.target, 0, f.sup));
  BOOST_TEST(f.m.SendFdToChannel(f.target, 1, f.sup));
  BOOST_TEST(f.d.Pass(f.target, 2, f.sup) == 4);
  BOOST_TEST(f.d.Pass(f.target, 3, f.sup) == 5);
}

BOOST_AUTO_TEST_CASE(await_of_a_call_nobody_answers_reports_blocked_after_the_step_timeout) {
  LiveOptions options;
  options.step_timeout_ms = 150;
  NotifyFixture f(SECCOMP_FILTER_FLAG_NEW_LISTENER, options);
  const scn::CallId c = f.m.StartSyscall(f.target, SYS_getppid, {});
  const auto start = std::chrono::steady_clock::now();
  BOOST_TEST(Blocked(f.m.Await(c)));
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  BOOST_TEST(waited.count() >= 150);
  NotifyFixture::Notification n{};
  BOOST_TEST(f.Recv(&n) == 0);
  BOOST_TEST(f.Reply(n.id, 3) == 0);
  BOOST_TEST(Returned(f.m.Await(c), 3));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::live
