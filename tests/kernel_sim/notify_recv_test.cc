// ksim_notify_recv: SECCOMP_IOCTL_NOTIF_RECV and poll (kernel/seccomp.c
// seccomp_notify_recv(), recv_wait_event(), seccomp_notify_poll()).
#include <boost/test/unit_test.hpp>

#include "tests/kernel_sim/notify_harness.h"

namespace sclab::ksim::testing {

BOOST_AUTO_TEST_SUITE(ksim_notify_recv)

BOOST_AUTO_TEST_CASE(a_notified_call_is_answered_by_the_supervisor) {
  Sim s;
  Notify n(s);
  const CallHandle c = n.Trigger();
  BOOST_TEST(n.State(c) == kInFlight);
  BOOST_TEST(std::string(s.Status(c).wait_name) == "seccomp_do_user_notification (interruptible)");
  BOOST_TEST(s.Poll(n.sup, Notify::kFd) == kPollIn);
  uint64_t buf = 0;
  const CallHandle r = s.StartRecv(n.sup, Notify::kFd, &buf);
  BOOST_TEST(s.Status(r).ret == 0);
  const uint64_t id = s.U64(n.sup, buf);
  BOOST_TEST(s.U32(n.sup, buf + 8) == static_cast<uint32_t>(n.target));  // pid
  BOOST_TEST(s.U32(n.sup, buf + 12) == 0u);                              // flags
  BOOST_TEST(s.U32(n.sup, buf + 16) == static_cast<uint32_t>(nr::kGetppid));
  BOOST_TEST(s.U32(n.sup, buf + 20) == kAuditArchX86_64);
  BOOST_TEST(s.Poll(n.sup, Notify::kFd) == kPollOut);
  BOOST_TEST(s.IdValid(n.sup, Notify::kFd, id) == 0);
  BOOST_TEST(s.Send(n.sup, Notify::kFd, id, 4242) == 0);
  BOOST_TEST(n.State(c) == kReturned);
  BOOST_TEST(s.Status(c).ret == 4242);
  BOOST_TEST(s.Poll(n.sup, Notify::kFd) == 0);
}

BOOST_AUTO_TEST_CASE(recv_needs_an_all_zero_buffer_check_zeroed_user) {
  Sim s;
  Notify n(s);
  (void)n.Trigger();
  const uint64_t buf = s.Buf(n.sup, 80);
  s.PutU32(n.sup, buf + 76, 1);
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, kIoctlNotifRecv, buf}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, kIoctlNotifRecv, 0}) == Err(model::kEFAULT));
  // A non-zero byte before the unmapped page wins: EINVAL, not EFAULT.
  const uint64_t edge = s.Buf(n.sup, 40);
  s.PutU32(n.sup, edge, 1);
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, kIoctlNotifRecv, edge}) == Err(model::kEINVAL));
  const uint64_t zero_edge = s.Buf(n.sup, 40);
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, kIoctlNotifRecv, zero_edge}) == Err(model::kEFAULT));
  // The notification is still INIT after the failed calls.
  BOOST_TEST(s.Poll(n.sup, Notify::kFd) == kPollIn);
}

BOOST_AUTO_TEST_CASE(recv_sleeps_until_a_notification_arrives_recv_wait_event) {
  Sim s;
  Notify n(s);
  uint64_t buf = 0;
  const CallHandle r = s.StartRecv(n.sup, Notify::kFd, &buf);
  BOOST_TEST(n.State(r) == kInFlight);
  BOOST_TEST(std::string(s.Status(r).wait_name) == "seccomp_notify_recv (interruptible)");
  const CallHandle c = n.Trigger();
  BOOST_TEST(n.State(r) == kReturned);
  BOOST_TEST(s.Status(r).ret == 0);
  BOOST_TEST(s.Send(n.sup, Notify::kFd, s.U64(n.sup, buf), 7) == 0);
  BOOST_TEST(s.Status(c).ret == 7);
}

BOOST_AUTO_TEST_CASE(recv_ignores_o_nonblock) {
  Sim s;
  Notify n(s);
  const uint64_t on = s.Buf(n.sup, 4);
  s.PutU32(n.sup, on, 1);
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, 0x5421, on}) == 0);  // FIONBIO
  const CallHandle r = s.StartRecv(n.sup, Notify::kFd, nullptr);
  BOOST_TEST(n.State(r) == kInFlight);
}

