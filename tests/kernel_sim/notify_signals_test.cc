// ksim_notify_signals: the notifying task's wait and signals (kernel/seccomp.c
// seccomp_do_user_notification(): interruptible, or killable once SENT with
// WAIT_KILLABLE_RECV; withdrawal, -ERESTARTSYS -> EINTR or a restart with a new id).
#include <boost/test/unit_test.hpp>

#include "tests/kernel_sim/notify_harness.h"

namespace sclab::ksim::testing {

namespace {

uint64_t NotifId(Sim& s, Pid target) { return s.k().FindTask(target)->notif.id; }

}  // namespace

BOOST_AUTO_TEST_SUITE(ksim_notify_signals)

BOOST_AUTO_TEST_CASE(a_signal_before_recv_without_sa_restart_is_eintr_and_leaves_a_stale_token) {
  Sim s;
  Notify n(s);
  const Pid other = s.Spawn();
  BOOST_TEST(s.Handle(n.target, 10, false) == 0);
  const CallHandle c = n.Trigger();
  BOOST_TEST(s.Tgkill(other, n.target, 10) == 0);
  BOOST_TEST(s.Status(c).ret == Err(model::kEINTR));
  BOOST_TEST(s.Poll(n.sup, 3) == 0);
  BOOST_TEST(s.Recv(n.sup, 3) == Err(model::kENOENT));  // the stale token, once
  const CallHandle r = s.StartRecv(n.sup, 3, nullptr);
  BOOST_TEST(static_cast<int>(s.Status(r).state) == kInFlight);
}

BOOST_AUTO_TEST_CASE(a_signal_before_recv_with_sa_restart_notifies_again_with_the_next_id) {
  Sim s;
  Notify n(s);
  const Pid other = s.Spawn();
  BOOST_TEST(s.Handle(n.target, 10, true) == 0);
  const CallHandle c = n.Trigger();
  const uint64_t first = NotifId(s, n.target);
  BOOST_TEST(s.Tgkill(other, n.target, 10) == 0);
  BOOST_TEST(static_cast<int>(s.Status(c).state) == kInFlight);
  BOOST_TEST(NotifId(s, n.target) == first + 1);
  uint64_t id = 0;
  BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);  // the stale token finds the new notification
  BOOST_TEST(id == first + 1);
  BOOST_TEST(s.Send(n.sup, 3, id, 8) == 0);
  BOOST_TEST(s.Status(c).ret == 8);
}

BOOST_AUTO_TEST_CASE(a_signal_after_recv_withdraws_the_notification_eintr) {
  Sim s;
  Notify n(s);
  const Pid other = s.Spawn();
  BOOST_TEST(s.Handle(n.target, 10, false) == 0);
  const CallHandle c = n.Trigger();
  uint64_t id = 0;
  BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);
  BOOST_TEST(s.Tgkill(other, n.target, 10) == 0);
  BOOST_TEST(s.Status(c).ret == Err(model::kEINTR));
  BOOST_TEST(s.IdValid(n.sup, 3, id) == Err(model::kENOENT));
  BOOST_TEST(s.Send(n.sup, 3, id, 1) == Err(model::kENOENT));
}

BOOST_AUTO_TEST_CASE(a_signal_after_recv_with_sa_restart_restarts_with_a_new_id) {
  Sim s;
  Notify n(s);
  const Pid other = s.Spawn();
  BOOST_TEST(s.Handle(n.target, 10, true) == 0);
  const CallHandle c = n.Trigger();
  uint64_t id = 0;
  BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);
  BOOST_TEST(s.Tgkill(other, n.target, 10) == 0);
  BOOST_TEST(static_cast<int>(s.Status(c).state) == kInFlight);
  BOOST_TEST(s.Send(n.sup, 3, id, 1) == Err(model::kENOENT));
  BOOST_TEST(s.Poll(n.sup, 3) == kPollIn);
  uint64_t again = 0;
  BOOST_TEST(s.Recv(n.sup, 3, &again) == 0);
  BOOST_TEST(again == id + 1);
}

