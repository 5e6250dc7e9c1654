// ksim_notify_send: SECCOMP_IOCTL_NOTIF_SEND, ID_VALID, SET_FLAGS, the ioctl number
// rules, listener close and life cycle (kernel/seccomp.c seccomp_notify_send(),
// seccomp_notify_id_valid(), seccomp_notify_set_flags(), seccomp_notify_ioctl(),
// seccomp_notify_release()).
#include <boost/test/unit_test.hpp>

#include "tests/kernel_sim/notify_harness.h"

namespace sclab::ksim::testing {

namespace {

int64_t RawSend(Sim& s, Pid p, uint64_t id, int64_t val, int32_t error, uint32_t flags) {
  return s.Send(p, 3, id, val, error, flags);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ksim_notify_send)

BOOST_AUTO_TEST_CASE(send_checks_in_order_efault_flags_continue_enoent_einprogress) {
  Sim s;
  Notify n(s);
  (void)n.Trigger();
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, kIoctlNotifSend, model::kBadAddr}) ==
             Err(model::kEFAULT));
  BOOST_TEST(RawSend(s, n.sup, 12345, 0, 0, 2) == Err(model::kEINVAL));
  BOOST_TEST(RawSend(s, n.sup, 12345, 1, 0, kUserNotifFlagContinue) == Err(model::kEINVAL));
  BOOST_TEST(RawSend(s, n.sup, 12345, 0, 1, kUserNotifFlagContinue) == Err(model::kEINVAL));
  BOOST_TEST(RawSend(s, n.sup, 12345, 0, 0, 0) == Err(model::kENOENT));
  // The real id, before RECV: EINPROGRESS.
  const uint64_t id = s.k().FindTask(n.target)->notif.id;
  BOOST_TEST(RawSend(s, n.sup, id, 0, 0, 0) == Err(model::kEINPROGRESS));
  BOOST_TEST(s.IdValid(n.sup, 3, id) == Err(model::kENOENT));  // INIT is not valid
}

BOOST_AUTO_TEST_CASE(the_reply_error_is_used_raw_and_val_is_a_full_s64) {
  Sim s;
  Notify n(s);
  CallHandle c = n.Trigger();
  uint64_t id = 0;
  BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);
  BOOST_TEST(s.Send(n.sup, 3, id, 0, 5) == 0);
  BOOST_TEST(s.Status(c).ret == 5);
  c = n.Trigger();
  BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);
  BOOST_TEST(s.Send(n.sup, 3, id, 0, -100000) == 0);
  BOOST_TEST(s.Status(c).ret == -100000);
  c = n.Trigger();
  BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);
  BOOST_TEST(s.Send(n.sup, 3, id, INT64_MAX) == 0);
  BOOST_TEST(s.Status(c).ret == INT64_MAX);
  BOOST_TEST(s.Send(n.sup, 3, id, 1) == Err(model::kENOENT));  // consumed
}

BOOST_AUTO_TEST_CASE(continue_runs_the_syscall_for_real) {
  Sim s;
  Notify n(s);
  const CallHandle c = n.Trigger();
  uint64_t id = 0;
  BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);
  BOOST_TEST(s.Send(n.sup, 3, id, 0, 0, kUserNotifFlagContinue) == 0);
  BOOST_TEST(s.Status(c).ret == s.k().RunnerPid());
}

BOOST_AUTO_TEST_CASE(id_valid_accepts_both_ioctl_numbers_and_nothing_else) {
  Sim s;
  Notify n(s);
  (void)n.Trigger();
  uint64_t id = 0;
  BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);
  const uint64_t b = s.Buf(n.sup, 8);
  s.PutU64(n.sup, b, id);
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, kIoctlNotifIdValid, b}) == 0);
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, kIoctlNotifIdValidWrongDir, b}) == 0);
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, 0xC0082102, b}) == Err(model::kEINVAL));  // _IOWR
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, kIoctlNotifIdValid, model::kBadAddr}) ==
             Err(model::kEFAULT));
}