BOOST_AUTO_TEST_CASE(the_queue_is_fifo_and_ids_increase_by_one) {
  Sim s;
  Notify n(s);
  const Pid second = s.Fork(n.target);
  const CallHandle c1 = n.Trigger();
  const CallHandle c2 = n.Trigger(second);
  uint64_t b1 = 0;
  uint64_t b2 = 0;
  BOOST_TEST(s.Status(s.StartRecv(n.sup, Notify::kFd, &b1)).ret == 0);
  BOOST_TEST(s.Status(s.StartRecv(n.sup, Notify::kFd, &b2)).ret == 0);
  BOOST_TEST(s.U32(n.sup, b1 + 8) == static_cast<uint32_t>(n.target));
  BOOST_TEST(s.U32(n.sup, b2 + 8) == static_cast<uint32_t>(second));
  BOOST_TEST(s.U64(n.sup, b2) == s.U64(n.sup, b1) + 1);
  BOOST_TEST(s.Send(n.sup, 3, s.U64(n.sup, b2), 2) == 0);
  BOOST_TEST(s.Send(n.sup, 3, s.U64(n.sup, b1), 1) == 0);
  BOOST_TEST(s.Status(c1).ret == 1);
  BOOST_TEST(s.Status(c2).ret == 2);
}

BOOST_AUTO_TEST_CASE(poll_shows_in_and_out_together) {
  Sim s;
  Notify n(s);
  const Pid second = s.Fork(n.target);
  (void)n.Trigger();
  (void)n.Trigger(second);
  BOOST_TEST(s.Recv(n.sup, 3) == 0);
  BOOST_TEST(s.Poll(n.sup, 3) == (kPollIn | kPollOut));
}

BOOST_AUTO_TEST_CASE(the_pid_is_the_notifying_threads_tid) {
  Sim s;
  Notify n(s);
  const Pid t = s.Thread(n.target);
  (void)n.Trigger(t);
  uint64_t buf = 0;
  BOOST_TEST(s.Status(s.StartRecv(n.sup, 3, &buf)).ret == 0);
  BOOST_TEST(s.U32(n.sup, buf + 8) == static_cast<uint32_t>(t));
}

BOOST_AUTO_TEST_CASE(pollhup_once_the_last_user_exits_even_before_it_is_reaped_6_18) {
  Sim s;
  Notify n(s);
  const Pid child = s.Fork(n.target);
  (void)s.Start(child, nr::kExit, {0});  // a zombie: its parent did not wait
  BOOST_TEST(s.Poll(n.sup, 3) == 0);
  (void)s.Start(n.target, nr::kExitGroup, {0});
  BOOST_TEST((s.k().FindProcess(n.target)->state == ProcState::kZombie));
  BOOST_TEST(s.Poll(n.sup, 3) == kPollHup);
  BOOST_TEST(s.Recv(n.sup, 3) == Err(model::kENOENT));  // orphaned: no wait
}

BOOST_AUTO_TEST_CASE(a_sleeping_recv_is_woken_by_pollhup_and_returns_enoent) {
  Sim s;
  Notify n(s);
  const CallHandle r = s.StartRecv(n.sup, 3, nullptr);
  BOOST_TEST(n.State(r) == kInFlight);
  (void)s.Start(n.target, nr::kExitGroup, {0});
  BOOST_TEST(s.Status(r).ret == Err(model::kENOENT));
}

BOOST_AUTO_TEST_CASE(recv_interrupted_by_a_signal_is_eintr_or_restarts) {
  Sim s;
  Notify n(s);
  const Pid other = s.Spawn();
  BOOST_TEST(s.Handle(n.sup, 10, false) == 0);
  const CallHandle r = s.StartRecv(n.sup, 3, nullptr);
  BOOST_TEST(s.Tgkill(other, n.sup, 10) == 0);
  BOOST_TEST(s.Status(r).ret == Err(model::kEINTR));
  BOOST_TEST(s.Handle(n.sup, 10, true) == 0);
  const CallHandle r2 = s.StartRecv(n.sup, 3, nullptr);
  BOOST_TEST(s.Tgkill(other, n.sup, 10) == 0);
  BOOST_TEST(n.State(r2) == kInFlight);
  (void)n.Trigger();
  BOOST_TEST(s.Status(r2).ret == 0);
}

BOOST_AUTO_TEST_CASE(different_seeds_draw_different_id_starts_init_listener) {
  uint64_t ids[2] = {0, 0};
  for (uint64_t seed : {uint64_t{1}, uint64_t{2}}) {
    Sim s(seed);
    Notify n(s);
    (void)n.Trigger();
    uint64_t id = 0;
    BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);
    ids[seed - 1] = id;
  }
  BOOST_TEST(ids[0] != ids[1]);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sclab::ksim::testing