BOOST_AUTO_TEST_CASE(wait_killable_recv_before_recv_is_still_interruptible) {
  Sim s;
  Notify n(s, nr::kGetppid, kFilterFlagNewListener | kFilterFlagWaitKillableRecv);
  const Pid other = s.Spawn();
  BOOST_TEST(s.Handle(n.target, 10, false) == 0);
  const CallHandle c = n.Trigger();
  BOOST_TEST(std::string(s.Status(c).wait_name) == "seccomp_do_user_notification (interruptible)");
  BOOST_TEST(s.Tgkill(other, n.target, 10) == 0);
  BOOST_TEST(s.Status(c).ret == Err(model::kEINTR));
}

BOOST_AUTO_TEST_CASE(wait_killable_recv_after_recv_holds_non_fatal_signals_until_the_reply) {
  Sim s;
  Notify n(s, nr::kGetppid, kFilterFlagNewListener | kFilterFlagWaitKillableRecv);
  const Pid other = s.Spawn();
  BOOST_TEST(s.Handle(n.target, 31, false) == 0);
  const CallHandle c = n.Trigger();
  uint64_t id = 0;
  BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);
  BOOST_TEST(s.Tgkill(other, n.target, 31) == 0);
  BOOST_TEST(static_cast<int>(s.Status(c).state) == kInFlight);
  BOOST_TEST(std::string(s.Status(c).wait_name) == "seccomp_do_user_notification (killable)");
  BOOST_TEST(s.IdValid(n.sup, 3, id) == 0);
  BOOST_TEST(!s.k().LastSigsys(n.target).has_value());
  BOOST_TEST(s.Send(n.sup, 3, id, 21) == 0);
  BOOST_TEST(s.Status(c).ret == 21);
  BOOST_TEST(s.k().LastSigsys(n.target).has_value());  // the handler ran after the reply
}

BOOST_AUTO_TEST_CASE(wait_killable_recv_after_recv_still_dies_of_sigkill_and_of_a_fatal_sigterm) {
  for (int sig : {9, 15}) {
    Sim s;
    Notify n(s, nr::kGetppid, kFilterFlagNewListener | kFilterFlagWaitKillableRecv);
    const Pid other = s.Spawn();
    const CallHandle c = n.Trigger();
    uint64_t id = 0;
    BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);
    BOOST_TEST(s.Tgkill(other, n.target, sig) == 0);
    BOOST_TEST(static_cast<int>(s.Status(c).state) == kKilled);
    BOOST_TEST(s.Status(c).signal == sig);
    BOOST_TEST(s.IdValid(n.sup, 3, id) == Err(model::kENOENT));
  }
}

BOOST_AUTO_TEST_CASE(wait_killable_recv_after_recv_a_coredump_signal_waits_for_the_reply) {
  // complete_signal() does not turn a coredump signal into a group exit, so nothing
  // wakes the killable sleeper; the signal kills the process once the call returns.
  Sim s;
  Notify n(s, nr::kGetppid, kFilterFlagNewListener | kFilterFlagWaitKillableRecv);
  const Pid other = s.Spawn();
  const CallHandle c = n.Trigger();
  uint64_t id = 0;
  BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);
  BOOST_TEST(s.Tgkill(other, n.target, 3) == 0);  // SIGQUIT
  BOOST_TEST(static_cast<int>(s.Status(c).state) == kInFlight);
  BOOST_TEST(s.Send(n.sup, 3, id, 1) == 0);
  BOOST_TEST(static_cast<int>(s.Status(c).state) == kKilled);
  BOOST_TEST(s.Status(c).signal == 3);
}

BOOST_AUTO_TEST_CASE(sigkill_before_recv_kills_and_the_notification_vanishes) {
  Sim s;
  Notify n(s);
  const Pid other = s.Spawn();
  const CallHandle c = n.Trigger();
  BOOST_TEST(s.Call(other, nr::kKill, {static_cast<uint64_t>(n.target), 9}) == 0);
  BOOST_TEST(s.Status(c).signal == 9);
  BOOST_TEST(s.Recv(n.sup, 3) == Err(model::kENOENT));  // stale token, users gone
}