BOOST_AUTO_TEST_CASE(set_flags_takes_the_value_sync_wake_up_only) {
  Sim s;
  Notify n(s);
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, kIoctlNotifSetFlags, 1}) == 0);
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, kIoctlNotifSetFlags, 2}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, 0x40042104, 1}) == Err(model::kEINVAL));  // size 4
  BOOST_TEST(s.Call(n.sup, nr::kIoctl, {3, 0xC0502199, 0}) == Err(model::kEINVAL));
}

BOOST_AUTO_TEST_CASE(closing_the_last_listener_fd_answers_every_waiting_call_enosys) {
  Sim s;
  Notify n(s);
  const Pid second = s.Fork(n.target);
  const CallHandle c1 = n.Trigger();
  const CallHandle c2 = n.Trigger(second);
  BOOST_TEST(s.Recv(n.sup, 3) == 0);  // c1 SENT, c2 INIT
  BOOST_TEST(s.Call(n.sup, nr::kClose, {3}) == 0);
  BOOST_TEST(s.Status(c1).ret == Err(model::kENOSYS));
  BOOST_TEST(s.Status(c2).ret == Err(model::kENOSYS));
  BOOST_TEST(s.Call(n.target, nr::kGetppid) == Err(model::kENOSYS));
  // The filter no longer has a listener: a new one may be installed.
  BOOST_TEST(s.Install(n.target, IfNr(nr::kGetppid, bpf::kRetUserNotif), kFilterFlagNewListener) ==
             3);
}

BOOST_AUTO_TEST_CASE(a_dup_keeps_the_listener_alive_until_the_last_close) {
  Sim s;
  Notify n(s);
  BOOST_TEST(s.Call(n.sup, nr::kDup, {3}) == 4);
  const CallHandle c = n.Trigger();
  BOOST_TEST(s.Call(n.sup, nr::kClose, {3}) == 0);
  BOOST_TEST(n.State(c) == kInFlight);
  BOOST_TEST(s.Call(n.sup, nr::kClose, {4}) == 0);
  BOOST_TEST(s.Status(c).ret == Err(model::kENOSYS));
}

BOOST_AUTO_TEST_CASE(a_second_live_listener_in_the_chain_is_ebusy) {
  Sim s;
  Notify n(s);
  BOOST_TEST(s.Install(n.target, Always(bpf::kRetAllow), kFilterFlagNewListener) ==
             Err(model::kEBUSY));
  BOOST_TEST(s.Install(n.target, Always(bpf::kRetAllow)) == 0);
}

BOOST_AUTO_TEST_CASE(a_killed_target_takes_its_notification_away) {
  Sim s;
  Notify n(s);
  const Pid other = s.Spawn();
  (void)n.Trigger();
  uint64_t id = 0;
  BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);
  BOOST_TEST(s.Call(other, nr::kKill, {static_cast<uint64_t>(n.target), 9}) == 0);
  BOOST_TEST(static_cast<int>(s.k().TaskEnd(n.target).kind) == kKilled);
  BOOST_TEST(s.IdValid(n.sup, 3, id) == Err(model::kENOENT));
  BOOST_TEST(s.Send(n.sup, 3, id, 0) == Err(model::kENOENT));
  BOOST_TEST(s.Poll(n.sup, 3) == kPollHup);
}

BOOST_AUTO_TEST_CASE(fork_children_notify_the_same_listener_with_their_own_pid) {
  Sim s;
  Notify n(s);
  const Pid child = s.Fork(n.target);
  const CallHandle c = n.Trigger(child);
  uint64_t buf = 0;
  BOOST_TEST(s.Status(s.StartRecv(n.sup, 3, &buf)).ret == 0);
  BOOST_TEST(s.U32(n.sup, buf + 8) == static_cast<uint32_t>(child));
  BOOST_TEST(s.Send(n.sup, 3, s.U64(n.sup, buf), 11) == 0);
  BOOST_TEST(s.Status(c).ret == 11);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sclab::ksim::testing