BOOST_AUTO_TEST_CASE(sigstop_then_sigcont_restarts_the_notifying_call_with_a_new_id) {
  Sim s;
  Notify n(s);
  const Pid other = s.Spawn();
  const CallHandle c = n.Trigger();
  const uint64_t first = NotifId(s, n.target);
  BOOST_TEST(s.Call(other, nr::kKill, {static_cast<uint64_t>(n.target), 19}) == 0);
  BOOST_TEST(std::string(s.Status(c).wait_name) == "do_signal_stop (stopped)");
  BOOST_TEST(s.Call(other, nr::kKill, {static_cast<uint64_t>(n.target), 18}) == 0);
  BOOST_TEST(std::string(s.Status(c).wait_name) == "seccomp_do_user_notification (interruptible)");
  BOOST_TEST(NotifId(s, n.target) == first + 1);
}

BOOST_AUTO_TEST_CASE(closing_the_listener_wakes_a_killable_sleeper_with_enosys) {
  Sim s;
  Notify n(s, nr::kGetppid, kFilterFlagNewListener | kFilterFlagWaitKillableRecv);
  const CallHandle c = n.Trigger();
  BOOST_TEST(s.Recv(n.sup, 3) == 0);
  BOOST_TEST(s.Call(n.sup, nr::kClose, {3}) == 0);
  BOOST_TEST(s.Status(c).ret == Err(model::kENOSYS));
}

BOOST_AUTO_TEST_CASE(the_supervisor_dying_closes_the_listener) {
  Sim s;
  Notify n(s);
  const CallHandle c = n.Trigger();
  (void)s.Start(n.sup, nr::kExitGroup, {0});
  BOOST_TEST(s.Status(c).ret == Err(model::kENOSYS));
}

BOOST_AUTO_TEST_CASE(a_target_killed_with_requests_queued_still_handles_each_completed_one) {
  // Each ADDFD completed `ready` once; wait_for_completion_*() consumes a completion
  // before it looks at signals, so both requests are handled before SIGKILL ends the
  // wait.
  Sim s;
  Notify n(s);
  const Pid sup2 = s.Thread(n.sup);
  const Pid other = s.Spawn();
  (void)n.Trigger();
  uint64_t id = 0;
  BOOST_TEST(s.Recv(n.sup, 3, &id) == 0);
  s.k().HoldTask(n.target, true);
  const CallHandle a = s.StartAddfd(n.sup, 3, id, 0);
  const CallHandle b = s.StartAddfd(sup2, 3, id, 0);
  BOOST_TEST(s.Call(other, nr::kKill, {static_cast<uint64_t>(n.target), 9}) == 0);
  s.k().HoldTask(n.target, false);
  BOOST_TEST(s.Status(b).ret == 3);
  BOOST_TEST(s.Status(a).ret == 4);
  BOOST_TEST(s.k().TaskEnd(n.target).signal == 9);
}

BOOST_AUTO_TEST_CASE(rt_sigreturn_can_itself_be_notified_and_a_reply_ends_in_sigill) {
  Sim s;
  const Pid sup = s.Spawn();
  const Pid target = s.Spawn();
  const Pid other = s.Spawn();
  BOOST_TEST(s.Handle(target, 10, false) == 0);
  BOOST_TEST(s.Nnp(target) == 0);
  BOOST_TEST(
      s.Install(target, IfNr(nr::kRtSigreturn, bpf::kRetUserNotif), kFilterFlagNewListener) == 3);
  BOOST_TEST(s.Pass(target, 3, sup) == 3);
  BOOST_TEST(s.Tgkill(other, target, 10) == 0);
  BOOST_TEST(!s.k().Idle(target));  // asleep in its handler's rt_sigreturn
  uint64_t id = 0;
  BOOST_TEST(s.Recv(sup, 3, &id) == 0);
  BOOST_TEST(s.Send(sup, 3, id, 0, 0, kUserNotifFlagContinue) == 0);
  BOOST_TEST(s.k().Idle(target));  // CONTINUE: the context was restored
  BOOST_TEST(s.Tgkill(other, target, 10) == 0);
  BOOST_TEST(s.Recv(sup, 3, &id) == 0);
  BOOST_TEST(s.Send(sup, 3, id, 0) == 0);
  BOOST_TEST(static_cast<int>(s.k().TaskEnd(target).kind) == kKilled);
  BOOST_TEST(s.k().TaskEnd(target).signal == 4);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sclab::ksim::testing
